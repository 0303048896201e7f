"""The booking rate holds against a burst: requests sent together cannot all pass it.

DRF's throttle reads a person's history from the cache, then writes it back: sixteen requests at
once all read the same short history and all passed a limit of five. On Redis the window is one
atomic script (``core.throttling``, ``core.redis_cache.sliding_window_hit``), so exactly the
allowance passes, whatever the timing. PostgreSQL and Redis only: the live server's threads need
their own connections, and the local-memory cache keeps DRF's way (one process, no burst to share).
"""

import time
from collections import Counter
from datetime import timedelta

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from bookings.throttles import BookingWriteThrottle
from tests.integration.bookings.test_concurrency import _at, _next_tuesday
from tests.support.races import POSTGRES_ONLY, Request, post_at_once

pytestmark = [
    *POSTGRES_ONLY,
    pytest.mark.skipif(
        not hasattr(cache, "sliding_window_hit"), reason="needs Redis (REDIS_URL): the atomic window is a Redis script"
    ),
]

BURST = 16
LIMIT = 5


def test_a_burst_of_one_persons_bookings_passes_the_rate_exactly_as_often_as_it_allows(
    live_server, make_user, make_resource, monkeypatch
):
    monkeypatch.setattr(BookingWriteThrottle, "THROTTLE_RATES", {"booking": f"{LIMIT}/min"})
    person = make_user("sprinter")
    cache.delete(f"throttle_booking_{person.pk}")  # a window left by an earlier test with this key
    token = Token.objects.create(user=person).key
    room = make_resource()
    day = _next_tuesday()
    # Each request asks for a slot of its own, so the throttle alone decides who is refused.
    requests = [
        Request(
            token,
            "/api/v1/bookings/",
            {
                "resource": room.pk,
                "start": (_at(day, 9) + timedelta(days=7 * (n // 8), hours=n % 8)).isoformat(),
                "end": (_at(day, 10) + timedelta(days=7 * (n // 8), hours=n % 8)).isoformat(),
            },
        )
        for n in range(BURST)
    ]

    answers = post_at_once(live_server, requests)

    statuses = Counter(answer.status for answer in answers)
    assert statuses[429] == BURST - LIMIT, [(a.status, a.body) for a in answers]
    assert all(0 < answer.status < 500 for answer in answers), [(a.status, a.body) for a in answers]
    refused = [answer for answer in answers if answer.status == 429]
    assert all(int(answer.headers["Retry-After"]) > 0 for answer in refused)
    # The refused were not counted: the window holds the allowance, no more.
    allowed, count, _oldest = cache.sliding_window_hit(f"throttle_booking_{person.pk}", time.time(), 60, LIMIT)
    assert (allowed, count) == (False, LIMIT)
