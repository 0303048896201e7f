"""Dates and times as CLDR writes them in each language (Babel), in the venue's time zone: the
admin's bookings list reads "Tue, Mar 3, 2026, 09:00–10:00" / "mar. 3 mars 2026, 09:00–10:00"."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from core import formatting
from tests.integration.bookings.test_admin_support import build_world, load_world

PARIS = ZoneInfo("Europe/Paris")
TUE_9 = datetime(2026, 3, 3, 8, 0, tzinfo=UTC)  # 9:00 in Paris
TUE_10 = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "span", "long", "number"),
    [
        ("en", "Tue, Mar 3, 2026, 09:00–10:00", "Tuesday, March 3, 2026", "12,345.5"),
        ("fr", "mar. 3 mars 2026, 09:00–10:00", "mardi 3 mars 2026", "12\u202f345,5"),
    ],
)
def test_labels_in_each_language(language, span, long, number):
    with translation.override(language):
        assert formatting.time_span_label(TUE_9, TUE_10, PARIS) == span
        assert formatting.long_date_label(TUE_9, PARIS) == long
        assert formatting.number_label(12345.5) == number


def test_a_span_over_two_days_carries_both_dates_and_midnight_ends_the_same_day():
    with translation.override("fr"):
        late = datetime(2026, 3, 3, 22, 0, tzinfo=UTC)  # 23:00 in Paris
        assert formatting.time_span_label(TUE_9, late.replace(day=4), PARIS) == (
            "mar. 3 mars 2026, 09:00 – mer. 4 mars 2026, 23:00"
        )
        assert formatting.time_span_label(late, datetime(2026, 3, 3, 23, 0, tzinfo=UTC), PARIS) == (
            "mar. 3 mars 2026, 23:00–00:00"
        )


def test_the_template_filters_move_to_the_venue_zone():
    template = Template(
        "{% load essaim_format %}{{ at|local_date:tz }}|{{ at|long_date:tz }}|{{ at|local_datetime:tz }}|"
        "{{ at|local_time:tz }}|{{ day|local_date }}|{{ n|number }}|{{ none|local_date:tz }}"
    )
    context = Context({"at": TUE_9, "tz": "Pacific/Auckland", "day": date(2026, 3, 3), "n": 1500})
    with translation.override("en"):
        assert template.render(context) == (
            "Tue, Mar 3, 2026|Tuesday, March 3, 2026|Tue, Mar 3, 2026, 21:00|21:00|Tue, Mar 3, 2026|1,500|"
        )
    with translation.override("fr"):
        assert template.render(context).startswith("mar. 3 mars 2026|mardi 3 mars 2026|mar. 3 mars 2026, 21:00|")


@pytest.fixture
def world(db):
    return load_world(build_world())


def test_the_admin_bookings_list_in_both_languages(client, world):
    client.force_login(world.manager_a)
    english = client.get(reverse("booking_list:index")).content.decode()
    assert "Tue, Mar 3, 2026, 09:00–10:00" in english
    profile = UserProfile.get_for_user(world.manager_a)
    profile.preferred_language = "fr"
    profile.save(update_fields=["preferred_language"])
    french = client.get(reverse("booking_list:index")).content.decode()
    assert "mar. 3 mars 2026, 09:00–10:00" in french
