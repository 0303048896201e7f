"""An editor who publishes a venue whose address cannot be found is told why, and the page is
published all the same."""

import pytest
import responses
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from venues.models import GeocodeStatus, TiersLieuPage

BAN_SEARCH = "https://api-adresse.data.gouv.fr/search"
BAN_EMPTY = {
    "type": "FeatureCollection",
    "version": "draft",
    "features": [],
    "attribution": "BAN",
    "licence": "ETALAB-2.0",
    "query": "1 impasse Introuvable, 99999 Nullepart",
    "limit": 1,
}


def venue_form(**overrides):
    data = {
        "title": "Le Lieu Introuvable",
        "slug": "le-lieu-introuvable",
        "summary": "",
        "body": streamfield([("paragraph", rich_text("<p>Bienvenue.</p>"))]),
        "gallery_images": inline_formset([]),
        "category": "coworking",
        "ecosystem": "",
        "operator": "",
        "street_address": "1 impasse Introuvable",
        "postcode": "99999",
        "city": "Nullepart",
        "region": "",
        "country": "FR",
        "timezone": "Europe/Paris",
        "latitude": "",
        "longitude": "",
        "opening_hours": inline_formset([{"weekday": "0", "opens": "09:00", "closes": "18:00"}]),
        "opening_hours_note": "",
        "accessibility": "",
        "email": "",
        "phone": "",
        "website": "",
        "seo_title": "",
        "search_description": "",
        "action-publish": "publish",
    }
    data.update(overrides)
    return nested_form_data(data)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # commits: the geocoding queued on commit runs
@responses.activate
def test_unfindable_address_publishes_and_warns_the_editor(client, site_tree, admin_user):
    responses.add(responses.GET, BAN_SEARCH, json=BAN_EMPTY)
    client.force_login(admin_user)
    url = f"/admin/pages/add/venues/tierslieupage/{site_tree.directory.pk}/"
    response = client.post(url, venue_form(), follow=True)
    assert response.status_code == 200
    venue = TiersLieuPage.objects.get(slug="le-lieu-introuvable", locale=site_tree.directory.locale)
    assert venue.live
    assert venue.geocode_status == GeocodeStatus.NOT_FOUND
    assert "Nullepart" in venue.geocode_message
    shown = [str(message) for message in response.context["messages"]]
    assert any("Nullepart" in message for message in shown), shown
    assert len(responses.calls) == 1


@pytest.mark.django_db
@responses.activate
def test_opening_hours_that_close_before_they_open_are_refused(client, site_tree, admin_user):
    client.force_login(admin_user)
    url = f"/admin/pages/add/venues/tierslieupage/{site_tree.directory.pk}/"
    data = venue_form(opening_hours=inline_formset([{"weekday": "0", "opens": "18:00", "closes": "09:00"}]))
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert not TiersLieuPage.objects.filter(slug="le-lieu-introuvable").exists()
    assert len(responses.calls) == 0
