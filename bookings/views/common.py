"""What the booking pages share: the log-in they require, the language, a form's error summary."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.urls import reverse_lazy
from django.utils import translation

LOGIN_URL = reverse_lazy("account_login")


def login_required_page(view):
    return login_required(view, login_url=LOGIN_URL)


def page_language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def error_list(form) -> list[dict]:
    """The form's errors for the summary above it: each links to its field."""
    errors = []
    for name, messages_ in form.errors.items():
        anchor = "" if name == "__all__" else form[name].auto_id
        if name == "preset":
            anchor = f"{form[name].auto_id}_0"
        errors += [{"anchor": anchor, "message": message} for message in messages_]
    return errors
