"""The e-mail that confirms an account's deletion, in the person's language, to the address they
had (read before the erasure: the account no longer holds it)."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from core import text


def account_deleted(*, address: str, language: str, cancelled: list, kept: list) -> bool:
    codes = {code for code, _name in settings.LANGUAGES}
    with translation.override(language if language in codes else settings.LANGUAGE_CODE):
        context = {
            "node_name": settings.ESSAIM_NODE_NAME,
            "cancelled": cancelled,
            "kept": kept,
            "privacy_url": settings.ESSAIM_NODE_URL + reverse("privacy"),
        }
        body = text.multi_line(render_to_string("accounts/email/account_deleted.txt", context))
        subject = f"[{settings.ESSAIM_NODE_NAME}] " + _("Your account has been deleted")
        message = EmailMessage(
            subject=text.one_line(subject), body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[address]
        )
    return message.send() > 0
