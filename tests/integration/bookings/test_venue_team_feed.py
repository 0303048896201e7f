"""``/feeds/venues/team/<secret>.ics``: a venue's bookings for its team (who booked what), behind a
renewable secret; and the admin's "Team calendar" page where the team finds it."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from bookings import remote, services
from bookings.models import Booking, VenueFeed
from core.roles import NETWORK_ADMINS
from tests.integration.bookings.test_admin_support import NOW, TUE_9, TUE_10, TUE_11, TUE_12
from venues.models import VenuePage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clock_and_node(settings):
    settings.ESSAIM_NODE_URL = "https://essaim.example"
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def feed(world):
    return services.venue_feed_ensure(venue=world.a, actor=world.manager_a)


def url(feed) -> str:
    return reverse("feeds:venue-team", kwargs={"secret": feed.secret}) + "?lang=en"


def events(response) -> dict[str, object]:
    """The calendar's events by their booking reference (``team-<reference>@host``)."""
    assert response.status_code == 200, response.content[:300]
    found = {}
    for event in Calendar.from_ical(response.content).walk("VEVENT"):
        uid = str(event["UID"])
        assert uid.startswith("team-") and uid.endswith("@essaim.example")
        found[uid[len("team-") : -len("@essaim.example")]] = event
    return found


def page_url(venue) -> str:
    return reverse("booking_team_feed:venue", kwargs={"pk": venue.pk})


def test_names_status_quantity_and_a_link_to_the_admin(client, world, feed):
    response = client.get(url(feed))
    found = events(response)
    assert set(found) == {world.confirmed_a.reference, world.pending_a.reference, world.pooled_a.reference}
    confirmed = found[world.confirmed_a.reference]
    assert str(confirmed["SUMMARY"]) == "Salle Lumière — Alice Martin"
    assert str(confirmed["STATUS"]) == "CONFIRMED"
    description = str(confirmed["DESCRIPTION"])
    assert "Booked by: Alice Martin <alice@example.org>" in description and "Status: Confirmed" in description
    admin_link = "https://essaim.example" + reverse("booking_list:detail", args=[world.confirmed_a.pk])
    assert str(confirmed["URL"]) == admin_link and admin_link in description
    assert confirmed.decoded("DTSTART") == TUE_9 and confirmed.decoded("DTEND") == TUE_10
    assert confirmed["DTSTART"].params["TZID"] == world.a.timezone
    pending = found[world.pending_a.reference]
    assert str(pending["STATUS"]) == "TENTATIVE" and "Awaiting approval" in str(pending["DESCRIPTION"])
    pooled = found[world.pooled_a.reference]
    assert str(pooled["SUMMARY"]) == "2 × Open space — Carol Dupont" and "Quantity: 2" in str(pooled["DESCRIPTION"])
    assert world.booking_b.reference not in response.content.decode()  # another venue's
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow" and response["Referrer-Policy"] == "no-referrer"
    assert "Access-Control-Allow-Origin" not in response


def test_french_by_default(client, world, feed):
    found = events(client.get(reverse("feeds:venue-team", kwargs={"secret": feed.secret})))
    assert "Réservé par : Alice Martin" in str(found[world.confirmed_a.reference]["DESCRIPTION"])


def test_cancelled_leave_holds_are_tentative_and_expire(client, world, feed):
    services.booking_cancel(booking=world.confirmed_a, actor=world.alice, now=NOW)
    hold = services.booking_create(
        user=world.carol, request=services.BookingRequest(world.room_a, TUE_11, TUE_12), hold=True, now=NOW
    )
    found = events(client.get(url(feed)))
    assert world.confirmed_a.reference not in found
    assert str(found[hold.reference]["STATUS"]) == "TENTATIVE"
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):  # the hold ran out
        assert hold.reference not in events(client.get(url(feed)))
    services.booking_reject(booking=world.pending_a, actor=world.manager_a, reason="Complet", now=NOW)
    assert world.pending_a.reference not in events(client.get(url(feed)))


def test_window_runs_from_30_days_back_to_the_longest_horizon(client, world, feed):
    with time_machine.travel(NOW + timedelta(days=40), tick=False):
        assert events(client.get(url(feed))) == {}
    with time_machine.travel(NOW + timedelta(days=29), tick=False):
        assert len(events(client.get(url(feed)))) == 3
    far = NOW + timedelta(days=300)
    Booking.objects.filter(pk=world.confirmed_a.pk).update(
        start=far, end=far + timedelta(hours=1), blocked_until=far + timedelta(hours=1)
    )
    assert world.confirmed_a.reference in events(client.get(url(feed)))  # the horizon is 365 days


def test_a_person_from_another_node_is_shown_as_the_admin_shows_them(client, world, feed, monkeypatch):
    monkeypatch.setitem(
        remote._hooks, "booker_label", lambda user: "Carol Dupont, via Nœud B" if user.pk == world.carol.pk else None
    )
    pooled = events(client.get(url(feed)))[world.pooled_a.reference]
    assert str(pooled["SUMMARY"]) == "2 × Open space — Carol Dupont, via Nœud B"
    assert "Booked by: Carol Dupont, via Nœud B" in str(pooled["DESCRIPTION"])


def test_renewal_cuts_off_the_old_address(client, world, feed):
    old = url(feed)
    assert client.get(old).status_code == 200
    renewed = services.venue_feed_regenerate(venue=world.a, actor=world.manager_a)
    assert renewed.pk == feed.pk and renewed.secret != feed.secret
    assert client.get(old).status_code == 404
    assert client.get(url(renewed)).status_code == 200
    assert client.get(reverse("feeds:venue-team", kwargs={"secret": "x" * 32})).status_code == 404
    assert client.get(reverse("feeds:venue-team", kwargs={"secret": "x" * 65})).status_code == 404


