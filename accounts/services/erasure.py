"""Deleting an account (RGPD article 17), in one transaction:

1. open bookings and registrations ahead are cancelled through the booking engine, under each
   venue's policy (refunds as it says, sent to Stripe after the commit by the refund machinery);
   those the policy no longer lets go (too late, already started) stay, nameless;
2. places on waitlists are given up (an offered seat goes to the next person);
3. the user row is kept, because past bookings and their payments point at it (``PROTECT``: the
   accounting records a business keeps ten years, Code de commerce L123-22), but emptied: a random
   username, no name, no e-mail, no usable password, inactive, no groups (so no venue team);
4. what only described the person is deleted: profile, projects, addresses, social accounts,
   two-factor keys, API tokens, the calendar feed, stored API answers, log-in attempts; past
   bookings lose their notes.

Everything stops at once: tokens and the feed are gone; every session on every device ends because
Django checks each request's session against the password's hash (now unusable) and refuses an
inactive user, whatever the session backend. The confirmation goes to the address read before
the erasure, after the commit.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token
from wagtail.users.models import UserProfile

from accounts import tasks
from accounts.models import ApiToken, Profile, Project
from accounts.services.profiles import profile_of
from bookings import services as booking_services
from bookings.models import OPEN, Booking, CalendarFeed
from core.deferred import after_commit
from core.errors import InvalidInput
from core.locking import lock_one
from core.models import IdempotencyRecord
from events import services as event_services
from events.models import WAITLIST_OPEN, WaitlistEntry

#: The username of an erased account starts with it.
ERASED_PREFIX = "deleted-"


def is_erased(user) -> bool:
    return not user.is_active and user.get_username().startswith(ERASED_PREFIX)


def _cancel_ahead(user, now: datetime) -> tuple[list[str], list[str]]:
    """Cancel what the policies allow; return the references cancelled and those kept."""
    cancelled, kept = [], []
    for booking in Booking.objects.filter(user=user, status__in=OPEN, end__gt=now).order_by("start", "pk"):
        try:
            with transaction.atomic():  # a refusal rolls back only its own savepoint
                booking_services.booking_cancel(booking=booking, actor=user, now=now)
        except InvalidInput:
            kept.append(booking.reference)
        else:
            cancelled.append(booking.reference)
    for entry in WaitlistEntry.objects.filter(user=user, status__in=WAITLIST_OPEN):
        event_services.waitlist_leave(entry=entry, user=user, now=now)
    return cancelled, kept


def _forget(user, old_names: list[str]) -> None:
    for model, field in (
        (Profile, "user"),
        (Project, "owner"),
        (ApiToken, "user"),
        (Token, "user"),
        (CalendarFeed, "user"),
        (EmailAddress, "user"),
        (SocialAccount, "user"),
        (Authenticator, "user"),
        (IdempotencyRecord, "user"),
        (UserProfile, "user"),
    ):
        model.objects.filter(**{field: user}).delete()
    names = [name for name in old_names if name]
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__in=names).delete()
    Booking.objects.filter(user=user).exclude(note="").update(note="")


def account_delete(*, user, now: datetime | None = None) -> dict:
    """Erase the person's account as the module says; returns what happened to their bookings."""
    now = now or timezone.now()
    address, language = user.email, profile_of(user).language
    old_names = [user.get_username(), user.email]
    with transaction.atomic():
        user = lock_one(user)
        if user is None or is_erased(user):
            return {"cancelled": [], "kept": []}
        cancelled, kept = _cancel_ahead(user, now)
        _forget(user, old_names)
        user.username = ERASED_PREFIX + secrets.token_hex(8)
        user.email = user.first_name = user.last_name = ""
        user.set_unusable_password()
        user.is_active = user.is_staff = user.is_superuser = False
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        if address:
            after_commit(tasks.account_deleted_notify_task, address, language, cancelled, kept)
    return {"cancelled": cancelled, "kept": kept}
