"""Read queries over venues: the directory search, near-search, counts, map points, open data.

Venues are searched in the canonical (default) locale: addresses, coordinates, amenities and
labels are the same in every translation. ``venues_localized`` then swaps in the visitor's
translation for display, in one query.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.utils import translation
from wagtail.models import Locale

from core import origins
from venues import geo
from venues.models import VENUE_MODELS, OpeningHours, VenuePage
from venues.text import normalise


@dataclass(frozen=True)
class VenueFilters:
    kind: str = ""
    city: str = ""
    country: str = ""
    q: str = ""
    labels: tuple[str, ...] = ()
    amenities: tuple[str, ...] = ()
    near: geo.Point | None = None
    radius_km: float = geo.DEFAULT_RADIUS_KM


def kind_content_type_ids() -> dict[str, int]:
    """``{kind: content_type_id}``; ContentType's own cache makes this free after the first call."""
    return {kind: ContentType.objects.get_for_model(model).id for kind, model in VENUE_MODELS.items()}


def venue_kind_for_content_type(content_type_id: int) -> str:
    for kind, ct_id in kind_content_type_ids().items():
        if ct_id == content_type_id:
            return kind
    return ""


def venue_base_queryset() -> QuerySet[VenuePage]:
    """Live venues in the canonical locale, the rows every search starts from.

    The locale is matched by a join on its language code rather than a lookup of the Locale row
    first: the directory and the API build this queryset several times per request.
    """
    return VenuePage.objects.live().filter(locale__language_code=settings.LANGUAGE_CODE)


def own_venues_queryset() -> QuerySet[VenuePage]:
    """Our own live venues, without the peers' mirrors: for what this node alone vouches for (open
    data, the sitemap, programme venues, managers' lists)."""
    return venue_base_queryset().filter(origin="")


def venue_filter(queryset: QuerySet[VenuePage], filters: VenueFilters) -> QuerySet[VenuePage]:
    if filters.kind:
        queryset = queryset.filter(content_type_id=kind_content_type_ids()[filters.kind])
    if filters.city:
        queryset = queryset.filter(city__iexact=filters.city.strip())
    if filters.country:
        queryset = queryset.filter(country=filters.country.upper())
    for word in normalise(filters.q).split():
        queryset = queryset.filter(search_text__contains=word)
    for code in filters.labels:
        queryset = queryset.filter(labels__code=code)
    for code in filters.amenities:
        queryset = queryset.filter(amenities__code=code)
    return queryset


def within_box(queryset: QuerySet[VenuePage], box: geo.BoundingBox) -> QuerySet[VenuePage]:
    queryset = queryset.filter(latitude__gte=box.min_lat, latitude__lte=box.max_lat)
    if box.wraps:
        return queryset.filter(Q(longitude__gte=box.min_lng) | Q(longitude__lte=box.max_lng))
    return queryset.filter(longitude__gte=box.min_lng, longitude__lte=box.max_lng)


class NearResults(Sequence):
    """Venues within a radius, nearest first, loaded lazily: slicing fetches only its rows.

    Candidates come from the bounding box (three columns). The cheap spherical distance decides
    membership except within ``SPHERE_BAND`` of the radius, and ranks; exact geodesic distances
    are computed only for the venues that can fall in the requested slice. Any venue among the
    first ``n`` by geodesic has a spherical distance below ``s[n-1] * (1+band)/(1-band)``, so
    sorting that head by geodesic gives the exact order.
    """

    def __init__(
        self, queryset: QuerySet[VenuePage], centre: geo.Point, candidates: list[tuple[float, int, geo.Point]]
    ):
        self._queryset = queryset
        self._centre = centre
        self._candidates = sorted(candidates, key=lambda item: (item[0], item[1]))
        self._exact: dict[int, float] = {}

    def __len__(self) -> int:
        return len(self._candidates)

    def count(self) -> int:
        return len(self._candidates)

    def _exact_km(self, pk: int, point: geo.Point) -> float:
        if pk not in self._exact:
            self._exact[pk] = geo.distance_km(self._centre, point)
        return self._exact[pk]

    def ranked(self, stop: int) -> list[tuple[float, int]]:
        """``(geodesic km, pk)`` of the first ``stop`` venues, in exact order."""
        stop = min(stop, len(self._candidates))
        if stop <= 0:
            return []
        limit = self._candidates[stop - 1][0] * (1 + geo.SPHERE_BAND) / (1 - geo.SPHERE_BAND)
        head = [(self._exact_km(pk, point), pk) for sphere, pk, point in self._candidates if sphere <= limit]
        return sorted(head)[:stop]

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            ranked = self.ranked(stop)[start:stop:step]
        else:
            if index < 0:
                index += len(self)
            if not 0 <= index < len(self):
                raise IndexError(index)
            ranked = self.ranked(index + 1)[index:]
        pages = self._queryset.defer("body").in_bulk([pk for _, pk in ranked])
        venues = []
        for distance, pk in ranked:
            venue = pages[pk]
            venue.distance_km = distance
            venues.append(venue)
        return venues if isinstance(index, slice) else venues[0]


