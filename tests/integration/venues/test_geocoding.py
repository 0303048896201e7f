"""Geocoding after a publish: BAN for French addresses, Nominatim elsewhere, never blocking a save.

The task is queued with ``transaction.on_commit``; ``django_capture_on_commit_callbacks(execute=True)``
runs it (Celery is eager in tests) as a real commit would.
"""

import pytest
import requests
from django.utils.translation import gettext

from tests.integration.support import BAN_URL, NOMINATIM_URL, ban_feature, nominatim_place
from venues import geocoding
from venues.models import GeocodeStatus, VenuePage
from venues.services import venue_translate

pytestmark = pytest.mark.django_db

TANNEURS = "12 rue des Tanneurs, 69001 Lyon"


def _reload(venue):
    return VenuePage.objects.get(pk=venue.pk)


def _publish_new(make_venue, capture, **fields):
    defaults = {"latitude": None, "longitude": None, "street_address": "12 rue des Tanneurs", "postcode": "69001"}
    with capture(execute=True):
        venue = make_venue(**(defaults | fields))
    return venue


def test_french_address_is_geocoded_with_ban_after_publishing(make_venue, geocoder, django_capture_on_commit_callbacks):
    geocoder.ban(TANNEURS, ban_feature(45.7676, 4.8344, "12 Rue des Tanneurs 69001 Lyon"))

    venue = _publish_new(make_venue, django_capture_on_commit_callbacks, title="La Ruche des Pentes")

    assert geocoder.queries_to(BAN_URL) == [TANNEURS]
    assert geocoder.calls_to(NOMINATIM_URL) == []
    page = _reload(venue)
    assert page.live
    assert (page.latitude, page.longitude) == (45.7676, 4.8344)  # [lng, lat] read the right way round
    assert page.geocode_status == GeocodeStatus.FOUND
    assert page.geocode_message == ""
    assert page.geocoded_address == "12 rue des Tanneurs | 69001 | Lyon | FR"
    revision = page.get_latest_revision()
    assert revision.content["latitude"] == 45.7676
    assert revision.content["longitude"] == 4.8344
    assert revision.content["geocode_status"] == "found"
    # The next edit starts from the geocoded position, not from the empty one.
    assert revision.as_object().latitude == 45.7676


