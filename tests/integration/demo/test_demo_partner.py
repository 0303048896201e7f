"""The partner demo network (``ESSAIM_DEMO=partner``): what a second node on the same machine loads —
a dozen venues in Québec and West Africa, in their own time zones and currencies, French first with
English pages for some, an agenda with repeating events and a programme, and accounts of its own."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from bookings.models import Resource
from demo import dataset
from demo import network as demo
from demo.bookings import load_bookings_demo
from demo.events import load_events_demo, specs
from events.models import Event, ProgrammePage
from venues.models import VenuePage

pytestmark = pytest.mark.django_db

PARTNER = dataset.by_name("partner")


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ESSAIM_DEMO = "partner"


def test_the_partner_network_loads_instead_of_the_default_one():
    report = demo.load_demo()
    venues = VenuePage.objects.filter(locale__language_code="fr").specific()
    assert len(report.created) == venues.count() == 12
    assert {str(v.country) for v in venues} == {"CA", "SN", "CI", "BF", "BJ", "TG"}
    assert {v.timezone for v in venues} >= {"America/Toronto", "Africa/Dakar", "Africa/Abidjan", "Africa/Ouagadougou"}
    assert {v.kind for v in venues} == {"tiers_lieu", "totem", "social_business_center"}
    assert not venues.filter(slug__in=[entry["slug"] for entry in demo.load_entries(data=dataset.by_name(""))])
    english = VenuePage.objects.filter(locale__language_code="en").count()
    assert 0 < english < 12  # French first, English pages for some
    User = get_user_model()
    assert set(report.accounts) == set(PARTNER.accounts)
    assert User.objects.get(username="admin").check_password("admin-partner")
    assert all(v.opening_hours.exists() for v in venues)


def test_its_resources_are_priced_locally_and_its_agenda_repeats():
    demo.load_demo(translate=False)
    load_bookings_demo(slugs=["atelier-mile-end", "totem-french-tech-dakar", "atelier-ganhi-cotonou"])
    currencies = dict(Resource.objects.values_list("venue__slug", "currency").distinct())
    assert currencies == {"atelier-mile-end": "CAD", "totem-french-tech-dakar": "XOF", "atelier-ganhi-cotonou": "XOF"}
    assert {"desk", "desk_pool", "room"} <= set(Resource.objects.values_list("kind", flat=True))

    report = load_events_demo()
    assert report.events == len(specs(PARTNER)) and report.programmes == 1 and not report.skipped
    events = Event.objects.filter(programme__isnull=True)
    assert sum(1 for event in events if event.rule) >= 4
    assert {"CAD", "XOF"} <= {event.currency for event in events if event.price_minor}
    assert ProgrammePage.objects.get(slug="forum-francophone-economie-sociale").live


def test_load_demo_says_which_network_and_hints_at_the_node_name():
    out = StringIO()
    call_command("load_demo", "--limit", "2", "--no-translate", stdout=out)
    text = out.getvalue()
    assert "demo network (partner): 2 venues created" in text
    assert "account admin / admin-partner" in text
    assert "ESSAIM_NODE_NAME" in text