def test_only_the_venues_managers_get_its_feed(world, django_user_model):
    with pytest.raises(PermissionDenied):
        services.venue_feed_ensure(venue=world.a, actor=world.manager_b)
    with pytest.raises(PermissionDenied):
        services.venue_feed_regenerate(venue=world.a, actor=world.alice)
    assert not VenueFeed.objects.filter(venue=world.a).exists()
    admin = django_user_model.objects.create_user("network", "n@example.org", None)
    admin.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    assert services.venue_feed_ensure(venue=world.a, actor=admin).venue_id == world.a.pk


def test_conditional_get(client, world, feed):
    # The module's world was made on the real clock, perhaps after ``NOW``: before it, here.
    before = NOW - timedelta(days=1)
    VenuePage.objects.filter(pk=world.a.pk).update(last_published_at=before, latest_revision_created_at=before)
    Booking.objects.update(updated_at=before)
    first = client.get(url(feed))
    assert client.get(url(feed), headers={"if-none-match": first["ETag"]}).status_code == 304
    assert client.get(url(feed), headers={"if-modified-since": first["Last-Modified"]}).status_code == 304
    later = NOW + timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        services.booking_cancel(booking=world.confirmed_a, actor=world.alice, now=later)
        assert client.get(url(feed), headers={"if-none-match": first["ETag"]}).status_code == 200
        assert client.get(url(feed), headers={"if-modified-since": first["Last-Modified"]}).status_code == 200


def test_queries_do_not_grow_with_bookings(client, world, feed, django_user_model, django_assert_max_num_queries):
    client.get(url(feed))
    for day in range(1, 9):
        person = django_user_model.objects.create_user(f"p{day}", f"p{day}@example.org", None, first_name="P")
        start = TUE_9 + timedelta(days=7 * day)
        services.booking_create(
            user=person, request=services.BookingRequest(world.room_a, start, start + timedelta(hours=1)), now=NOW
        )
    with django_assert_max_num_queries(5):
        assert len(events(client.get(url(feed)))) == 11


# The admin page ------------------------------------------------------------------------------


def test_the_page_shows_the_address_how_to_subscribe_and_the_resources_feeds(client, world):
    client.force_login(world.manager_a)
    assert client.get(reverse("booking_team_feed:index")).url == page_url(world.a)
    response = client.get(page_url(world.a))
    assert response.status_code == 200
    html = response.content.decode()
    feed = VenueFeed.objects.get(venue=world.a)
    assert f'value="https://essaim.example/feeds/venues/team/{feed.secret}.ics"' in html
    assert f'href="webcal://essaim.example/feeds/venues/team/{feed.secret}.ics"' in html
    for words in ("From URL", "Subscribe from web", "Nextcloud", "Anyone with this address", "Renew the address"):
        assert words in html
    for resource in (world.room_a, world.pool_a, world.council_a):
        assert f"https://essaim.example/feeds/resources/{resource.pk}.ics" in html
        assert f"https://essaim.example/feeds/resources/{resource.pk}/freebusy.ics" in html
    assert f"/feeds/resources/{world.room_b.pk}.ics" not in html
    assert client.get(page_url(world.a)).content.decode().count(feed.secret) >= 2  # the same address on a visit


def test_renewing_from_the_page(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.manager_a)
    page = client.get(page_url(world.a))
    old = VenueFeed.objects.get(venue=world.a).secret
    renew = reverse("booking_team_feed:renew", kwargs={"pk": world.a.pk})
    assert client.post(renew, {"confirm": "yes"}).status_code == 403  # no CSRF token
    token = page.cookies["csrftoken"].value
    assert client.get(renew).status_code == 405
    client.post(renew, {"csrfmiddlewaretoken": token})  # not confirmed: nothing changes
    assert VenueFeed.objects.get(venue=world.a).secret == old
    response = client.post(renew, {"csrfmiddlewaretoken": token, "confirm": "yes"})
    assert response.status_code == 302 and response.url == page_url(world.a)
    new = VenueFeed.objects.get(venue=world.a).secret
    assert new != old
    assert client.get(reverse("feeds:venue-team", kwargs={"secret": old})).status_code == 404
    assert new in client.get(page_url(world.a)).content.decode()


def test_another_venues_page_is_a_404_and_others_are_refused(client, world):
    client.force_login(world.manager_b)
    assert client.get(page_url(world.a)).status_code == 404
    renew = reverse("booking_team_feed:renew", kwargs={"pk": world.a.pk})
    assert client.post(renew, {"confirm": "yes"}).status_code == 404
    assert not VenueFeed.objects.filter(venue=world.a).exists()
    assert client.get(page_url(world.b)).status_code == 200
    client.force_login(world.alice)  # manages nothing
    assert client.get(page_url(world.a)).status_code in (302, 403)
    assert client.get(reverse("booking_team_feed:index")).status_code in (302, 403)
    assert not VenueFeed.objects.filter(venue=world.a).exists()


def test_network_admins_see_every_venue(client, world, django_user_model):
    admin = django_user_model.objects.create_user("network", "n@example.org", None)
    admin.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    client.force_login(admin)
    for venue in (world.a, world.b):
        assert client.get(page_url(venue)).status_code == 200
