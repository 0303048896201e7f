"""Reads about one person: everything Essaim holds about them, for the export of the account page
(the right of access and to portability, RGPD articles 15 and 20), and what deleting would do.

Each table is a list of flat rows (plain values: text, numbers, ISO instants), so the same data
makes the JSON document and the CSV files. Secrets are never exported: not the password's hash,
the tokens' digests, the calendar feed's secret or the two-factor keys; only that they exist.
"""

from __future__ import annotations

from datetime import datetime

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiToken, Project
from accounts.services.profiles import profile_of
from bookings.models import OPEN, Booking, BookingTransition, CalendarFeed, Payment, Refund
from bookings.services import cancellation_terms
from core.audit import reason_label
from events.models import WAITLIST_OPEN, Registration, WaitlistEntry, WaitlistTransition

#: The tables of an export, in the order a person reads them (and the CSV files' names).
TABLES = (
    "profile",
    "email_addresses",
    "projects",
    "bookings",
    "registrations",
    "waitlist",
    "payments",
    "refunds",
    "audit",
    "calendar_feed",
    "api_tokens",
    "social_accounts",
    "two_factor",
)


def _instant(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _profile(user) -> list[dict]:
    profile = profile_of(user)
    return [
        {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": profile.language,
            "share_identity_with_peers": profile.share_identity_with_peers,
            "date_joined": _instant(user.date_joined),
            "last_login": _instant(user.last_login),
        }
    ]


def _bookings(user) -> list[dict]:
    bookings = Booking.objects.filter(user=user).select_related("resource__venue").order_by("start", "pk")
    return [
        {
            "reference": b.reference,
            "venue": b.resource.venue.title,
            "resource": b.resource.name,
            "start": _instant(b.start),
            "end": _instant(b.end),
            "quantity": b.quantity,
            "status": b.status,
            "payment_state": b.payment_state,
            "amount_minor": b.amount_minor,
            "currency": b.currency,
            "note": b.note,
            "language": b.language,
            "cancel_reason": b.cancel_reason,
            "created_at": _instant(b.created_at),
        }
        for b in bookings
    ]


def _registrations(user) -> list[dict]:
    rows = Registration.objects.filter(booking__user=user).select_related("booking", "event").order_by("pk")
    return [
        {
            "booking": r.booking.reference,
            "event": r.event.title(),
            "occurrence": _instant(r.recurrence_id),
            "whole_programme": r.whole_programme,
            "created_at": _instant(r.created_at),
        }
        for r in rows
    ]


def _waitlist(user) -> list[dict]:
    rows = WaitlistEntry.objects.filter(user=user).select_related("event", "offer")
    return [
        {
            "event": e.event.title(),
            "occurrence": _instant(e.recurrence_id),
            "status": e.status,
            "offer": e.offer.reference if e.offer else "",
            "offer_expires_at": _instant(e.offer_expires_at),
            "created_at": _instant(e.created_at),
        }
        for e in rows
    ]


def _payments(user) -> list[dict]:
    rows = Payment.objects.filter(booking__user=user).select_related("booking")
    return [
        {
            "booking": p.booking.reference,
            "provider": p.provider,
            "status": p.status,
            "amount_minor": p.amount_minor,
            "currency": p.currency,
            "paid_at": _instant(p.paid_at),
            "receipt_url": p.receipt_url,
            "created_at": _instant(p.created_at),
        }
        for p in rows
    ]


def _refunds(user) -> list[dict]:
    rows = Refund.objects.filter(payment__booking__user=user).select_related("payment__booking")
    return [
        {
            "booking": r.payment.booking.reference,
            "amount_minor": r.amount_minor,
            "currency": r.currency,
            "status": r.status,
            "kind": r.kind,
            "reason": reason_label(r.reason),
            "created_at": _instant(r.created_at),
        }
        for r in rows
    ]


def _actor(actor_id, user) -> str:
    if actor_id is None:
        return "system"
    return "you" if actor_id == user.pk else "staff"


def _audit(user) -> list[dict]:
    """The recorded changes of their bookings and waitlist places, and those they made themselves
    (a manager's check-ins, say); who else acted is said as "staff", never by name."""
    bookings = BookingTransition.objects.filter(Q(booking__user=user) | Q(actor=user)).select_related("booking")
    waits = WaitlistTransition.objects.filter(Q(entry__user=user) | Q(actor=user)).select_related("entry__event")
    rows = [
        {
            "subject": f"booking {t.booking.reference}",
            "from_status": t.from_status,
            "to_status": t.to_status,
            "at": _instant(t.at),
            "actor": _actor(t.actor_id, user),
            "reason": reason_label(t.reason),
        }
        for t in bookings
    ]
    rows += [
        {
            "subject": f"waitlist {t.entry.event.title()} {_instant(t.entry.recurrence_id)}",
            "from_status": t.from_status,
            "to_status": t.to_status,
            "at": _instant(t.at),
            "actor": _actor(t.actor_id, user),
            "reason": reason_label(t.reason),
        }
        for t in waits
    ]
    return sorted(rows, key=lambda row: row["at"])


def personal_data(user, *, now: datetime | None = None) -> dict:
    """Everything about the person, table by table (``TABLES``), with when it was read."""
    now = now or timezone.now()
    tables = {
        "profile": _profile(user),
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary}
            for a in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "projects": [
            {"name": p.name, "stage": p.stage, "city": p.city, "created_at": _instant(p.created_at)}
            for p in Project.objects.filter(owner=user)
        ],
        "bookings": _bookings(user),
        "registrations": _registrations(user),
        "waitlist": _waitlist(user),
        "payments": _payments(user),
        "refunds": _refunds(user),
        "audit": _audit(user),
        "calendar_feed": [
            {"exists": True, "created_at": _instant(f.created_at)} for f in CalendarFeed.objects.filter(user=user)
        ],
        "api_tokens": [
            {
                "name": t.name,
                "starts_with": t.prefix,
                "created_at": _instant(t.created_at),
                "last_used_at": _instant(t.last_used_at),
                "revoked_at": _instant(t.revoked_at),
            }
            for t in ApiToken.objects.filter(user=user)
        ],
        "social_accounts": [
            {"provider": s.provider, "uid": s.uid, "date_joined": _instant(s.date_joined)}
            for s in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
        "two_factor": [
            {"type": a.type, "created_at": _instant(a.created_at), "last_used_at": _instant(a.last_used_at)}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
    }
    return {"generated_at": _instant(now), "tables": tables}


def active_tokens(user):
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True)


def erasure_preview(user, *, now: datetime | None = None) -> dict:
    """What deleting the account now would do to their open bookings: those cancelled (with what
    comes back under each venue's policy) and those the policy no longer lets go (kept, nameless)."""
    now = now or timezone.now()
    cancelled, kept = [], []
    open_bookings = Booking.objects.filter(user=user, status__in=OPEN, end__gt=now).select_related("resource__venue")
    for booking in open_bookings:
        terms = cancellation_terms(booking, now)
        (cancelled if terms["allowed"] else kept).append((booking, terms))
    waiting = WaitlistEntry.objects.filter(user=user, status__in=WAITLIST_OPEN).count()
    return {"cancelled": cancelled, "kept": kept, "waiting": waiting}
