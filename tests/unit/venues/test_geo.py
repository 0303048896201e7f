"""``venues.geo``: parsing ``near``/``radius_km``, the bounding-box prefilter, geodesic distances.

Pure: no database, no network. The property tests compare the box with points produced by
geopy's own geodesic ``destination`` (WGS-84, Karney), which is what ``distance_km`` decides with.
"""

import math

import pytest
from geopy.distance import geodesic
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from venues import geo

# ---------------------------------------------------------------------------------------------
# parse_point


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45.76,4.83", geo.Point(45.76, 4.83)),
        (" 45.76 , 4.83 ", geo.Point(45.76, 4.83)),
        ("-33.8688,151.2093", geo.Point(-33.8688, 151.2093)),
        ("90,180", geo.Point(90.0, 180.0)),
        ("-90,-180", geo.Point(-90.0, -180.0)),
        ("0,0", geo.Point(0.0, 0.0)),
        ("1e1,2E1", geo.Point(10.0, 20.0)),
    ],
)
def test_parse_point_accepts_lat_lng(text, expected):
    point = geo.parse_point(text)
    assert point == expected
    assert isinstance(point.latitude, float) and isinstance(point.longitude, float)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "expected 'latitude,longitude'"),
        (None, "expected 'latitude,longitude'"),
        ("45.76", "expected 'latitude,longitude'"),
        ("1,2,3", "expected 'latitude,longitude'"),
        ("45.76;4.83", "expected 'latitude,longitude'"),
        ("abc", "expected 'latitude,longitude'"),
        ("abc,def", "decimal numbers"),
        ("45.76,", "decimal numbers"),
        (",4.83", "decimal numbers"),
        ("45,76,4,83", "expected 'latitude,longitude'"),
        ("nan,0", "finite"),
        ("0,inf", "finite"),
        ("-inf,0", "finite"),
        ("91,0", "latitude must be between -90 and 90"),
        ("-90.0001,0", "latitude must be between -90 and 90"),
        ("0,180.5", "longitude must be between -180 and 180"),
        ("0,-181", "longitude must be between -180 and 180"),
    ],
)
def test_parse_point_rejects_malformed_input(text, message):
    with pytest.raises(geo.GeoInputError) as info:
        geo.parse_point(text)
    assert message in str(info.value)


def test_geo_input_error_is_a_value_error():
    # Callers that only know ValueError (e.g. form cleaning) still catch it.
    with pytest.raises(ValueError):
        geo.parse_point("north")


@given(
    latitude=st.floats(min_value=-90, max_value=90, allow_nan=False),
    longitude=st.floats(min_value=-180, max_value=180, allow_nan=False),
)
def test_parse_point_round_trips_any_valid_point(latitude, longitude):
    assert geo.parse_point(f"{latitude!r},{longitude!r}") == geo.Point(latitude, longitude)


# ---------------------------------------------------------------------------------------------
# parse_radius


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, geo.DEFAULT_RADIUS_KM),
        ("", geo.DEFAULT_RADIUS_KM),
        ("10", 10.0),
        ("0.5", 0.5),
        (" 25 ", 25.0),
        (12, 12.0),
        (7.5, 7.5),
        ("20000", 20000.0),
    ],
)
def test_parse_radius_accepts_positive_kilometres(text, expected):
    assert geo.parse_radius(text) == expected


def test_parse_radius_default_is_overridable():
    assert geo.parse_radius(None, default=5) == 5
    assert geo.parse_radius("", default=7.5) == 7.5
    assert geo.DEFAULT_RADIUS_KM == 50.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "must be a number"),
        ("10km", "must be a number"),
        ([], "must be a number"),
        ("0", "greater than 0"),
        ("-1", "greater than 0"),
        ("-0.0001", "greater than 0"),
        ("nan", "greater than 0"),
        ("inf", "greater than 0"),
        ("20000.001", "at most 20000"),
        ("99999", "at most 20000"),
    ],
)
def test_parse_radius_rejects_bad_values(text, message):
    with pytest.raises(geo.GeoInputError) as info:
        geo.parse_radius(text)
    assert message in str(info.value)


# ---------------------------------------------------------------------------------------------
# distance_km

LYON = geo.Point(45.7640, 4.8357)
PARIS = geo.Point(48.8566, 2.3522)


def test_distance_lyon_paris_is_about_392_km():
    assert geo.distance_km(LYON, PARIS) == pytest.approx(392.0, abs=2.0)


def test_distance_to_itself_is_zero():
    assert geo.distance_km(LYON, LYON) == 0.0


def test_distance_across_the_antimeridian_is_short():
    # 0.2° of longitude on the equator, not 359.8°.
    assert geo.distance_km(geo.Point(0, 179.9), geo.Point(0, -179.9)) == pytest.approx(22.26, abs=0.05)


