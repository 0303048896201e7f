"""``venues.services``: creating venues and their teams."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission

from venues.models import GeocodeStatus, VenuePage, VenueTeam
from venues.services import venue_team_ensure, venue_translate

pytestmark = pytest.mark.django_db


def test_created_venue_is_live_with_relations_and_a_team(make_venue):
    venue = make_venue(
        title="La Ruche",
        amenities=["wifi", "kitchen"],
        labels=["ecosysteme_champion"],
        opening_hours=[(0, dt.time(9), dt.time(12)), (0, dt.time(14), dt.time(18))],
    )
    page = VenuePage.objects.get(pk=venue.pk)
    assert page.live and not page.has_unpublished_changes
    assert sorted(page.amenities.values_list("code", flat=True)) == ["kitchen", "wifi"]
    assert list(page.labels.values_list("code", flat=True)) == ["ecosysteme_champion"]
    assert [(h.weekday, h.opens, h.closes) for h in page.opening_hours.all()] == [
        (0, dt.time(9), dt.time(12)),
        (0, dt.time(14), dt.time(18)),
    ]
    assert page.geocode_status == GeocodeStatus.FOUND  # it came with coordinates
    team = VenueTeam.objects.get(translation_key=venue.translation_key)
    assert team.group.name.startswith("Venue team: La Ruche [")
    perms = set(GroupPagePermission.objects.filter(group=team.group).values_list("page_id", "permission__codename"))
    assert perms == {(venue.pk, "add_page"), (venue.pk, "change_page"), (venue.pk, "publish_page")}


def test_coordinates_set_by_hand_are_marked_manual(make_venue):
    venue = make_venue(coordinates_set_by_hand=True)
    assert VenuePage.objects.get(pk=venue.pk).geocode_status == GeocodeStatus.MANUAL


def test_team_ensure_is_idempotent(make_venue):
    venue = make_venue(title="Idem")
    groups_before = Group.objects.count()
    first = venue_team_ensure(venue=venue)
    second = venue_team_ensure(venue=venue)
    assert first.pk == second.pk
    assert Group.objects.count() == groups_before
    assert GroupPagePermission.objects.filter(group=first.group).count() == 3


def test_team_covers_translations(make_venue):
    venue = make_venue(title="Traduite")
    translation = venue_translate(venue=venue, language="en", slug="translated", title="Translated")
    team = VenueTeam.objects.get(translation_key=venue.translation_key)
    pages = set(GroupPagePermission.objects.filter(group=team.group).values_list("page_id", flat=True))
    assert pages == {venue.pk, translation.pk}


def test_string_opening_hours_are_either_refused_or_kept(make_venue):
    try:
        venue = make_venue(
            title="Horaires texte",
            amenities=["wifi"],
            labels=["ecosysteme_champion"],
            opening_hours=[(0, "09:00", "12:00")],
        )
    except (TypeError, ValueError):
        return  # refusing the input loudly is fine too
    page = VenuePage.objects.get(pk=venue.pk)
    assert list(page.amenities.values_list("code", flat=True)) == ["wifi"]
    assert list(page.labels.values_list("code", flat=True)) == ["ecosysteme_champion"]
    assert page.opening_hours.count() == 1
