"""HTML views for venues: the directory (served for ``VenueIndexPage``) and the open data files."""

from django.core.paginator import Paginator
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core import page_cache
from venues import geo, geocoding, opendata, selectors
from venues.forms import DirectoryFilterForm

PAGE_SIZE = 24


def directory(request, page):
    """The directory: filter form, the matching venues (nearest first near a place), their map."""
    # Unfiltered (or one page of it), the same for every anonymous visitor; it shows no seats.
    page_cache.cache_this_page(request, keyed=("page",))
    form = DirectoryFilterForm(request.GET or None, country_codes=selectors.venue_countries())
    place_error = ""
    origin = None
    filters = selectors.VenueFilters()
    if form.is_bound:
        form.is_valid()
        # A field that does not validate is left out; the others still apply, so the list
        # matches what the form shows, with the error next to the faulty field.
        data = form.cleaned_data
        found = geocoding.search_origin(near=data.get("near"), place=data.get("place", ""))
        origin, place_error = found.point, found.error
        filters = selectors.VenueFilters(
            kind=data.get("kind", ""),
            city=data.get("city", ""),
            country=data.get("country", ""),
            q=data.get("q", ""),
            labels=tuple(data.get("label", ())),
            amenities=tuple(data.get("amenity", ())),
            near=origin,
            radius_km=data.get("radius_km") or geo.DEFAULT_RADIUS_KM,
        )
    results = selectors.venue_search(filters=filters)
    paginator = Paginator(results, PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    venues = selectors.venues_localized(selectors.venues_prefetch(list(page_obj.object_list)))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "self": page,
        "form": form,
        "venues": venues,
        "page_obj": page_obj,
        "paginator": paginator,
        "origin": origin,
        "place_error": place_error,
        "querystring": query.urlencode(),
        "more_filters_open": any(request.GET.get(name) for name in ("q", "city", "country", "label", "amenity")),
        "map_points": selectors.venue_map_points(request, venues),
        "origin_point": {"lat": origin.latitude, "lng": origin.longitude} if origin else None,
    }
    return TemplateResponse(request, "venues/venue_index_page.html", context)


def open_data(request, fmt: str):
    if fmt not in {"csv", "json", "geojson", "schema.json"}:
        raise Http404(_("Open data comes as venues.csv, venues.json or venues.geojson."))
    return opendata.response(request, fmt)


def open_data_page(request):
    """What the open data files are, their licence and their columns."""
    return TemplateResponse(
        request,
        "venues/open_data.html",
        {
            "columns": opendata.COLUMNS,
            "licence": opendata.LICENCE,
            "licence_url": opendata.LICENCE_URL,
            "csv_note": opendata.CSV_FORMULA_NOTE,
        },
    )
