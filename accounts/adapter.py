"""allauth's account adapter: e-mails in the recipient's language with the node's own name and URL,
and the way back to a booking after confirming an address.

- Every link in allauth's e-mails starts with ``ESSAIM_NODE_URL`` (the request's host may be an
  internal name behind the proxy, or ``testserver``) and has the recipient's language prefix.
- The e-mail is written in the recipient's preferred language (``Profile.language``), else the
  language of the page that sent it (a person who has no account yet).
- The confirmation link carries the ``next`` of the sign-up or resend form: confirming the address,
  even in another browser, leads back to what the person was booking.
"""

from urllib.parse import quote, urlencode

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from accounts.services import verification
from accounts.views.verification import safe_next
from core.client_address import client_ident


def node_link(path: str) -> str:
    return settings.ESSAIM_NODE_URL + path


def recipient_language(email: str, user=None) -> str:
    """The person's chosen language, else the page's (someone without an account yet)."""
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
        user = address.user if address is not None else None
    chosen = verification.preferred_language(user) if user is not None and user.pk else None
    return chosen or translation.get_language() or settings.LANGUAGE_CODE


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """The address allauth's rate limits count: ours (``X-Forwarded-For`` only from our own
        proxies, an IPv6 client's /64), as DRF's throttles and django-axes count it. allauth's own
        reading would count nginx's address for everyone behind the deploy recipe."""
        return client_ident(request) or super().get_client_ip(request)

    def get_login_stages(self) -> list[str]:
        stages = super().get_login_stages()
        return [
            "accounts.stages.AddressConfirmationStage"
            if stage == "allauth.account.stages.EmailVerificationStage"
            else stage
            for stage in stages
        ]

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        with translation.override(recipient_language(email, context.get("user"))):
            context = {**context, "node_name": settings.ESSAIM_NODE_NAME, "node_url": settings.ESSAIM_NODE_URL}
            # Links allauth built from the request, rebuilt on the node's URL in this language.
            if "signup_url" in context:
                context["signup_url"] = node_link(reverse("account_signup"))
            if "password_reset_url" in context:
                context["password_reset_url"] = (
                    self._reset_link(context["uid"], context["key"])
                    if "key" in context
                    else node_link(reverse("account_reset_password"))
                )
            if "activate_url" in context and "key" in context:
                context["activate_url"] = self._confirmation_link(context["key"])
            super().send_mail(template_prefix, email, context)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return self._confirmation_link(emailconfirmation.key)

    def get_reset_password_from_key_url(self, key: str) -> str:
        uid, _dash, token = key.partition("-")
        return self._reset_link(uid, token)

    def _confirmation_link(self, key: str) -> str:
        back = safe_next(self.request) if self.request is not None else ""
        path = reverse("account_confirm_email", args=[key])
        return node_link(path + (f"?{urlencode({'next': back})}" if back else ""))

    def _reset_link(self, uid: str, token: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return node_link(path.replace("UID-KEY", quote(f"{uid}-{token}")))
