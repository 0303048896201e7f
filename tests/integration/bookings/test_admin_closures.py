"""Closures in the admin: a day, a range, every year; of the whole venue or of one of its resources."""

from datetime import date

import pytest
from django.urls import reverse

from bookings.inventory import closure_create
from bookings.models import Closure

pytestmark = pytest.mark.django_db


def test_one_day_closure_of_the_whole_venue(as_manager_a, world):
    form = as_manager_a.get(reverse("booking_closures:add"))
    assert form.context["form"].initial["venue"] == world.a.pk  # their only venue, chosen for them
    response = as_manager_a.post(
        reverse("booking_closures:add"), {"venue": world.a.pk, "first_day": "2026-05-01", "reason": "Fête du travail"}
    )
    assert response.status_code == 302
    closure = Closure.objects.get(reason="Fête du travail")
    assert (closure.venue_id, closure.resource_id) == (world.a.pk, None)
    assert closure.first_day == closure.last_day == date(2026, 5, 1)
    assert not closure.yearly


def test_yearly_range_for_one_resource(as_manager_a, world):
    response = as_manager_a.post(
        reverse("booking_closures:add"),
        {
            "venue": world.a.pk,
            "resource": world.room_a.pk,
            "first_day": "2026-12-24",
            "last_day": "2027-01-02",
            "yearly": "on",
            "reason": "Fêtes",
        },
    )
    assert response.status_code == 302
    closure = Closure.objects.get(reason="Fêtes")
    assert closure.resource_id == world.room_a.pk and closure.yearly
    listing = as_manager_a.get(reverse("booking_closures:index")).content.decode()
    assert "Fêtes" in listing and "Salle Lumière" in listing


def test_last_day_before_first_is_refused_with_a_reason(as_manager_a, world):
    response = as_manager_a.post(
        reverse("booking_closures:add"),
        {"venue": world.a.pk, "first_day": "2026-06-10", "last_day": "2026-06-01", "reason": "À l'envers"},
    )
    assert response.status_code == 200
    assert "The last day must not be before the first day." in response.content.decode()
    assert not Closure.objects.filter(reason="À l'envers").exists()


def test_edit_delete_and_the_list_is_scoped(as_manager_a, world):
    mine = closure_create(venue=world.a, first_day=date(2026, 8, 10), last_day=date(2026, 8, 21), reason="Été")
    theirs = closure_create(venue=world.b, first_day=date(2026, 8, 1), reason="Inventaire Bravo")
    listing = as_manager_a.get(reverse("booking_closures:index")).content.decode()
    assert "Été" in listing and "Inventaire Bravo" not in listing

    response = as_manager_a.post(
        reverse("booking_closures:edit", args=[mine.pk]),
        {"venue": world.a.pk, "first_day": "2026-08-10", "last_day": "2026-08-28", "reason": "Été"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.last_day == date(2026, 8, 28)

    page = as_manager_a.get(reverse("booking_closures:delete", args=[mine.pk])).content.decode()
    assert "referenced" not in page  # no misleading "used 0 times" summary
    assert as_manager_a.post(reverse("booking_closures:delete", args=[mine.pk])).status_code == 302
    assert not Closure.objects.filter(pk=mine.pk).exists()
    assert Closure.objects.filter(pk=theirs.pk).exists()


def test_closure_screens_link_to_the_venue_opening_hours(as_manager_a, world):
    page = as_manager_a.get(reverse("booking_closures:add")).content.decode()
    assert reverse("wagtailadmin_pages:edit", args=[world.a.pk]) in page
    assert "Opening hours of Lieu Alpha" in page
