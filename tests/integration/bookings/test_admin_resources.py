"""Resources in the admin: the scoped list, create and edit with price, rules and own hours, clear
validation errors, and deletion refused once a resource has bookings."""

from datetime import time
from decimal import Decimal

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from bookings.models import Resource

pytestmark = pytest.mark.django_db


def resource_data(venue, **overrides):
    data = {
        "venue": venue.pk,
        "kind": "room",
        "name": "Salle Jacquard",
        "description": "Douze places, écran.",
        "capacity": 1,
        "seats": 12,
        "is_active": "on",
        "price": "12.50",
        "currency": "EUR",
        "pricing_unit": "hour",
        "booking_unit": "slots",
        "slot_minutes": 30,
        "min_minutes": 60,
        "max_minutes": 240,
        "lead_minutes": 0,
        "horizon_days": 90,
        "buffer_minutes": 15,
        "max_per_day": "",
        "max_per_week": 3,
        "free_cancel_hours": 24,
        "late_cancellation": "allowed",
        "late_refund_percent": 0,
        "hours": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def test_list_shows_the_managers_resources_with_price_and_links_to_venue_hours(as_manager_a, world):
    response = as_manager_a.get(reverse("booking_resources:index"))
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("Salle Lumière", "Open space", "Salle du conseil"):
        assert name in content
    assert "Salle Bleue" not in content
    assert "€15.00 per hour" in content

    form = as_manager_a.get(reverse("booking_resources:add")).content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[world.a.pk]) in form  # "Opening hours of Lieu Alpha"


def test_create_with_a_decimal_price_and_own_hours(as_manager_a, world):
    data = resource_data(
        world.a,
        hours=inline_formset(
            [
                {"weekday": 0, "opens": "08:00", "closes": "12:00"},
                {"weekday": 0, "opens": "14:00", "closes": "20:00"},
                {"weekday": 5, "opens": "18:00", "closes": "00:00"},  # until midnight
            ]
        ),
    )
    response = as_manager_a.post(reverse("booking_resources:add"), data)
    assert response.status_code == 302, response.context["form"].errors
    resource = Resource.objects.get(name="Salle Jacquard")
    assert resource.venue_id == world.a.pk
    assert resource.price_minor == 1250 and resource.currency == "EUR"
    assert (resource.buffer_minutes, resource.max_per_week, resource.max_per_day) == (15, 3, None)
    assert [(h.weekday, h.opens, h.closes) for h in resource.hours.all()] == [
        (0, time(8), time(12)),
        (0, time(14), time(20)),
        (5, time(18), time(0)),
    ]

    edit = as_manager_a.get(reverse("booking_resources:edit", args=[resource.pk]))
    assert edit.status_code == 200
    assert edit.context["form"]["price"].value() == pricing_value("12.50")


def pricing_value(text):
    return Decimal(text)


def test_price_in_a_currency_without_decimals(as_manager_a, world):
    response = as_manager_a.post(
        reverse("booking_resources:add"), resource_data(world.a, price="2500.50", currency="XOF")
    )
    assert response.status_code == 200
    assert "XOF has 0 decimals." in response.content.decode()
    response = as_manager_a.post(reverse("booking_resources:add"), resource_data(world.a, price="2500", currency="xof"))
    assert response.status_code == 302
    resource = Resource.objects.get(name="Salle Jacquard")
    assert (resource.price_minor, resource.currency) == (2500, "XOF")


def test_model_rules_are_shown_next_to_their_fields(as_manager_a, world):
    data = resource_data(
        world.a,
        capacity=3,
        min_minutes=45,
        max_minutes=30,
        hours=inline_formset([{"weekday": 1, "opens": "18:00", "closes": "09:00"}]),
    )
    response = as_manager_a.post(reverse("booking_resources:add"), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"capacity", "max_minutes", "min_minutes"}
    page = response.content.decode()
    for message in (
        "The resource could not be created due to errors.",
        "A named desk or a room is booked by one at a time: capacity must be 1.",
        "The longest booking must not be shorter than the shortest one.",
        "The shortest booking must be a whole number of slots.",
        "Closing time must be after opening time.",
    ):
        assert message in page
    assert not Resource.objects.filter(name="Salle Jacquard").exists()


def test_edit_deactivates_a_resource_and_keeps_it_at_its_venue(as_manager_a, world, django_user_model):
    room = world.room_a
    form = as_manager_a.get(reverse("booking_resources:edit", args=[room.pk])).context["form"]
    assert form.fields["venue"].disabled  # it has bookings
    data = resource_data(world.a, name="Salle Lumière", price="15", is_active="")
    del data["is_active"]
    response = as_manager_a.post(reverse("booking_resources:edit", args=[room.pk]), data)
    assert response.status_code == 302
    room.refresh_from_db()
    assert not room.is_active and room.price_minor == 1500 and room.venue_id == world.a.pk


def test_a_resource_with_bookings_cannot_be_deleted(as_manager_a, world):
    url = reverse("booking_resources:delete", args=[world.room_a.pk])
    page = as_manager_a.get(url).content.decode()
    assert "cannot be deleted" in page and "Yes, delete" not in page
    response = as_manager_a.post(url, follow=True)
    assert Resource.objects.filter(pk=world.room_a.pk).exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("cannot be deleted" in m for m in messages)


def test_a_resource_nobody_booked_is_deleted(as_manager_a, world):
    spare = Resource.objects.create(venue=world.a, name="Bureau 7", kind="desk")
    response = as_manager_a.post(reverse("booking_resources:delete", args=[spare.pk]))
    assert response.status_code == 302
    assert not Resource.objects.filter(pk=spare.pk).exists()


@pytest.mark.parametrize("view", ["history", "history_results", "usage"])
def test_history_and_usage_of_own_resource_only(as_manager_a, world, view):
    """They list log entries and references: a scoped queryset of resources in their place was a 500."""
    own = as_manager_a.get(reverse(f"booking_resources:{view}", args=[world.room_a.pk]))
    assert own.status_code == 200
    other = as_manager_a.get(reverse(f"booking_resources:{view}", args=[world.room_b.pk]))
    assert other.status_code == 404


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_history_filtered_at_year_1_or_9999_is_not_a_500(as_manager_a, world, day):
    """Wagtail's history filter gave SQLite an aware datetime it could not shift to UTC."""
    url = reverse("booking_resources:history", args=[world.room_a.pk])
    assert as_manager_a.get(url, {"timestamp_from": day, "timestamp_to": day}).status_code == 200
    assert as_manager_a.get(url, {"timestamp_from": "2026-01-01"}).status_code == 200
