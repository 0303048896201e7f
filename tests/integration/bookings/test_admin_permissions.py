"""A manager of venue B never sees or changes anything of venue A: not in lists, choices or CSV rows,
not by typing an id in the URL (404), not through a form's venue or resource choice."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from bookings.inventory import closure_create
from bookings.models import Booking, BookingStatus, Closure, Resource
from core.roles import NETWORK_ADMINS

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_manager_b(client, world):
    client.force_login(world.manager_b)
    return client


def test_another_venues_resource_is_a_404_everywhere(as_manager_b, world):
    pk = world.room_a.pk
    for name in ("edit", "delete", "history", "usage"):
        url = reverse(f"booking_resources:{name}", args=[pk])
        assert as_manager_b.get(url).status_code == 404, name
    response = as_manager_b.post(reverse("booking_resources:edit", args=[pk]), {"name": "Pris", "venue": world.b.pk})
    assert response.status_code == 404
    assert as_manager_b.post(reverse("booking_resources:delete", args=[pk])).status_code == 404
    world.room_a.refresh_from_db()
    assert world.room_a.name == "Salle Lumière"


def test_another_venues_closure_is_a_404(as_manager_b, world):
    closure = closure_create(venue=world.a, first_day=world.confirmed_a.start.date(), reason="Inventaire")
    for name in ("edit", "delete", "history"):
        assert as_manager_b.get(reverse(f"booking_closures:{name}", args=[closure.pk])).status_code == 404
    assert as_manager_b.post(reverse("booking_closures:delete", args=[closure.pk])).status_code == 404
    assert Closure.objects.filter(pk=closure.pk).exists()


def test_another_venues_booking_and_its_actions_are_a_404(as_manager_b, world):
    booking = world.confirmed_a
    assert as_manager_b.get(reverse("booking_list:detail", args=[booking.pk])).status_code == 404
    for action in ("check-in", "no-show", "cancel", "approve", "reject"):
        response = as_manager_b.post(
            reverse("booking_list:action", args=[booking.pk, action]), {"reason": "Je ne suis pas le gérant"}
        )
        assert response.status_code == 404, action
    pending = world.pending_a
    assert as_manager_b.post(reverse("booking_list:action", args=[pending.pk, "approve"])).status_code == 404
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    assert Booking.objects.get(pk=pending.pk).status == BookingStatus.PENDING_APPROVAL


def test_lists_choices_and_csv_hold_only_their_own_venue(as_manager_b, world):
    resources = as_manager_b.get(reverse("booking_resources:index")).content.decode()
    assert "Salle Bleue" in resources
    assert "Salle Lumière" not in resources and "Lieu Alpha" not in resources

    bookings = as_manager_b.get(reverse("booking_list:index")).content.decode()
    assert world.booking_b.reference in bookings
    assert world.confirmed_a.reference not in bookings and "Lieu Alpha" not in bookings

    csv = as_manager_b.get(reverse("booking_list:index") + "?export=csv")
    rows = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and world.booking_b.reference in rows[1]

    for url in (reverse("booking_resources:add"), reverse("booking_closures:add")):
        form = as_manager_b.get(url).content.decode()
        assert "Lieu Bravo" in form
        assert "Lieu Alpha" not in form and "Salle Lumière" not in form, url

    # Filters offer only their venue and resources, and a forged choice is ignored as invalid.
    listing = as_manager_b.get(reverse("booking_list:index"), {"resource": world.room_a.pk}).content.decode()
    assert "Salle Lumière" not in listing and world.confirmed_a.reference not in listing

    day = as_manager_b.get(reverse("booking_day:index"), {"venue": world.a.pk}).content.decode()
    assert "Lieu Bravo" in day and "Salle Lumière" not in day and "Alice Martin" not in day.split("Salle Bleue")[0]
    report = as_manager_b.get(reverse("booking_occupancy:index"), {"venue": world.a.pk}).content.decode()
    assert "Salle Lumière" not in report


def test_a_forged_venue_or_resource_in_a_form_is_refused(as_manager_b, world):
    response = as_manager_b.post(
        reverse("booking_resources:add"),
        {"venue": world.a.pk, "kind": "room", "name": "Intruse", "capacity": 1, "price": "0", "currency": "EUR"},
    )
    assert response.status_code == 200
    assert not Resource.objects.filter(name="Intruse").exists()
    assert "venue" in response.context["form"].errors

    response = as_manager_b.post(
        reverse("booking_closures:add"),
        {"venue": world.b.pk, "resource": world.room_a.pk, "first_day": "2026-05-01", "reason": "Forgé"},
    )
    assert response.status_code == 200
    assert "resource" in response.context["form"].errors
    assert not Closure.objects.filter(reason="Forgé").exists()


def test_people_who_manage_no_venue_get_nothing(client, world, django_user_model):
    editor = django_user_model.objects.create_user("editor", "e@example.org", None)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    # Even global model permissions open nothing: venues decide, not Django's model permissions.
    editor.user_permissions.add(*Permission.objects.filter(content_type__app_label="bookings"))
    client.force_login(editor)
    for url in (
        reverse("booking_resources:index"),
        reverse("booking_resources:add"),
        reverse("booking_list:index"),
        reverse("booking_day:index"),
        reverse("booking_occupancy:index"),
    ):
        assert client.get(url).status_code in (302, 403), url
    assert client.get(reverse("booking_resources:edit", args=[world.room_a.pk])).status_code in (302, 403, 404)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("booking_list:index") not in home


def test_managers_see_the_bookings_menu_and_network_admins_see_every_venue(client, world, django_user_model):
    client.force_login(world.manager_a)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("booking_list:index") in home and reverse("booking_resources:index") in home

    admin = django_user_model.objects.create_user("network", "n@example.org", None)
    admin.groups.add(Group.objects.get(name=NETWORK_ADMINS))
    client.force_login(admin)
    listing = client.get(reverse("booking_list:index")).content.decode()
    assert world.confirmed_a.reference in listing and world.booking_b.reference in listing
    assert client.get(reverse("booking_resources:edit", args=[world.room_a.pk])).status_code == 200
