"""Per-person limits raced on PostgreSQL, through the API against the live server.

One person sends 20 booking requests at once for 20 different quarter-hours of one day, against a
room that allows one booking a day per person: exactly one is booked, the 19 others are refused
``per_day_limit``. The limit is counted under the person's lock, so requests that each counted
zero before the lock cannot all pass it.
"""

from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from bookings.models import OCCUPYING, Booking
from tests.support.races import POSTGRES_ONLY, Request, post_at_once

pytestmark = POSTGRES_ONLY

PARIS = ZoneInfo("Europe/Paris")
REQUESTS = 20


def _next_tuesday() -> datetime:
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=2)
    while day.weekday() != 1:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 9, tzinfo=PARIS)


@pytest.mark.parametrize("limit", ["max_per_day", "max_per_week"])
def test_one_person_twenty_requests_at_once_against_a_limit_of_one(live_server, make_resource, make_user, limit):
    room = make_resource(slot_minutes=15, min_minutes=15, **{limit: 1})
    person = make_user()
    token = Token.objects.create(user=person).key
    nine = _next_tuesday()
    requests = [
        Request(
            token,
            "/api/v1/bookings/",
            {
                "resource": room.pk,
                "start": (nine + timedelta(minutes=15 * n)).isoformat(),
                "end": (nine + timedelta(minutes=15 * (n + 1))).isoformat(),
            },
        )
        for n in range(REQUESTS)
    ]

    answers = post_at_once(live_server, requests)

    statuses = Counter(answer.status for answer in answers)
    code = limit.replace("max_", "") + "_limit"
    assert statuses == {201: 1, 400: REQUESTS - 1}, [(a.status, a.body) for a in answers]
    assert {a.body["code"] for a in answers if a.status == 400} == {code}
    assert Booking.objects.filter(resource=room, user=person, status__in=OCCUPYING).count() == 1
