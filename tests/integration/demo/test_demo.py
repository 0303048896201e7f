"""The demo agenda that ``make run`` loads: enough events of every sort, a bilingual programme
across three venues, and nothing doubled by a second run."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count
from wagtail_localize.models import TranslationSource

from bookings.models import Booking
from demo import network as demo
from demo.bookings import load_bookings_demo
from demo.events import EVENTS, PROGRAMME, load_events_demo
from events import selectors
from events.models import Event, EventPage, ProgrammePage, Registration, WaitlistEntry

pytestmark = pytest.mark.django_db


def counts():
    return {
        "event pages": EventPage.objects.count(),
        "programmes": ProgrammePage.objects.count(),
        "events": Event.objects.count(),
        "registrations": Registration.objects.count(),
        "waiting": WaitlistEntry.objects.count(),
        "bookings": Booking.objects.count(),
    }


def remaining_at_first_dates(event, now):
    dates = [o for o in selectors.upcoming(event, now=now, limit=4) if not o.cancelled]
    return [selectors.seats_for(event, o, now=now).remaining for o in dates]


@pytest.fixture
def demo_network(settings):
    """The demo venues (French only, which is faster) and the demo people, without their bookings."""

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo.load_demo(translate=False)
    load_bookings_demo(slugs=[])  # creates the demo people, equips no venue


def test_the_demo_agenda(demo_network):
    report = load_events_demo()
    assert report.events == len(EVENTS) and report.programmes == 1 and not report.skipped
    now = datetime.now(UTC)

    events = list(Event.objects.filter(live=True, programme__isnull=True).select_related("venue"))
    assert len(events) == len(EVENTS) >= 30
    assert all(event.last_end > now for event in events)
    recurring = [event for event in events if event.rule]
    assert len(recurring) >= 10 and len(recurring) * 3 >= len(events)
    assert {"WEEKLY", "MONTHLY"} <= {event.rule.split(";")[0].removeprefix("FREQ=") for event in recurring}
    changes = [change for event in recurring for change in event.changes.values()]
    assert {"cancelled": True} in changes and any("start" in change for change in changes)
    paid = [event for event in events if event.price_minor]
    assert len(paid) >= 3 and {"EUR", "XOF"} <= {event.currency for event in paid}
    assert any(event.currency == "XOF" and event.venue.slug == "maison-teranga-dakar" for event in paid)

    # Nearly full dates, and one full with a waitlist.
    nearly = [event for event in events if 1 in remaining_at_first_dates(event, now)]
    assert len(nearly) >= 3
    full = Event.objects.annotate(waiting=Count("waitlist")).filter(waiting__gt=0)
    assert full.count() >= 1
    for event in full:
        entry = event.waitlist.first()
        occurrence = selectors.occurrence_get(event, entry.recurrence_id, now=now)
        assert selectors.seats_for(event, occurrence, now=now).remaining == 0
    # Never more seats taken than there are, and each event filled as its spec says: "nearly" leaves
    # exactly one seat at its first (two) dates, "full" takes every seat at its first date and queues
    # people for it, the rest take a few seats at each first date and leave some (counted unclamped).
    fills = {spec.slug: spec.fill for spec in EVENTS}
    for event in events:
        taken = selectors.seats_taken(event, [o.start for o in selectors.upcoming(event, now=now, limit=4)], now=now)
        assert max(taken.values() or [0]) <= event.capacity
        dates = [o for o in selectors.upcoming(event, now=now, limit=4) if not o.cancelled]
        left = [event.capacity - taken[o.start] for o in dates]
        fill = fills[event.page.slug]
        if fill == "full":
            assert left[0] == 0
            assert event.waitlist.filter(recurrence_id=dates[0].recurrence_id).count() >= 2
        elif fill == "nearly":
            assert left and all(seats == 1 for seats in left[:2]), (event.page.slug, left)
        else:
            assert dates and all(1 <= seats < event.capacity for seats in left), (event.page.slug, left)
    assert {fills[event.page.slug] for event in events} == {"full", "nearly", ""}

    # A few events in English too.
    assert sum(1 for event in events if "en" in event.titles and event.titles["en"] != event.titles["fr"]) >= 5

    # The programme: sessions at three venues including a social business centre, in two languages.
    programme = ProgrammePage.objects.get(slug=PROGRAMME["slug"], locale__language_code="fr")
    assert programme.live
    sessions = list(selectors.programme_sessions(programme))
    assert len({event.venue_id for event in sessions}) >= 3
    assert "social_business_center" in {event.venue.specific.kind for event in sessions}
    assert programme.get_parent().specific.kind == "social_business_center"
    english = ProgrammePage.objects.get(translation_key=programme.translation_key, locale__language_code="en")
    assert english.live and english.title != programme.title
    assert all(set(event.titles) == {"fr", "en"} and event.titles["fr"] != event.titles["en"] for event in sessions)

    assert TranslationSource.objects.filter(object_id=programme.translation_key).exists()

    # The demo entrepreneur has a registration and a place on a waitlist.
    assert Registration.objects.filter(booking__user__username="entrepreneur").exists()
    assert WaitlistEntry.objects.filter(user__username="entrepreneur").exists()

    # A second run adds nothing.
    before = counts()
    report = load_events_demo()
    assert counts() == before
    assert (report.events, report.programmes, report.existing) == (0, 0, len(EVENTS) + 1)


def test_load_demo_loads_the_agenda_and_a_second_run_adds_nothing(settings):
    """``make run``'s command: here with its first venue only (La Ruche), whose events it publishes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    call_command("load_demo", "--limit", "1", "--no-translate", stdout=out)
    assert "demo events: 4 events and 0 programme created" in out.getvalue()
    assert set(EventPage.objects.values_list("slug", flat=True)) == {
        spec.slug for spec in EVENTS if spec.venue == "la-ruche-des-pentes"
    }
    before = counts()
    out = StringIO()
    call_command("load_demo", "--limit", "1", "--no-translate", stdout=out)
    assert "demo events: 0 events and 0 programme created" in out.getvalue()
    assert counts() == before
