"""Resources and closures created and edited in the admin are written by ``bookings.inventory``:
the service's checks apply, its refusal is shown on the form, and another venue's manager is refused."""

from datetime import date, time
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.test.utils.form_data import inline_formset

from bookings import inventory
from bookings.models import Closure, Resource
from core.errors import InvalidInput, PermissionDenied
from tests.integration.bookings.test_admin_resources import resource_data
from venues.services import venue_manager_assign

pytestmark = pytest.mark.django_db

REFUSED = "Only this venue's managers may do that."


def spy(monkeypatch, name: str) -> list:
    """Record each call of ``inventory.<name>`` (which still runs)."""
    calls, real = [], getattr(inventory, name)

    def recording(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(inventory, name, recording)
    return calls


def test_creating_and_editing_a_resource_call_the_services(as_manager_a, world, monkeypatch):
    created, updated = spy(monkeypatch, "resource_create"), spy(monkeypatch, "resource_update")
    hours = inline_formset([{"weekday": 2, "opens": "09:00", "closes": "13:00"}])
    response = as_manager_a.post(reverse("booking_resources:add"), resource_data(world.a, hours=hours))
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get(name="Salle Jacquard")
    assert [call["actor"] for call in created] == [world.manager_a]
    assert created[0]["hours"] == [(2, time(9), time(13))]

    data = resource_data(world.a, name="Salle Jacquard", price="20", hours=inline_formset([]))
    response = as_manager_a.post(reverse("booking_resources:edit", args=[resource.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    assert [(call["resource"].pk, call["actor"]) for call in updated] == [(resource.pk, world.manager_a)]
    resource.refresh_from_db()
    assert resource.price_minor == 2000 and not resource.hours.exists()


def test_creating_and_editing_a_closure_call_the_services(as_manager_a, world, monkeypatch):
    created, updated = spy(monkeypatch, "closure_create"), spy(monkeypatch, "closure_update")
    data = {"venue": world.a.pk, "first_day": "2026-05-01", "reason": "Fête du travail"}
    assert as_manager_a.post(reverse("booking_closures:add"), data).status_code == 302
    closure = Closure.objects.get(reason="Fête du travail")
    assert [call["actor"] for call in created] == [world.manager_a]

    data |= {"last_day": "2026-05-02"}
    assert as_manager_a.post(reverse("booking_closures:edit", args=[closure.pk]), data).status_code == 302
    assert [call["closure"].pk for call in updated] == [closure.pk]
    closure.refresh_from_db()
    assert closure.last_day == date(2026, 5, 2)


def test_a_refused_edit_shows_the_services_message_and_changes_nothing(as_manager_a, world, monkeypatch):
    # The manager lost the venue while the form was open: the form still offered it, the service refuses.
    monkeypatch.setattr(inventory, "user_manages_venue", lambda user, venue_id: False)
    data = resource_data(world.a, name="Salle renommée", price="15")
    response = as_manager_a.post(reverse("booking_resources:edit", args=[world.room_a.pk]), data)
    assert response.status_code == 200
    assert REFUSED in unescape(response.content.decode())
    world.room_a.refresh_from_db()
    assert world.room_a.name == "Salle Lumière"

    response = as_manager_a.post(reverse("booking_closures:add"), {"venue": world.a.pk, "first_day": "2026-05-01"})
    assert response.status_code == 200
    assert REFUSED in unescape(response.content.decode())
    assert not Closure.objects.filter(venue=world.a).exists()


def test_another_venues_manager_is_refused(client, world):
    stranger = world.manager_b
    closure = inventory.closure_create(venue=world.a, first_day=date(2026, 5, 1))
    refused = [
        lambda: inventory.resource_create(venue=world.a, actor=stranger, name="Intrus", kind="desk"),
        lambda: inventory.resource_update(resource=world.room_a, actor=stranger, name="Intrus"),
        lambda: inventory.resource_update(resource=world.room_b, actor=stranger, venue=world.a),  # not theirs
        lambda: inventory.resource_delete(resource=world.room_a, actor=stranger),
        lambda: inventory.closure_create(venue=world.a, actor=stranger, first_day=date(2026, 5, 8)),
        lambda: inventory.closure_update(closure=closure, actor=stranger, reason="Intrus"),
    ]
    for attempt in refused:
        with pytest.raises(PermissionDenied):
            attempt()
    world.room_a.refresh_from_db()
    closure.refresh_from_db()
    assert (world.room_a.name, closure.reason) == ("Salle Lumière", "")
    assert not Resource.objects.filter(name="Intrus").exists()

    client.force_login(stranger)
    assert client.get(reverse("booking_resources:edit", args=[world.room_a.pk])).status_code == 404
    response = client.post(reverse("booking_closures:add"), {"venue": world.a.pk, "first_day": "2026-05-08"})
    assert response.status_code == 200 and "venue" in response.context["form"].errors


def test_a_booked_resource_stays_at_its_venue_and_a_closure_at_its_resources(world):
    venue_manager_assign(venue=world.b, user=world.manager_a)  # now manages both
    with translation.override("en"):
        with pytest.raises(InvalidInput, match="A resource that has bookings stays at its venue."):
            inventory.resource_update(resource=world.room_a, actor=world.manager_a, venue=world.b)
        with pytest.raises(InvalidInput, match="This resource belongs to another venue."):
            inventory.closure_create(venue=world.b, resource=world.room_a, first_day=date(2026, 5, 1))
    world.room_a.refresh_from_db()
    assert world.room_a.venue_id == world.a.pk
