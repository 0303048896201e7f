"""The demo's resources and bookings obey the engine's rules, whatever day the demo is loaded.

``load_demo`` runs on a selection of demo venues that covers every kind and the awkward cases
(a lunch break, Saturday mornings, XOF with no decimals, TND with three, New York's DST, Réunion),
at today's date and at two fixed dates: the week of the spring DST change and Christmas week.
The checks below are written independently of the generator (plain loops over the rows), so they
would catch it placing a booking the engine would have refused.
"""

import io
from collections import Counter, defaultdict
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from bookings import services
from bookings.models import (
    OCCUPYING,
    Booking,
    BookingStatus,
    BookingTransition,
    BookingUnit,
    Closure,
    PaymentState,
    Resource,
    ResourceKind,
)
from bookings.payments import ledger
from core import money
from core.errors import Conflict
from demo import network as demo
from demo.booking_history import ENTREPRENEUR_VENUES
from venues.models import OpeningHours, VenuePage

SELECTION = [
    "la-ruche-des-pentes",  # the demo manager's venue; the entrepreneur books here
    "la-fabrique-de-la-vallee",  # lunch break, open Tuesday to Saturday
    "la-kaz-des-possibles",  # Réunion, UTC+4
    "totem-french-tech-lyon-la-nef",
    "maison-teranga-dakar",  # XOF: no decimals; split hours
    "dar-tawasol-tunis",  # TND: three decimals
    "lafayette-solidarity-exchange",  # USD, New York's DST
]
CURRENCY = {"FR": "EUR", "SN": "XOF", "TN": "TND", "US": "USD"}
ACTIVE = {BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN, BookingStatus.PENDING_APPROVAL}


@pytest.fixture
def selection(monkeypatch):
    entries = {entry["slug"]: entry for entry in demo.load_entries()}
    chosen = [entries[slug] for slug in SELECTION]
    monkeypatch.setattr(demo, "load_entries", lambda limit=None, data=None: chosen[:limit] if limit else chosen)
    return chosen


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (Resource, Closure, Booking, BookingTransition, get_user_model())
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "moment",
    [
        None,  # today, whatever today is
        datetime(2026, 3, 27, 10, 17, tzinfo=UTC),  # Paris changes to summer time on Sunday 29 March
        datetime(2026, 12, 28, 15, 40, tzinfo=UTC),  # most venues are closed until 1 January
    ],
    ids=["today", "spring-dst", "christmas"],
)
def test_demo_bookings_follow_the_rules(selection, moment):
    if moment is None:
        _load_and_check()
    else:
        with time_machine.travel(moment, tick=False):
            _load_and_check()


def _load_and_check():
    call_command("load_demo", "--no-translate", stdout=io.StringIO())
    now = timezone.now()
    venues = list(VenuePage.objects.filter(locale__language_code="fr", slug__in=SELECTION))
    assert len(venues) == len(SELECTION)
    _check_resources(venues)
    bookings = list(Booking.objects.select_related("resource__venue", "user").order_by("resource_id", "start"))
    assert len(bookings) > 100
    _check_no_overlap_no_overbooking(bookings)
    # Event seats follow their event's dates, not the venue's hours and slots (tests/integration/events).
    by_the_hour = [b for b in bookings if b.resource.kind != ResourceKind.EVENT_SEATS]
    _check_opening_hours(by_the_hour)
    _check_timing_and_limits(by_the_hour)
    _check_audit_trail(bookings, now)
    _check_lived_in(bookings, now)

    before = _counts()
    call_command("load_demo", "--no-translate", stdout=io.StringIO())
    assert _counts() == before, "loading the demo again must add nothing"


