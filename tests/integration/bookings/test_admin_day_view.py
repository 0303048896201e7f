"""The day view ("who is in today") and the dashboard panel: by resource, in the venue's time zone,
with one-click check-in and no-show."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from bookings import services
from bookings.models import BookingStatus
from tests.integration.bookings.test_admin_support import NOW

pytestmark = pytest.mark.django_db

DAY = reverse("booking_day:index")
TUE_0830 = datetime(2026, 3, 3, 7, 30, tzinfo=UTC)  # Tuesday 8:30 in Paris, half an hour before the first bookings


def test_today_is_the_venues_day_not_utcs(as_manager_a, world):
    # Monday 23:30 UTC is already Tuesday 0:30 in Paris: the view opens on Tuesday.
    with time_machine.travel(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), tick=False):
        response = as_manager_a.get(DAY)
    assert response.context["day"].isoformat() == "2026-03-03"
    assert response.context["venue"].pk == world.a.pk
    assert response.context["count"] == 3


def test_bookings_grouped_by_resource_with_one_click_check_in(as_manager_a, world):
    with time_machine.travel(TUE_0830, tick=False):
        response = as_manager_a.get(DAY)
        groups = {
            resource.name: [row["booking"].reference for row in rows] for resource, rows in response.context["groups"]
        }
        assert groups == {
            "Open space": [world.pooled_a.reference],
            "Salle Lumière": [world.confirmed_a.reference],
            "Salle du conseil": [world.pending_a.reference],
        }
        page = response.content.decode()
        assert "09:00–10:00" in page and "Alice Martin" in page and "Awaiting approval" in page
        check_in = reverse("booking_list:action", args=[world.confirmed_a.pk, "check-in"])
        assert check_in in page
        # A request awaiting approval has no check-in button; nobody is a no-show before the start.
        assert reverse("booking_list:action", args=[world.pending_a.pk, "check-in"]) not in page
        assert "no-show" not in page.split("Salle Lumière")[1].split("Salle du conseil")[0]

        response = as_manager_a.post(check_in, {"next": f"{DAY}?venue={world.a.pk}"}, follow=True)
    assert response.redirect_chain[-1][0] == f"{DAY}?venue={world.a.pk}"
    world.confirmed_a.refresh_from_db()
    assert world.confirmed_a.status == BookingStatus.CHECKED_IN
    assert response.context["checked_in"] == 1
    assert reverse("booking_list:action", args=[world.confirmed_a.pk, "check-in"]) not in response.content.decode()


def test_no_show_after_the_start_and_cancelled_bookings_leave_the_day(as_manager_a, world):
    with time_machine.travel(datetime(2026, 3, 3, 8, 20, tzinfo=UTC), tick=False):
        page = as_manager_a.get(DAY).content.decode()
        no_show = reverse("booking_list:action", args=[world.pooled_a.pk, "no-show"])
        assert no_show in page
        as_manager_a.post(no_show)
        services.booking_cancel(booking=world.confirmed_a, actor=world.alice, now=NOW)
        response = as_manager_a.get(DAY)
    rows = {row["booking"].reference: row for _resource, rows in response.context["groups"] for row in rows}
    assert world.confirmed_a.reference not in rows
    assert rows[world.pooled_a.reference]["booking"].status == BookingStatus.NO_SHOW
    assert rows[world.pooled_a.reference]["actions"] == ["check-in"]  # a late arrival is still possible


def test_other_days_and_the_date_picker(as_manager_a, world):
    with time_machine.travel(NOW, tick=False):
        monday = as_manager_a.get(DAY)
        assert monday.context["count"] == 0 and "No bookings." in monday.content.decode()
        assert f"?venue={world.a.pk}&amp;date=2026-03-03" in monday.content.decode()  # next day
        tuesday = as_manager_a.get(DAY, {"venue": world.a.pk, "date": "2026-03-03"})
        assert tuesday.context["count"] == 3 and not tuesday.context["is_today"]
        garbage = as_manager_a.get(DAY, {"venue": "x", "date": "31/02"})
    assert garbage.status_code == 400 and garbage.context["day"].isoformat() == "2026-03-02"


def test_dashboard_panel_counts_today_and_requests(as_manager_a, world, client, django_user_model):
    with time_machine.travel(TUE_0830, tick=False):
        response = as_manager_a.get(reverse("wagtailadmin_home"))
    page = response.content.decode()
    assert "Today at your venues" in page
    panel = page.split("data-today-panel")[1].split("</table>")[0]
    assert "Lieu Alpha" in panel and "Lieu Bravo" not in panel
    assert [cell.strip() for cell in _cells(panel)][-2:] == ["3", "1"]

    editor = django_user_model.objects.create_user("editor", "editor@example.org", None)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert "Today at your venues" not in client.get(reverse("wagtailadmin_home")).content.decode()


def _cells(html):
    return [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)]