def venue_search(*, filters: VenueFilters) -> QuerySet[VenuePage] | NearResults:
    """The directory and ``GET /api/v1/venues/``: filtered venues, nearest first when ``near``."""
    queryset = venue_filter(venue_base_queryset(), filters)
    if filters.near is None:
        return queryset.order_by("title", "pk")
    return venues_near(queryset, filters.near, filters.radius_km)


def venues_near(queryset: QuerySet[VenuePage], centre: geo.Point, radius_km: float) -> NearResults:
    """The venues of ``queryset`` within ``radius_km`` of ``centre``, nearest first, for every
    "near" search (the directory, the venues API, the search for free resources): the bounding
    box prefilters in SQL, ``geo.within_radius`` decides."""
    box = geo.bounding_box(centre, radius_km)
    rows = within_box(queryset, box).order_by().values_list("pk", "latitude", "longitude")
    candidates = geo.within_radius(centre, radius_km, rows)
    return NearResults(queryset, centre, candidates)


#: Primary keys are 64-bit signed integers; a larger id in a URL is simply not a venue.
MAX_PK = 2**63 - 1


def venue_get(*, pk: int) -> VenuePage | None:
    if not 0 < pk <= MAX_PK:
        return None
    return venue_base_queryset().filter(pk=pk).first()


def venue_counts_by_kind() -> list[dict]:
    """``[{kind, label, count}]`` for the home page, every kind listed even when empty."""
    rows = dict(venue_base_queryset().values_list("content_type_id").annotate(n=Count("pk")).order_by())
    labels = dict(VENUE_MODELS)
    return [
        {"kind": kind, "label": labels[kind]._meta.verbose_name_plural, "count": rows.get(ct_id, 0)}
        for kind, ct_id in kind_content_type_ids().items()
    ]


def venues_localized(venues: Iterable[VenuePage], language: str | None = None) -> list[VenuePage]:
    """Each venue in the visitor's language when a live translation exists (one query)."""
    venues = list(venues)
    language = language or translation.get_language()
    try:
        locale = Locale.objects.get_for_language(language)
    except Locale.DoesNotExist:
        return venues
    if all(venue.locale_id == locale.id for venue in venues):
        return venues
    translations = {
        page.translation_key: page
        for page in VenuePage.objects.live()
        .filter(locale=locale, translation_key__in=[venue.translation_key for venue in venues])
        .select_related("locale")
    }
    localized = []
    for venue in venues:
        page = translations.get(venue.translation_key, venue)
        if page is not venue and hasattr(venue, "distance_km"):
            page.distance_km = venue.distance_km
        localized.append(page)
    return localized


MAP_CACHE_VERSION_KEY = "venues:map-points:version"


def venue_map_points_all(request) -> list[dict]:
    """Markers of the whole network (the home page's map), cached per language until the next
    venue change (``services.venue_map_cache_clear``): with thousands of venues they cost ~0.5 s."""
    version = cache.get_or_set(MAP_CACHE_VERSION_KEY, 1, None)
    key = f"venues:map-points:{version}:{translation.get_language()}:{request.get_host() if request else ''}"
    points = cache.get(key)
    if points is None:
        venues = venue_base_queryset().exclude(latitude=None).defer("body").order_by("title")
        points = venue_map_points(request, venues)
        cache.set(key, points, 24 * 3600)
    return points


def venue_map_points(request=None, venues: Iterable[VenuePage] = ()) -> list[dict]:
    """Marker data for the maps: name, kind, city, coordinates, the page's URL and, for a peer's
    venue, "on <node>"."""
    points = []
    for venue in venues_localized(venues):
        if not venue.has_coordinates:
            continue
        points.append(
            {
                "name": venue.title,
                "kind": venue_kind_for_content_type(venue.content_type_id),
                "city": venue.city,
                "lat": round(venue.latitude, 6),
                "lng": round(venue.longitude, 6),
                "url": venue.get_url(request),
                "origin": origins.origin_label(venue.origin),
            }
        )
    return points


def venues_prefetch(venues: list[VenuePage]) -> list[VenuePage]:
    """Labels and amenities of a page of results, in two queries."""
    prefetch_related_objects(venues, "labels", "amenities")
    return venues


def venue_countries() -> list[str]:
    """Country codes that have at least one venue, for the directory's country filter."""
    return list(venue_base_queryset().order_by("country").values_list("country", flat=True).distinct())


def opening_hours_by_venue(venue_ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
    result: dict[int, list[tuple[int, str, str]]] = {}
    for page_id, weekday, opens, closes in OpeningHours.objects.filter(page_id__in=venue_ids).values_list(
        "page_id", "weekday", "opens", "closes"
    ):
        result.setdefault(page_id, []).append((weekday, f"{opens:%H:%M}", f"{closes:%H:%M}"))
    return result
