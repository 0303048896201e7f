"""Whether a person's address is confirmed, and their chosen language: what ``core.identity`` asks.

A booking needs a confirmed address. An account with no address record at all was not made by
sign-up (which always records one, unconfirmed) but by an admin, ``createsuperuser`` or a script:
whoever made it vouches for it, so it may book. Every other account needs one confirmed address.
"""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import Profile

#: Where ``with_email_verified`` leaves its answer on the person it loaded.
_KNOWN = "_essaim_email_verified"


def with_email_verified(queryset: QuerySet, user_path: str = "user") -> QuerySet:
    """Read the answer of ``email_verified`` in the same query as the person (a token's owner, on
    every API call), rather than in a query of its own when they book; ``remember_email_verified``
    then sets it on them."""
    owner = OuterRef(f"{user_path}_id")
    return queryset.annotate(
        _has_address=Exists(EmailAddress.objects.filter(user=owner)),
        _has_confirmed=Exists(EmailAddress.objects.filter(user=owner, verified=True)),
    )


def remember_email_verified(user, row) -> None:
    """``row``: from a ``with_email_verified`` query; the answer holds for this request."""
    setattr(user, _KNOWN, not row._has_address or row._has_confirmed)


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
