"""Whether a person's address is confirmed, and their chosen language: what ``core.identity`` asks.

A booking needs a confirmed address. An account with no address record at all was not made by
sign-up (which always records one, unconfirmed) but by an admin, ``createsuperuser`` or a script:
whoever made it vouches for it, so it may book. Every other account needs one confirmed address.
"""

from allauth.account.models import EmailAddress

from accounts.models import Profile


def email_verified(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    addresses = list(EmailAddress.objects.filter(user=user).values_list("verified", flat=True))
    return not addresses or any(addresses)


def preferred_language(user) -> str | None:
    """The language the person chose (at sign-up or on their account's page); ``None`` if never."""
    return Profile.objects.filter(user=user).values_list("language", flat=True).first()
