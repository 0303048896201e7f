"""Lookups through a relation with a number beyond 64 bits match nothing (``core.lookups``)."""

import pytest

from bookings.models import Resource
from venues.models import VenuePage
from venues.services import venue_manager_assign

HUGE = 99999999999999999999


@pytest.mark.django_db
def test_a_page_subclass_by_an_id_beyond_64_bits_is_not_found(make_venue):
    venue = make_venue()
    assert not VenuePage.objects.filter(pk=HUGE).exists()
    assert not VenuePage.objects.filter(pk=-HUGE).exists()
    assert [page.pk for page in VenuePage.objects.filter(pk__in=[HUGE, venue.pk])] == [venue.pk]
    assert not VenuePage.objects.filter(pk__in=[HUGE]).exists()
    assert not Resource.objects.filter(venue=HUGE).exists()


@pytest.mark.django_db
def test_the_closure_form_with_a_venue_id_beyond_64_bits_is_refused(client, make_venue, make_user):
    """What the admin's closure form does with a posted venue: it was an OverflowError (500)."""
    venue = make_venue()
    manager = make_user("closure-manager")
    venue_manager_assign(venue=venue, user=manager)
    client.force_login(manager)
    response = client.post("/admin/bookings/closures/new/", {"venue": str(HUGE), "first_day": "2030-01-01"})
    assert response.status_code == 200  # the form again, with its error
    assert b"Select a valid choice" in response.content or b"choix valide" in response.content.lower()
