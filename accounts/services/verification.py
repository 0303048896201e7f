"""Whether a person's address is confirmed, and their chosen language: what ``core.identity`` asks.

A booking needs a confirmed address. An account with no address record at all was not made by
sign-up (which always records one, unconfirmed) but by an admin, ``createsuperuser`` or a script:
whoever made it vouches for it, so it may book. Every other account needs one confirmed address.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from accounts.models import Profile

#: Where ``remember_email_verified`` leaves its answer on the person.
_KNOWN = "_essaim_email_verified"


def remember_email_verified(user, *, has_address: bool, has_confirmed: bool) -> None:
    """The answer of ``email_verified`` from facts read with the person (a named token's owner, on
    every API call: ``accounts.selectors.token_with_owner``), rather than in a query of its own when
    they book; it holds for this request."""
    setattr(user, _KNOWN, not has_address or has_confirmed)


def email_verified(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    known = getattr(user, _KNOWN, None)
    if known is not None:
        return known
    addresses = list(EmailAddress.objects.filter(user=user).values_list("verified", flat=True))
    return not addresses or any(addresses)


def preferred_language(user) -> str | None:
    """The language the person chose (at sign-up or on their account's page); ``None`` if never.
    Read from the profile already loaded with the person when it was (a named token's request)."""
    if get_user_model().profile.is_cached(user):  # ``request.user`` may be a lazy proxy
        profile = getattr(user, "profile", None)  # ``None`` was cached: they have no profile
        return profile.language if profile is not None else None
    return Profile.objects.filter(user=user).values_list("language", flat=True).first()
