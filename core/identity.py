"""What the booking apps need to know about a person that only ``accounts`` can answer.

``bookings`` and ``events`` sit below ``accounts`` and may not import it; ``accounts`` fills this
registry in its ``AppConfig.ready``. Without it (a node without accounts, unit tests) every
address counts as verified and nobody has a preferred language.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import PermissionDenied

_email_verified: Callable[[object], bool] | None = None
_preferred_language: Callable[[object], str | None] | None = None


def register(*, email_verified: Callable[[object], bool], preferred_language: Callable[[object], str | None]) -> None:
    global _email_verified, _preferred_language  # filled once, at start-up
    _email_verified = email_verified
    _preferred_language = preferred_language


def email_verified(user) -> bool:
    return _email_verified is None or _email_verified(user)


def require_verified_email(user) -> None:
    """Booking (a desk, a room, a seat, a waitlist place) needs a confirmed address; browsing does not.

    Raises ``PermissionDenied`` with the code ``email_unverified`` (a 403 in the API)."""
    if not email_verified(user):
        raise PermissionDenied(
            _("Confirm your e-mail address before booking: follow the link we sent you, or ask for a new one."),
            code="email_unverified",
        )


def preferred_language(user) -> str | None:
    """The language the person chose for their e-mails, feed and the API, if they chose one."""
    if _preferred_language is None or user is None or not getattr(user, "is_authenticated", False):
        return None
    code = _preferred_language(user)
    return code if code in {code for code, _name in settings.LANGUAGES} else None


def confirm_first_url(back: str) -> str:
    """The page that explains why booking waits for a confirmed address, offers to send the link
    again and then returns to ``back`` (a path on this site: the booking that was refused)."""
    return f"{reverse('account_confirm_first')}?{urlencode({'next': back})}"
