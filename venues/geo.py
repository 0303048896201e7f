"""Pure geographic helpers for "near a place": parsing, bounding boxes, geodesic distances.

No Django here: the directory, the API and the benchmarks all use these with plain floats.
The bounding box is a cheap SQL prefilter; the geodesic distance (WGS-84, Karney) decides.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from geopy.distance import geodesic

EARTH_RADIUS_KM = 6371.0088
MAX_RADIUS_KM = 20_000.0
DEFAULT_RADIUS_KM = 50.0
SPHERE_MARGIN = 1.0065
#: WGS-84 geodesic and mean-sphere distances differ by less than this fraction of either.
SPHERE_BAND = 0.007


class GeoInputError(ValueError):
    """A malformed point or radius; the message says what is wrong."""


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class BoundingBox:
    min_lat: float
    max_lat: float
    # When the box crosses the antimeridian, min_lng > max_lng: the box wraps around.
    min_lng: float
    max_lng: float

    @property
    def wraps(self) -> bool:
        return self.min_lng > self.max_lng


def parse_point(text: str) -> Point:
    """Parse ``"<lat>,<lng>"`` as the API's ``near`` parameter gives it."""
    parts = [part.strip() for part in (text or "").split(",")]
    if len(parts) != 2:
        raise GeoInputError("expected 'latitude,longitude', e.g. 45.76,4.83")
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except ValueError:
        raise GeoInputError("latitude and longitude must be decimal numbers, e.g. 45.76,4.83") from None
    return validate_point(latitude, longitude)


def validate_point(latitude: float, longitude: float) -> Point:
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise GeoInputError("latitude and longitude must be finite numbers")
    if not -90 <= latitude <= 90:
        raise GeoInputError("latitude must be between -90 and 90")
    if not -180 <= longitude <= 180:
        raise GeoInputError("longitude must be between -180 and 180")
    return Point(latitude, longitude)


def parse_radius(text: str | float | None, default: float = DEFAULT_RADIUS_KM) -> float:
    if text is None or text == "":
        return default
    try:
        radius = float(text)
    except (TypeError, ValueError):
        raise GeoInputError("radius_km must be a number of kilometres") from None
    if not math.isfinite(radius) or radius <= 0:
        raise GeoInputError("radius_km must be greater than 0")
    if radius > MAX_RADIUS_KM:
        raise GeoInputError(f"radius_km must be at most {MAX_RADIUS_KM:.0f}")
    return radius


def bounding_box(center: Point, radius_km: float) -> BoundingBox:
    """A box that contains every point within ``radius_km`` of ``center`` (and a little more).

    The spans are computed on a sphere; WGS-84 distances along a meridian near the equator are
    up to 0.56 % shorter than the sphere's, so the radius gets a 0.65 % margin (checked by a
    property test against geodesic destinations).
    """
    angular = (radius_km * SPHERE_MARGIN) / EARTH_RADIUS_KM
    min_lat = math.degrees(math.radians(center.latitude) - angular)
    max_lat = math.degrees(math.radians(center.latitude) + angular)
    if min_lat <= -90 or max_lat >= 90:
        # The circle reaches a pole: every longitude is possible.
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    ratio = math.sin(angular) / math.cos(math.radians(center.latitude))
    if ratio >= 1:
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    delta_lng = math.degrees(math.asin(ratio))
    min_lng, max_lng = center.longitude - delta_lng, center.longitude + delta_lng
    if min_lng < -180:
        min_lng += 360
    if max_lng > 180:
        max_lng -= 360
    if max_lng - min_lng >= 360 or (min_lng == -180 and max_lng == 180):
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    return BoundingBox(min_lat, max_lat, min_lng, max_lng)


def distance_km(a: Point, b: Point) -> float:
    return geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).km


def sphere_km(a: Point, b: Point) -> float:
    """Great-circle distance on the mean sphere: ~100x cheaper than the geodesic and within
    ``SPHERE_BAND`` of it, so it can rank and decide everything but the borderline cases."""
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def within_radius(
    centre: Point, radius_km: float, rows: Iterable[tuple[int, float, float]]
) -> list[tuple[float, int, Point]]:
    """``(sphere km, pk, point)`` of the ``(pk, latitude, longitude)`` rows within ``radius_km``
    of ``centre``: the one membership rule of every "near" search. The cheap sphere decides except
    within ``SPHERE_BAND`` of the edge, where the geodesic does; the sphere distance is kept to rank."""
    sure, beyond = radius_km * (1 - SPHERE_BAND), radius_km * (1 + SPHERE_BAND)
    found = []
    for pk, latitude, longitude in rows:
        point = Point(latitude, longitude)
        sphere = sphere_km(centre, point)
        if sphere > beyond or (sphere > sure and distance_km(centre, point) > radius_km):
            continue
        found.append((sphere, pk, point))
    return found
