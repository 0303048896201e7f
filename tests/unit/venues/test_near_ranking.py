"""The near-search ranks with the sphere and checks with the geodesic only where it matters:
it must give exactly the membership and order that geodesic distances give."""

from hypothesis import given, settings
from hypothesis import strategies as st

from venues import geo
from venues.selectors import NearResults

points = st.builds(
    geo.Point,
    latitude=st.floats(min_value=-60, max_value=60, allow_nan=False),
    longitude=st.floats(min_value=-179.9, max_value=179.9, allow_nan=False),
)
offsets = st.tuples(st.floats(min_value=-3, max_value=3), st.floats(min_value=-3, max_value=3))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    centre=points,
    spread=st.lists(offsets, min_size=1, max_size=60),
    radius=st.floats(min_value=5, max_value=400),
    n=st.integers(1, 70),
)
def test_sphere_first_ranking_equals_geodesic_ranking(centre, spread, radius, n):
    venues = [
        (pk, geo.Point(max(-89.0, min(89.0, centre.latitude + dlat)), max(-180.0, min(180.0, centre.longitude + dlng))))
        for pk, (dlat, dlng) in enumerate(spread, start=1)
    ]
    sure, beyond = radius * (1 - geo.SPHERE_BAND), radius * (1 + geo.SPHERE_BAND)
    candidates = []
    for pk, point in venues:
        sphere = geo.sphere_km(centre, point)
        if sphere > beyond or (sphere > sure and geo.distance_km(centre, point) > radius):
            continue
        candidates.append((sphere, pk, point))
    exact = sorted((geo.distance_km(centre, point), pk) for pk, point in venues)
    expected = [(d, pk) for d, pk in exact if d <= radius]
    results = NearResults(queryset=None, centre=centre, candidates=candidates)
    assert len(results) == len(expected)
    assert [pk for _, pk in results.ranked(n)] == [pk for _, pk in expected[:n]]


def test_sphere_and_geodesic_agree_within_the_band():
    paris, dakar = geo.Point(48.8566, 2.3522), geo.Point(14.6928, -17.4467)
    sphere, exact = geo.sphere_km(paris, dakar), geo.distance_km(paris, dakar)
    assert abs(sphere - exact) <= geo.SPHERE_BAND * exact
    assert 4180 < exact < 4230