points = st.builds(
    geo.Point,
    st.floats(min_value=-90, max_value=90, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)


@given(a=points, b=points)
@settings(max_examples=200, deadline=None)
def test_distance_is_symmetric_non_negative_and_bounded(a, b):
    forward, backward = geo.distance_km(a, b), geo.distance_km(b, a)
    assert forward == pytest.approx(backward, rel=1e-9, abs=1e-6)
    assert 0.0 <= forward <= 20_004.0  # half the meridian: no two points are further apart


@given(a=points)
def test_distance_from_a_point_to_itself_is_zero(a):
    assert geo.distance_km(a, a) == pytest.approx(0.0, abs=1e-9)


# ---------------------------------------------------------------------------------------------
# bounding_box: examples


def _inside(box: geo.BoundingBox, latitude: float, longitude: float, lat_slack: float = 0.0) -> bool:
    if not (box.min_lat - lat_slack <= latitude <= box.max_lat + lat_slack):
        return False
    if box.wraps:
        return longitude >= box.min_lng or longitude <= box.max_lng
    return box.min_lng <= longitude <= box.max_lng


def test_small_box_is_centred_and_about_the_right_size():
    box = geo.bounding_box(LYON, 10)
    assert not box.wraps
    assert box.min_lat < LYON.latitude < box.max_lat
    assert box.min_lng < LYON.longitude < box.max_lng
    # 10 km is ~0.09° of latitude; ~0.129° of longitude at 45.76°N. Allow the margin, no more.
    assert box.max_lat - LYON.latitude == pytest.approx(10 / 111.2, rel=0.01)
    assert box.max_lng - LYON.longitude == pytest.approx(10 / (111.2 * math.cos(math.radians(45.764))), rel=0.01)
    assert box.max_lat - LYON.latitude == pytest.approx(LYON.latitude - box.min_lat)


def test_box_that_crosses_the_antimeridian_wraps():
    box = geo.bounding_box(geo.Point(-17.7, 179.9), 100)  # Fiji
    assert box.wraps
    assert 178.5 < box.min_lng < 180
    assert -179.5 < box.max_lng < -179
    assert _inside(box, -17.7, -179.5)
    assert _inside(box, -17.7, 179.5)
    assert not _inside(box, -17.7, 0.0)
    assert not _inside(box, -17.7, 178.0)


@pytest.mark.parametrize("longitude", [180.0, -180.0])
def test_box_centred_on_the_antimeridian_wraps(longitude):
    box = geo.bounding_box(geo.Point(10, longitude), 50)
    assert box.wraps
    assert _inside(box, 10, 179.9) and _inside(box, 10, -179.9)
    assert not _inside(box, 10, 0)


def test_box_that_reaches_a_pole_spans_every_longitude():
    box = geo.bounding_box(geo.Point(85, 30), 1000)
    assert (box.min_lng, box.max_lng) == (-180.0, 180.0)
    assert box.max_lat == 90.0
    assert box.min_lat == pytest.approx(85 - 1000 * geo.SPHERE_MARGIN / 111.195, abs=0.01)
    assert not box.wraps


def test_box_near_the_south_pole_spans_every_longitude():
    box = geo.bounding_box(geo.Point(-80, -60), 2000)
    assert box.min_lat == -90.0
    assert (box.min_lng, box.max_lng) == (-180.0, 180.0)


def test_huge_radius_gives_the_whole_world_in_longitude():
    box = geo.bounding_box(geo.Point(60, 10), 5000)
    assert (box.min_lng, box.max_lng) == (-180.0, 180.0)


# ---------------------------------------------------------------------------------------------
# bounding_box: properties

centres = st.builds(
    geo.Point,
    st.floats(min_value=-85, max_value=85, allow_nan=False),
    st.floats(min_value=-180, max_value=180, allow_nan=False),
)
radii = st.floats(min_value=0.1, max_value=5000, allow_nan=False)
bearings = st.floats(min_value=0, max_value=360, allow_nan=False, exclude_max=True)
fractions = st.floats(min_value=0, max_value=1, allow_nan=False)


def _destination(center: geo.Point, bearing: float, distance: float) -> tuple[float, float]:
    point = geodesic(kilometers=distance).destination((center.latitude, center.longitude), bearing)
    return point.latitude, point.longitude


PROPERTY_SETTINGS = settings(
    max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(center=centres, radius=radii, bearing=bearings, fraction=fractions)
@example(center=geo.Point(0.0, 179.99), radius=100.0, bearing=90.0, fraction=1.0)  # east across the antimeridian
@example(center=geo.Point(0.0, -179.99), radius=100.0, bearing=270.0, fraction=1.0)  # west across it
@example(center=geo.Point(84.9, 0.0), radius=3000.0, bearing=0.0, fraction=1.0)  # over the North Pole
@example(center=geo.Point(70.0, 170.0), radius=800.0, bearing=80.0, fraction=1.0)  # high latitude, wraps
def test_bounding_box_contains_every_point_within_radius_in_longitude(center, radius, bearing, fraction):
    """Longitude and wrap-around, with a 0.1 % latitude slack; the exact test follows."""
    box = geo.bounding_box(center, radius)
    assert box.min_lat <= center.latitude <= box.max_lat
    assert -90 <= box.min_lat <= box.max_lat <= 90
    assert -180 <= box.min_lng <= 180 and -180 <= box.max_lng <= 180
    latitude, longitude = _destination(center, bearing, radius * fraction)
    slack = math.degrees(radius * 0.001 / geo.EARTH_RADIUS_KM)
    assert _inside(box, latitude, longitude, lat_slack=slack), (box, latitude, longitude)


@PROPERTY_SETTINGS
@given(center=centres, radius=radii, bearing=bearings, fraction=fractions)
@example(center=geo.Point(0.0, 0.0), radius=1000.0, bearing=0.0, fraction=1.0)
@example(center=geo.Point(-3.0, 29.0), radius=300.0, bearing=180.0, fraction=0.9995)
def test_bounding_box_contains_every_point_within_radius(center, radius, bearing, fraction):
    box = geo.bounding_box(center, radius)
    latitude, longitude = _destination(center, bearing, radius * fraction)
    assert _inside(box, latitude, longitude), (box, latitude, longitude)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(center=centres, radius=radii)
def test_bounding_box_widens_with_the_radius(center, radius):
    small, large = geo.bounding_box(center, radius), geo.bounding_box(center, radius * 2)
    assert large.min_lat <= small.min_lat and large.max_lat >= small.max_lat
    full = (-180.0, 180.0)
    if (small.min_lng, small.max_lng) == full:
        assert (large.min_lng, large.max_lng) == full