def _check_resources(venues):
    for venue in venues:
        resources = list(Resource.objects.filter(venue=venue))
        kinds = Counter(r.kind for r in resources)
        assert kinds[ResourceKind.DESK] >= 2, venue.slug
        assert kinds[ResourceKind.DESK_POOL] == 1, venue.slug
        assert kinds[ResourceKind.ROOM] >= 1, venue.slug
        currency = CURRENCY[str(venue.country)]
        assert {r.currency for r in resources} == {currency}, venue.slug
        for resource in resources:
            resource.full_clean()  # capacity 1 for exclusive kinds, min ≤ max, whole slots…
            if resource.kind == ResourceKind.DESK_POOL:
                assert 6 <= resource.capacity <= 20
                assert resource.booking_unit == BookingUnit.HALF_DAY
            if resource.kind == ResourceKind.ROOM and resource.booking_unit == BookingUnit.SLOTS:
                assert resource.slot_minutes == 30 and resource.max_minutes <= 240
        if venue.kind == "totem":
            assert any(r.kind == ResourceKind.ROOM and (r.seats or 0) >= 80 for r in resources), "an event room"
        if venue.slug == "la-ruche-des-pentes":
            assert any(r.approval_required for r in resources), "the demo manager has requests to approve"
        assert Closure.objects.filter(venue=venue, yearly=True).exists(), venue.slug
    # Minor units follow the currency: 10,000 XOF an hour is 10000, 30 TND is 30000 millimes.
    rooms = Resource.objects.filter(kind=ResourceKind.ROOM, approval_required=False, seats__gt=2)
    by_city = {r.venue.slug: r for r in rooms.select_related("venue")}
    assert money.to_decimal(by_city["maison-teranga-dakar"].price_minor, "XOF") == Decimal("10000")
    assert money.to_decimal(by_city["dar-tawasol-tunis"].price_minor, "TND") == Decimal("30.000")
    assert money.to_decimal(by_city["lafayette-solidarity-exchange"].price_minor, "USD") == Decimal("45.00")
    assert Closure.objects.filter(venue__slug="la-ruche-des-pentes", first_day__month=5, first_day__day=1).exists()
    assert not Closure.objects.filter(venue__slug="maison-teranga-dakar", first_day__month=5, first_day__day=1).exists()


def _check_no_overlap_no_overbooking(bookings):
    by_resource = defaultdict(list)
    for booking in bookings:
        # Requests awaiting approval count too: the manager can approve every one of them.
        if booking.status in OCCUPYING or booking.status == BookingStatus.PENDING_APPROVAL:
            by_resource[booking.resource].append(booking)
    for resource, rows in by_resource.items():
        if resource.is_exclusive:
            for before, after in zip(rows, rows[1:], strict=False):
                assert after.start >= before.blocked_until, (resource.name, before.start, after.start)
                assert before.blocked_until == before.end + timedelta(minutes=resource.buffer_minutes)
        else:
            load, events = 0, sorted([(b.start, b.quantity) for b in rows] + [(b.end, -b.quantity) for b in rows])
            for _at, delta in sorted(events, key=lambda e: (e[0], e[1])):
                load += delta
                assert load <= resource.capacity, (resource.name, _at)


def _check_opening_hours(bookings):
    hours = defaultdict(list)
    for row in OpeningHours.objects.all():
        hours[row.page_id].append(row)
    closures = defaultdict(list)
    for closure in Closure.objects.all():
        closures[closure.venue_id].append(closure)
    for booking in bookings:
        resource, venue = booking.resource, booking.resource.venue
        tz = ZoneInfo(venue.timezone)
        start, end = booking.start.astimezone(tz), booking.end.astimezone(tz)
        assert start.date() == end.date(), booking
        rows = [r for r in hours[venue.pk] if r.weekday == start.weekday()]
        assert rows, (booking, "closed that weekday")
        if resource.booking_unit == BookingUnit.SLOTS:
            assert any(r.opens <= start.time() and end.time() <= r.closes for r in rows), booking
        else:
            opens, closes = min(r.opens for r in rows), max(r.closes for r in rows)
            allowed = {(opens, closes)}
            if resource.booking_unit == BookingUnit.HALF_DAY and opens < time(13) < closes:
                allowed |= {(opens, time(13)), (time(13), closes)}
            assert (start.time(), end.time()) in allowed, booking
        for closure in closures[venue.pk]:
            if closure.resource_id not in (None, resource.pk):
                continue
            day = start.date()
            if closure.yearly:
                first, last = (
                    (closure.first_day.month, closure.first_day.day),
                    (closure.last_day.month, closure.last_day.day),
                )
                here = (day.month, day.day)
                closed = first <= here <= last if first <= last else (here >= first or here <= last)
            else:
                closed = closure.first_day <= day <= closure.last_day
            assert not closed, (booking, closure)


