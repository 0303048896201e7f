""" "I know when, not where": the desks and rooms free for a whole window across the network."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils import timezone

from bookings import availability as av
from bookings import presentation, search
from bookings.forms import WHEN_CHOICES, SearchForm
from bookings.views.common import error_list, page_language
from core import origins
from venues import geocoding
from venues.selectors import venues_localized

SEARCH_LIMIT = 30


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name if name in available_timezones() else settings.TIME_ZONE)


def search_free(request):
    """A day and a time range, a place and a kind: the desks and rooms free for that whole window
    across the network, nearest first, each bookable in one click."""
    now = timezone.now()
    zone_name = request.GET.get("tz", "")
    tz = _zone(zone_name)
    today = now.astimezone(tz).date()
    form = SearchForm(request.GET or None, today=today, initial={"day": today})
    hits, origin, place_error, window, part = [], None, "", None, ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        found = geocoding.search_origin(near=data.get("near"), place=data["place"])
        origin, place_error = found.point, found.error
        if found.timezone:
            zone_name = zone_name or found.timezone
            tz = _zone(zone_name)
        if not place_error:
            opens, closes = form.hours()
            window = av.Interval(av.wall_clock(data["day"], opens, tz), av.wall_clock(data["day"], closes, tz))
            # Quick choices mean each venue's own morning, afternoon or day; "hours" means those hours.
            part = data["when"] if data["when"] in ("morning", "afternoon", "day") else ""
            hits = search.free_resources(
                window=window,
                near=origin,
                radius_km=data["radius_km"],
                kind=data.get("kind", ""),
                quantity=data.get("quantity") or 1,
                now=now,
                limit=SEARCH_LIMIT,
                part=part,
            )
    language = page_language()
    venues = dict(zip([hit.venue.pk for hit in hits], venues_localized([hit.venue for hit in hits]), strict=True))
    results = [
        {
            "hit": hit,
            "venue": venues.get(hit.venue.pk, hit.venue),
            "price": presentation.price_label(hit.resource, language),
            "capacity": presentation.capacity_label(hit.resource),
            "rules": presentation.rules_summary(hit.resource),
            "origin": origins.origin_label(hit.resource.origin),
        }
        for hit in hits
    ]
    context = {
        "form": form,
        "results": results,
        "searched": window is not None,
        "window": window,
        "part_label": dict(WHEN_CHOICES).get(part, "") if part else "",
        "tzname": tz.key,
        "quantity": (form.cleaned_data.get("quantity") or 1) if form.is_bound and form.is_valid() else 1,
        "origin": origin,
        "place_error": place_error,
        "errors": error_list(form) if form.is_bound else [],
        "shortcuts": _day_shortcuts(today, request.GET),
    }
    return TemplateResponse(request, "bookings/search.html", context)


def _day_shortcuts(today: date, query) -> list[dict]:
    """Today, tomorrow and the next five days as links keeping the rest of the search."""
    links = []
    for offset in range(7):
        day = today + timedelta(days=offset)
        params = query.copy()
        params["day"] = day.isoformat()
        params.setdefault("when", "day")
        links.append({"day": day, "offset": offset, "query": params.urlencode()})
    return links
