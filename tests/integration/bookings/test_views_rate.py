"""Booking pages share the API's per-person booking rate: past it, a 429 that books nothing."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

from bookings.models import Booking
from bookings.throttles import BookingRate

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris


@pytest.mark.django_db
def test_too_many_bookings_in_a_minute_get_a_429(client, make_resource, make_user, monkeypatch):
    monkeypatch.setattr(BookingRate, "THROTTLE_RATES", {"booking": "2/min"})
    room = make_resource()
    client.force_login(make_user())
    url = reverse("bookings:resource", kwargs={"pk": room.pk})
    statuses = []
    with time_machine.travel(NOW, tick=False):
        for hour in (9, 10, 11):
            start = datetime(2026, 3, 3, hour - 1, tzinfo=UTC)
            end = datetime(2026, 3, 3, hour, tzinfo=UTC)
            response = client.post(url, {"start": start.isoformat(), "end": end.isoformat(), "quantity": 1})
            statuses.append(response.status_code)
    assert statuses == [302, 302, 429]
    assert Booking.objects.filter(resource=room).count() == 2