def test_geocoding_waits_for_the_commit_and_the_page_is_pending_meanwhile(
    make_venue, geocoder, django_capture_on_commit_callbacks
):
    geocoder.ban(TANNEURS, ban_feature(45.7676, 4.8344, "12 Rue des Tanneurs 69001 Lyon"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        venue = make_venue(latitude=None, longitude=None, street_address="12 rue des Tanneurs", postcode="69001")
        # Saved and live before the geocoder is asked anything.
        assert geocoder.calls == []
        assert _reload(venue).live
        assert _reload(venue).geocode_status == GeocodeStatus.PENDING
    assert callbacks, "geocoding must be queued on commit"
    assert _reload(venue).geocode_status == GeocodeStatus.FOUND


def test_venue_with_coordinates_is_not_geocoded(make_venue, geocoder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        venue = make_venue(street_address="1 place Bellecour", postcode="69002")
    assert geocoder.calls == []
    page = _reload(venue)
    assert page.geocode_status == GeocodeStatus.FOUND
    assert (page.latitude, page.longitude) == (45.76, 4.83)


def test_venue_abroad_is_geocoded_with_nominatim(make_venue, geocoder, django_capture_on_commit_callbacks):
    query = "Route de Ngor, Dakar, SN"
    geocoder.nominatim(query, nominatim_place(14.7453, -17.5133, "Route de Ngor, Ngor, Dakar, Sénégal"))

    venue = _publish_new(
        make_venue,
        django_capture_on_commit_callbacks,
        kind="social_business_center",
        street_address="Route de Ngor",
        postcode="",
        city="Dakar",
        country="SN",
        timezone="Africa/Dakar",
    )

    assert geocoder.calls_to(BAN_URL) == []
    assert geocoder.queries_to(NOMINATIM_URL) == [query]
    page = _reload(venue)
    assert (page.latitude, page.longitude) == (14.7453, -17.5133)
    assert page.geocode_status == GeocodeStatus.FOUND
    assert page.get_latest_revision().content["latitude"] == 14.7453


def test_address_not_found_still_saves_and_publishes(make_venue, geocoder, django_capture_on_commit_callbacks):
    query = "3 impasse Inconnue, 69001 Lyon"
    geocoder.ban(query)  # an empty FeatureCollection

    venue = _publish_new(make_venue, django_capture_on_commit_callbacks, street_address="3 impasse Inconnue")

    assert geocoder.queries_to(BAN_URL) == [query]
    page = _reload(venue)
    assert page.live
    assert page.latitude is None and page.longitude is None
    assert page.geocode_status == GeocodeStatus.NOT_FOUND
    # The message is in the node's language; it names the address that was not found.
    assert page.geocode_message == gettext("The geocoder found no place for “%(query)s”.") % {"query": query}
    assert page.get_latest_revision().content["geocode_status"] == "not_found"


def test_geocoder_network_error_marks_failed_and_keeps_the_page(
    make_venue, geocoder, django_capture_on_commit_callbacks
):
    geocoder.ban_error(requests.ConnectionError("Connection refused"))

    venue = _publish_new(make_venue, django_capture_on_commit_callbacks)

    assert len(geocoder.calls_to(BAN_URL)) == 1
    page = _reload(venue)
    assert page.live
    assert page.latitude is None
    assert page.geocode_status == GeocodeStatus.FAILED
    assert page.geocode_message == gettext("The geocoder could not be reached (%(error)s).") % {
        "error": "Connection refused"
    }
    assert len(page.geocode_message) <= 255


def test_geocoder_http_error_marks_failed(make_venue, geocoder, django_capture_on_commit_callbacks):
    geocoder.ban_status(503)
    venue = _publish_new(make_venue, django_capture_on_commit_callbacks)
    assert len(geocoder.calls_to(BAN_URL)) == 1
    assert _reload(venue).geocode_status == GeocodeStatus.FAILED
    assert _reload(venue).live


def test_coordinates_set_by_hand_never_call_the_geocoder(make_venue, geocoder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        venue = make_venue(latitude=45.1, longitude=5.7, coordinates_set_by_hand=True, street_address="Nowhere")
        page = _reload(venue).specific
        page.street_address = "A completely different street"
        page.save_revision().publish()
    assert geocoder.calls == []
    page = _reload(venue)
    assert page.geocode_status == GeocodeStatus.MANUAL
    assert (page.latitude, page.longitude) == (45.1, 5.7)


def test_changing_the_address_geocodes_again_and_an_unchanged_one_does_not(
    make_venue, geocoder, django_capture_on_commit_callbacks
):
    geocoder.ban(TANNEURS, ban_feature(45.7676, 4.8344, "12 Rue des Tanneurs 69001 Lyon"))
    new_query = "5 place Bellecour, 69002 Lyon"
    geocoder.ban(new_query, ban_feature(45.7578, 4.8320, "5 Place Bellecour 69002 Lyon", postcode="69002"))
    venue = _publish_new(make_venue, django_capture_on_commit_callbacks)
    assert len(geocoder.calls) == 1

    # A text edit with the same address: no new request.
    with django_capture_on_commit_callbacks(execute=True):
        page = _reload(venue).get_latest_revision_as_object()
        page.summary = "Un nouveau résumé"
        page.save_revision().publish()
    assert len(geocoder.calls) == 1

    with django_capture_on_commit_callbacks(execute=True):
        page = _reload(venue).get_latest_revision_as_object()
        page.street_address, page.postcode = "5 place Bellecour", "69002"
        page.save_revision().publish()
    assert geocoder.queries_to(BAN_URL) == [TANNEURS, new_query]
    page = _reload(venue)
    assert (page.latitude, page.longitude) == (45.7578, 4.8320)
    assert page.summary == "Un nouveau résumé"


def test_translations_receive_the_geocoded_position(make_venue, geocoder, django_capture_on_commit_callbacks):
    geocoder.ban(TANNEURS, ban_feature(45.7676, 4.8344, "12 Rue des Tanneurs 69001 Lyon"))
    with django_capture_on_commit_callbacks(execute=True):
        venue = make_venue(latitude=None, longitude=None, street_address="12 rue des Tanneurs", postcode="69001")
        translation = venue_translate(venue=venue, language="en", slug="the-hive", title="The Hive")
    for page in (_reload(venue), _reload(translation)):
        assert (page.latitude, page.longitude) == (45.7676, 4.8344)
        assert page.geocode_status == GeocodeStatus.FOUND
        assert page.get_latest_revision().content["latitude"] == 45.7676


def test_geocoding_switched_off_fails_softly(make_venue, geocoder, settings, django_capture_on_commit_callbacks):
    settings.ESSAIM_GEOCODING = "off"
    venue = _publish_new(make_venue, django_capture_on_commit_callbacks)
    assert geocoder.calls == []
    page = _reload(venue)
    assert page.live
    assert page.geocode_status == GeocodeStatus.FAILED
    assert page.geocode_message == gettext("Geocoding is switched off on this node.")


def test_venue_without_any_address_is_not_sent_to_the_geocoder(geocoder):
    result = geocoding.geocode_address(street_address=" ", postcode="", city="", country="FR")
    assert result.status == geocoding.NOT_FOUND
    assert geocoder.calls == []


def test_geocoded_venue_is_found_by_the_near_search(make_venue, geocoder, client, django_capture_on_commit_callbacks):
    geocoder.ban(TANNEURS, ban_feature(45.7676, 4.8344, "12 Rue des Tanneurs 69001 Lyon"))
    venue = _publish_new(make_venue, django_capture_on_commit_callbacks)
    data = client.get("/api/v1/venues/", {"near": "45.7640,4.8357", "radius_km": "5"}).json()
    assert [row["id"] for row in data["results"]] == [venue.pk]
    assert data["results"][0]["distance_km"] == pytest.approx(0.42, abs=0.05)