def _check_timing_and_limits(bookings):
    per_day = Counter()
    for booking in bookings:
        resource = booking.resource
        ahead = booking.start - booking.created_at
        assert ahead >= timedelta(minutes=resource.lead_minutes), booking
        assert ahead <= timedelta(days=resource.horizon_days), booking
        assert booking.quantity <= resource.capacity
        if resource.booking_unit == BookingUnit.SLOTS:
            minutes = (booking.end - booking.start).total_seconds() / 60
            assert resource.min_minutes <= minutes <= resource.max_minutes, booking
            local = booking.start.astimezone(ZoneInfo(resource.venue.timezone))
            assert local.minute % resource.slot_minutes == 0 and local.second == 0
        if resource.is_free:
            assert booking.amount_minor == 0
        else:
            assert booking.amount_minor > 0 and booking.currency == resource.currency
        if booking.status in ACTIVE:
            day = booking.start.astimezone(ZoneInfo(resource.venue.timezone)).date()
            per_day[(booking.user_id, resource.pk, day)] += 1
            if resource.max_per_day:
                assert per_day[(booking.user_id, resource.pk, day)] <= resource.max_per_day, booking


def _check_audit_trail(bookings, now):
    trails = defaultdict(list)
    for row in BookingTransition.objects.order_by("at", "id"):
        trails[row.booking_id].append(row)
    for booking in bookings:
        trail = trails[booking.pk]
        assert trail, booking
        first = trail[0]
        assert first.from_status == "" and first.actor_id == booking.user_id and first.at == booking.created_at
        assert first.to_status in (BookingStatus.CONFIRMED, BookingStatus.PENDING_APPROVAL)
        for before, after in zip(trail, trail[1:], strict=False):
            assert after.from_status == before.to_status, booking
            assert after.to_status in services.TRANSITIONS[before.to_status], (before.to_status, after.to_status)
        assert trail[-1].to_status == booking.status
        assert all(row.at <= now for row in trail), booking
        if booking.status == BookingStatus.CHECKED_IN:
            checked = trail[-1].at
            assert booking.start - timedelta(hours=1) <= checked < booking.end
        if booking.status in (BookingStatus.NO_SHOW, BookingStatus.CHECKED_IN):
            assert booking.start <= now
        # No Stripe keys in the demo: priced bookings are paid at the door, recorded at check-in.
        paid = ledger.totals(booking).paid
        if booking.amount_minor == 0:
            assert booking.payment_state == PaymentState.NONE and paid == 0
        elif booking.status == BookingStatus.CHECKED_IN:
            assert booking.payment_state == PaymentState.PAID and paid == booking.amount_minor, booking
        else:
            assert booking.payment_state == PaymentState.DUE_AT_VENUE and paid == 0, booking
        if booking.status == BookingStatus.PENDING_APPROVAL:
            assert booking.start > now, "requests nobody answered before they began are expired"


def _check_lived_in(bookings, now):
    past = Counter(b.status for b in bookings if b.end <= now)
    future = Counter(b.status for b in bookings if b.start > now)
    assert past[BookingStatus.CHECKED_IN] > past[BookingStatus.NO_SHOW] > 0
    assert past[BookingStatus.CANCELLED] > 0
    assert future[BookingStatus.CONFIRMED] > 0 and future[BookingStatus.PENDING_APPROVAL] > 0
    assert len({b.user_id for b in bookings}) >= 5
    mine = [b for b in bookings if b.user.username == "entrepreneur"]
    assert mine, "the demo account has bookings to look at"
    assert all(b.resource.venue.slug in ENTREPRENEUR_VENUES for b in mine)
    # The engine agrees with the demo: a meeting room's taken future slot is refused to someone else.
    taken = next(
        b
        for b in bookings
        if b.start > now + timedelta(hours=3)
        and b.status == BookingStatus.CONFIRMED
        and b.resource.kind == ResourceKind.ROOM
        and b.resource.booking_unit == BookingUnit.SLOTS
        and not b.resource.approval_required
    )
    other = get_user_model().objects.create_user("late-comer")
    with pytest.raises(Conflict) as error:
        services.booking_create(
            user=other, request=services.BookingRequest(taken.resource, taken.start, taken.end), now=now
        )
    assert error.value.code == "no_room"
