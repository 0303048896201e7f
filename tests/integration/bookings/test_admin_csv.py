"""CSV export of the filtered bookings list: UTF-8 with a BOM for Excel, local times, only what the
venue needs about the booker, and no formula a spreadsheet would run."""

import csv
import io

import pytest
from django.urls import reverse

from bookings import services
from tests.integration.bookings.test_admin_support import NOW, TUE_11, TUE_12

pytestmark = pytest.mark.django_db

LIST = reverse("booking_list:index")
HEADER = [
    "Reference",
    "Venue",
    "Resource",
    "Start (local time)",
    "End (local time)",
    "Time zone",
    "Booker",
    "E-mail",
    "Quantity",
    "Status",
    "Amount",
    "Currency",
    "Payment",
]


def download(client, **params):
    response = client.get(LIST, {"export": "csv", **params})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    return response, body


def test_csv_is_utf8_with_bom_and_local_times(as_manager_a, world):
    response, body = download(as_manager_a)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="bookings-')
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    by_reference = {row[0]: dict(zip(HEADER, row, strict=True)) for row in rows[1:]}
    assert set(by_reference) == {world.confirmed_a.reference, world.pending_a.reference, world.pooled_a.reference}
    room = by_reference[world.confirmed_a.reference]
    assert room["Venue"] == "Lieu Alpha" and room["Resource"] == "Salle Lumière"
    assert (room["Start (local time)"], room["End (local time)"]) == ("2026-03-03 09:00", "2026-03-03 10:00")
    assert room["Time zone"] == "Europe/Paris"
    assert (room["Booker"], room["E-mail"]) == ("Alice Martin", "alice@example.org")
    assert (room["Amount"], room["Currency"], room["Payment"]) == ("15.00", "EUR", "To pay at the venue")
    assert by_reference[world.pooled_a.reference]["Quantity"] == "2"


def test_csv_follows_the_filters(as_manager_a, world):
    _response, body = download(as_manager_a, status="pending_approval")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [world.pending_a.reference]
    _response, body = download(as_manager_a, dates_from="2026-03-04")
    assert len(body.decode("utf-8-sig").splitlines()) == 1  # the header only


def test_csv_neutralises_formulas_in_names(as_manager_a, world, django_user_model):
    mallory = django_user_model.objects.create_user(
        "mallory", "mallory@example.org", None, first_name='=HYPERLINK("http://evil.example")', last_name=""
    )
    booking = services.booking_create(
        user=mallory, request=services.BookingRequest(world.room_a, TUE_11, TUE_12), now=NOW
    )
    _response, body = download(as_manager_a)
    rows = {row[0]: row for row in csv.reader(io.StringIO(body.decode("utf-8-sig")))}
    assert rows[booking.reference][6] == '\'=HYPERLINK("http://evil.example")'
