"""A manager's first hour (issue 16, item 5): why an action is not offered yet, approving and
rejecting from the lists through a confirmation page, bookings on a day closed after them, counts
in the admin's language, and the bookings list with today first."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.urls import reverse
from wagtail.users.models import UserProfile

from bookings import inventory, services
from bookings.models import Booking, BookingStatus
from tests.integration.bookings.test_admin_support import NOW

pytestmark = pytest.mark.django_db

DAY = reverse("booking_day:index")
LIST = reverse("booking_list:index")
TUESDAY = {"date": "2026-03-03"}
TUE_1030 = datetime(2026, 3, 3, 9, 30, tzinfo=UTC)  # Tuesday 10:30 in Paris


def confirm(booking, action):
    return reverse("booking_list:confirm", args=[booking.pk, action])


def row_of(page: str, reference: str) -> str:
    """The HTML of the table row of ``reference``."""
    start = page.index(f'data-booking="{reference}"')
    return page[start : page.index("</tr>", start)]


def in_french(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "fr"
    profile.save(update_fields=["preferred_language"])


# Why an action is not there --------------------------------------------------------------------


def test_day_view_says_when_check_in_opens(as_manager_a, world):
    with time_machine.travel(NOW, tick=False):  # Monday 8:00; the booking is Tuesday 9:00–10:00
        page = as_manager_a.get(DAY, TUESDAY).content.decode()
    row = row_of(page, world.confirmed_a.reference)
    assert "Check-in from 08:00" in row
    assert "data-booking-action" not in row


def test_the_hint_follows_the_check_in_setting(as_manager_a, world, settings):
    settings.ESSAIM_CHECK_IN_EARLY_MINUTES = 30
    with time_machine.travel(NOW, tick=False):
        page = as_manager_a.get(DAY, TUESDAY).content.decode()
    assert "Check-in from 08:30" in row_of(page, world.confirmed_a.reference)
    with time_machine.travel(datetime(2026, 3, 3, 7, 15, tzinfo=UTC), tick=False):  # 8:15: not yet, at 30 minutes
        page = as_manager_a.get(DAY).content.decode()
    assert "check-in" not in row_of(page, world.confirmed_a.reference)


def test_day_view_says_check_in_closed_and_too_late_to_approve(as_manager_a, world):
    services.booking_mark_no_show(
        booking=world.confirmed_a, actor=world.manager_a, now=datetime(2026, 3, 3, 8, 30, tzinfo=UTC)
    )
    with time_machine.travel(TUE_1030, tick=False):
        page = as_manager_a.get(DAY).content.decode()
    no_show = row_of(page, world.confirmed_a.reference)  # 9:00–10:00, a no-show: too late to arrive
    assert "Check-in closed" in no_show and "data-booking-action" not in no_show
    pending = row_of(page, world.pending_a.reference)  # 10:00–11:00, started: reject only
    assert "Too late to approve" in pending
    assert confirm(world.pending_a, "reject") in pending and confirm(world.pending_a, "approve") not in pending


def test_a_booking_held_for_its_payment_says_until_when(as_manager_a, world):
    Booking.objects.filter(pk=world.confirmed_a.pk).update(
        status=BookingStatus.HELD, expires_at=datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    )
    with time_machine.travel(NOW, tick=False):
        page = as_manager_a.get(DAY, TUESDAY).content.decode()
        listing = as_manager_a.get(LIST).content.decode()
    assert "Awaiting payment until 08:30" in row_of(page, world.confirmed_a.reference)
    assert "Awaiting payment until 08:30" in listing


# Approve and reject from the lists ----------------------------------------------------------


def test_requests_offer_approve_and_reject_in_the_list_day_view_and_dashboard(as_manager_a, world):
    with time_machine.travel(NOW, tick=False):
        listing = as_manager_a.get(LIST).content.decode()
        day = as_manager_a.get(DAY, TUESDAY).content.decode()
        dashboard = as_manager_a.get(reverse("wagtailadmin_home")).content.decode()
    for page in (listing, day, dashboard):
        assert confirm(world.pending_a, "approve") in page and confirm(world.pending_a, "reject") in page
        assert confirm(world.confirmed_a, "approve") not in page  # nothing to answer
    assert "data-requests-panel" in dashboard and "1 request to answer" in dashboard


def test_approve_through_the_confirmation_page_and_back_to_the_list(as_manager_a, world):
    back = f"{LIST}?status=pending_approval"
    with time_machine.travel(NOW, tick=False):
        page = as_manager_a.get(confirm(world.pending_a, "approve"), {"next": back})
        assert page.status_code == 200
        html = page.content.decode()
        assert f'action="{reverse("booking_list:action", args=[world.pending_a.pk, "approve"])}"' in html
        assert f'value="{back}"' in html and "Salle du conseil" in html
        world.pending_a.refresh_from_db()
        assert world.pending_a.status == BookingStatus.PENDING_APPROVAL  # showing the page decides nothing

        response = as_manager_a.post(
            reverse("booking_list:action", args=[world.pending_a.pk, "approve"]), {"next": back}, follow=True
        )
    assert response.redirect_chain[-1][0] == back
    world.pending_a.refresh_from_db()
    assert world.pending_a.status == BookingStatus.CONFIRMED


def test_reject_page_asks_for_an_optional_reason(as_manager_a, world):
    with time_machine.travel(NOW, tick=False):
        html = as_manager_a.get(confirm(world.pending_a, "reject")).content.decode()
    assert 'name="reason"' in html and "Reject request" in html


def test_confirmation_page_is_scoped_and_knows_its_actions(client, world):
    client.force_login(world.manager_b)
    with time_machine.travel(NOW, tick=False):
        assert client.get(confirm(world.pending_a, "approve")).status_code == 404
        client.force_login(world.manager_a)
        assert client.get(confirm(world.pending_a, "check-in")).status_code == 404
        assert client.get(confirm(world.pending_a, "launch")).status_code == 404
        assert client.get(confirm(world.pending_a, "reject"), {"next": "https://evil.example/"}).status_code == 200


def test_a_request_past_its_start_is_not_approved_from_the_page(as_manager_a, world):
    with time_machine.travel(TUE_1030, tick=False):
        html = as_manager_a.get(confirm(world.pending_a, "approve")).content.decode()
    assert "Too late to approve" in html and 'data-booking-action="approve"' not in html


# Closures over requests and bookings -----------------------------------------------------------


def test_saving_a_closure_warns_about_the_bookings_on_its_days(as_manager_a, world):
    with time_machine.travel(NOW, tick=False):
        response = as_manager_a.post(
            reverse("booking_closures:add"),
            {"venue": world.a.pk, "first_day": "2026-03-03", "reason": "Dégât des eaux"},
            follow=True,
        )
    html = response.content.decode()
    assert "data-closure-clashes" in html
    assert "3 requests or bookings fall on this closure" in html
    for booking in (world.confirmed_a, world.pending_a, world.pooled_a):
        assert reverse("booking_list:detail", args=[booking.pk]) in html
        booking.refresh_from_db()
        assert booking.status in (BookingStatus.CONFIRMED, BookingStatus.PENDING_APPROVAL)  # nothing cancelled
    assert world.booking_b.reference not in html  # another venue's


def test_a_closure_elsewhere_says_nothing(as_manager_a, world):
    with time_machine.travel(NOW, tick=False):
        response = as_manager_a.post(
            reverse("booking_closures:add"), {"venue": world.a.pk, "first_day": "2026-03-04"}, follow=True
        )
    assert "data-closure-clashes" not in response.content.decode()


def test_bookings_on_a_closed_day_are_flagged_everywhere(as_manager_a, world):
    inventory.closure_create(venue=world.a, resource=world.council_a, first_day=date(2026, 3, 3), reason="Travaux")
    flag = "This day is closed (closure: Travaux)"
    with time_machine.travel(NOW, tick=False):
        listing = as_manager_a.get(LIST).content.decode()
        day = as_manager_a.get(DAY, TUESDAY).content.decode()
        detail = as_manager_a.get(reverse("booking_list:detail", args=[world.pending_a.pk])).content.decode()
        page = as_manager_a.get(confirm(world.pending_a, "approve")).content.decode()
        dashboard = as_manager_a.get(reverse("wagtailadmin_home")).content.decode()
        other = as_manager_a.get(reverse("booking_list:detail", args=[world.confirmed_a.pk])).content.decode()
    assert flag in row_of(day, world.pending_a.reference)
    assert flag not in row_of(day, world.confirmed_a.reference)  # another room, open that day
    assert listing.count(flag) == 1
    for html in (detail, page, dashboard):
        assert flag in html
    assert flag not in other


def test_a_yearly_closure_flags_the_booking_on_its_day(as_manager_a, world):
    inventory.closure_create(
        venue=world.a, first_day=date(2020, 3, 3), last_day=date(2020, 3, 3), yearly=True, reason="Fête locale"
    )
    with time_machine.travel(NOW, tick=False):
        day = as_manager_a.get(DAY, TUESDAY).content.decode()
    assert day.count("This day is closed (closure: Fête locale)") == 3


# Counts and order ------------------------------------------------------------------------------


def test_french_list_counts_bookings_in_french(as_manager_a, world):
    in_french(world.manager_a)
    with time_machine.travel(NOW, tick=False):
        html = as_manager_a.get(LIST).content.decode()
        dashboard = as_manager_a.get(reverse("wagtailadmin_home")).content.decode()
    assert "3 réservations" in html and "3 bookings" not in html
    assert "1 demande à traiter" in dashboard
    assert "Valider" in html and "Refuser" in html


def test_english_list_counts_one_booking_in_the_singular(as_manager_a, world):
    with time_machine.travel(NOW, tick=False):
        html = as_manager_a.get(LIST, {"status": "pending_approval"}).content.decode()
    assert "1 booking" in html and "1 bookings" not in html


def test_list_shows_today_and_coming_first_then_the_past_latest_first(as_manager_a, world):
    def book(day, hour):  # ``hour`` in Paris (UTC+1 in March)
        start = datetime(2026, 3, day, hour - 1, tzinfo=UTC)
        request = services.BookingRequest(world.room_a, start, start.replace(hour=hour))
        return services.booking_create(user=world.carol, request=request, now=NOW).reference

    monday, wednesday, thursday, friday = book(2, 14), book(4, 9), book(5, 9), book(6, 9)
    with time_machine.travel(datetime(2026, 3, 4, 10, 0, tzinfo=UTC), tick=False):  # Wednesday 11:00 in Paris
        html = as_manager_a.get(LIST).content.decode()
    tuesday = [world.pending_a.reference, world.confirmed_a.reference, world.pooled_a.reference]  # 10:00, 9:00, 9:00
    expected = [wednesday, thursday, friday, *tuesday, monday]
    assert sorted(expected, key=html.index) == expected
    with time_machine.travel(datetime(2026, 3, 4, 10, 0, tzinfo=UTC), tick=False):
        html = as_manager_a.get(LIST, {"ordering": "-start"}).content.decode()  # a column's order still applies
    newest_first = [friday, thursday, wednesday, world.pending_a.reference, monday]
    assert sorted(newest_first, key=html.index) == newest_first
