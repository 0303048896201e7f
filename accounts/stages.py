"""allauth's log-in stages as Essaim needs them (``AccountAdapter.get_login_stages``)."""

from allauth.account.models import EmailAddress
from allauth.account.stages import EmailVerificationStage


class AddressConfirmationStage(EmailVerificationStage):
    """allauth's "confirm your address first", except for an account with no address record at all:
    an admin, ``createsuperuser`` or a script made it (sign-up, invitations and OpenID Connect always
    record the address), so nobody needs to ask its owner; the booking rule reads it the same way
    (``services.verification.email_verified``). Without this, a manager an admin just created, or
    the first superuser of a new node, could not log in before e-mail works."""

    def handle(self):
        user = self.login.user  # None when sign-up met a known address (allauth answers "mail sent")
        if user is not None and not EmailAddress.objects.filter(user=user).exists():
            return None, True
        return super().handle()
