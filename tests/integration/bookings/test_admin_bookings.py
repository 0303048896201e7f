"""The bookings list (filters by the venues' local dates, venue, resource, status; search), one
booking with its audit trail, and the actions: check in, no-show, cancel with a reason, approve, reject."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings import inventory, services
from bookings.models import BookingStatus
from tests.integration.bookings.test_admin_support import NOW, TUE_9, TUE_10
from tests.integration.support import build_site_tree, create_venue
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db

LIST = reverse("booking_list:index")


def action(booking, name):
    return reverse("booking_list:action", args=[booking.pk, name])


def flashes(response):
    return [str(message).strip() for message in response.context["messages"]]


def test_list_shows_local_times_booker_status_and_amount(as_manager_a, world):
    page = as_manager_a.get(LIST).content.decode()
    assert world.confirmed_a.reference in page and world.pooled_a.reference in page
    assert "Tue, Mar 3, 2026, 09:00–10:00" in page  # 8:00 UTC is 9:00 in Paris
    assert "Alice Martin &lt;alice@example.org&gt;" in page
    assert "Awaiting approval" in page
    assert "€15.00 · To pay at the venue" in page
    assert "Download CSV" in page


def test_filters_by_status_resource_and_search(as_manager_a, world):
    page = as_manager_a.get(LIST, {"status": "pending_approval"}).content.decode()
    assert world.pending_a.reference in page and world.confirmed_a.reference not in page

    page = as_manager_a.get(LIST, {"resource": world.pool_a.pk}).content.decode()
    assert world.pooled_a.reference in page and world.confirmed_a.reference not in page

    page = as_manager_a.get(LIST, {"q": "carol@"}).content.decode()
    assert world.pooled_a.reference in page and world.confirmed_a.reference not in page

    page = as_manager_a.get(LIST, {"venue": world.a.pk, "status": ["confirmed", "pending_approval"]}).content.decode()
    assert world.confirmed_a.reference in page and world.pending_a.reference in page


def test_date_filter_uses_each_venues_own_day(as_manager_a, world):
    tree = build_site_tree()
    auckland = create_venue(
        tree,
        title="Auckland Hub",
        slug="auckland-hub",
        country="NZ",
        timezone="Pacific/Auckland",
        opening_hours=[(day, "09:00", "18:00") for day in range(5)],
    )
    venue_manager_assign(venue=auckland, user=world.manager_a)
    desk = inventory.resource_create(venue=auckland, name="Desk Kauri", kind="desk", horizon_days=365)
    # Tuesday 3 March 9:00 in Auckland is Monday 2 March 20:00 UTC.
    start = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    kiwi = services.booking_create(
        user=world.alice,
        request=services.BookingRequest(desk, start, start.replace(hour=21)),
        now=datetime(2026, 3, 1, tzinfo=UTC),
    )

    tuesday = as_manager_a.get(LIST, {"dates_from": "2026-03-03", "dates_to": "2026-03-03"}).content.decode()
    assert kiwi.reference in tuesday and world.confirmed_a.reference in tuesday
    monday = as_manager_a.get(LIST, {"dates_from": "2026-03-02", "dates_to": "2026-03-02"}).content.decode()
    assert kiwi.reference not in monday and world.confirmed_a.reference not in monday
    assert "Tue, Mar 3, 2026, 09:00–10:00" in tuesday.split(kiwi.reference)[1]  # Auckland's own wall clock
    later = as_manager_a.get(LIST, {"dates_from": "2026-03-04"}).content.decode()
    assert world.confirmed_a.reference not in later


def test_detail_shows_the_audit_trail(as_manager_a, world):
    with time_machine.travel(NOW, tick=False):  # before the request's start: it can still be approved
        page = as_manager_a.get(reverse("booking_list:detail", args=[world.pending_a.pk])).content.decode()
    assert "Salle du conseil · Lieu Alpha" in page
    assert "Awaiting approval" in page and "Approve" in page and "Reject the request" in page
    assert "Mon, Mar 2, 2026, 08:00:00" in page  # created on Monday 8:00, Paris time


def test_check_in_then_no_show_then_late_arrival(as_manager_a, world):
    booking = world.confirmed_a
    detail = reverse("booking_list:detail", args=[booking.pk])
    with time_machine.travel(NOW, tick=False):
        response = as_manager_a.post(action(booking, "check-in"), follow=True)
    assert response.redirect_chain[-1][0] == detail
    assert flashes(response) == ["Check-in opens an hour before the start and closes at the end."]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    with time_machine.travel(datetime(2026, 3, 3, 8, 15, tzinfo=UTC), tick=False):
        response = as_manager_a.post(action(booking, "no-show"), follow=True)
        assert flashes(response) == [f"{booking.reference} marked as a no-show."]
        response = as_manager_a.post(action(booking, "check-in"), follow=True)
        assert flashes(response) == [f"{booking.reference} checked in."]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CHECKED_IN
    trail = list(booking.transitions.values_list("to_status", "actor__username"))
    assert trail[-2:] == [("no_show", "manager-a"), ("checked_in", "manager-a")]
    page = response.content.decode()
    assert "No-show → Checked in" in page and "Ada Lovelace" in page


def test_cancel_needs_a_reason_and_tells_the_booker(as_manager_a, world, django_capture_on_commit_callbacks):
    booking = world.confirmed_a
    with time_machine.travel(NOW, tick=False):
        response = as_manager_a.post(action(booking, "cancel"), {"reason": "  "}, follow=True)
        assert flashes(response) == ["Give the booker a reason for cancelling."]
        booking.refresh_from_db()
        assert booking.status == BookingStatus.CONFIRMED
        sent = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):  # the e-mail is queued after the commit
            response = as_manager_a.post(action(booking, "cancel"), {"reason": "Dégât des eaux"}, follow=True)
    assert flashes(response) == [f"{booking.reference} cancelled: the booker is told."]
    assert len(mail.outbox) == sent + 1 and mail.outbox[-1].to == [booking.user.email]
    booking.refresh_from_db()
    assert (booking.status, booking.cancel_reason) == (BookingStatus.CANCELLED, "Dégât des eaux")
    assert booking.transitions.last().reason == "Dégât des eaux"


def test_approve_and_reject_requests(as_manager_a, world):
    with time_machine.travel(NOW, tick=False):
        response = as_manager_a.post(action(world.pending_a, "approve"), follow=True)
        assert flashes(response) == [f"{world.pending_a.reference} approved: the booker is told."]
        world.pending_a.refresh_from_db()
        assert world.pending_a.status == BookingStatus.CONFIRMED

        request = services.booking_create(
            user=world.carol, request=services.BookingRequest(world.council_a, TUE_9, TUE_10), now=NOW
        )
        response = as_manager_a.post(action(request, "reject"), {"reason": "Réservée au conseil"}, follow=True)
        assert flashes(response) == [f"{request.reference} rejected: the booker is told."]
        request.refresh_from_db()
        assert (request.status, request.cancel_reason) == (BookingStatus.REJECTED, "Réservée au conseil")

        # Approving again is refused with the engine's own words.
        response = as_manager_a.post(action(request, "approve"), follow=True)
    assert flashes(response) == ["A booking that is “Rejected” cannot become “Confirmed”."]


def test_actions_are_posts_with_csrf_and_stay_on_this_site(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.manager_a)
    assert client.get(action(world.pending_a, "approve")).status_code == 405
    assert client.post(action(world.pending_a, "approve")).status_code == 403  # no CSRF token
    assert client.post(action(world.pending_a, "teleport")).status_code in (403, 404)

    client = Client()
    client.force_login(world.manager_a)
    with time_machine.travel(NOW, tick=False):
        response = client.post(action(world.pending_a, "approve"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("booking_list:detail", args=[world.pending_a.pk])


def test_the_list_costs_the_same_queries_for_one_row_or_many(as_manager_a, world, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        as_manager_a.get(LIST, {"status": "pending_approval"})
    for hour in (12, 13, 14, 15):
        start = TUE_9.replace(hour=hour)
        services.booking_create(
            user=world.carol, request=services.BookingRequest(world.room_a, start, start.replace(minute=30)), now=NOW
        )
    with django_assert_max_num_queries(len(few)):
        page = as_manager_a.get(LIST).content.decode()
    assert page.count("Carol Dupont") == 5
