""" "I know when, not where": the desks and rooms free for a whole window across the network."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.template.response import TemplateResponse
from django.utils import timezone

from bookings import availability as av
from bookings import presentation, search
from bookings.forms import WHEN_CHOICES, ZONE_MINE, SearchForm
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
    hits, origin, place_error, window, part, local = [], None, "", None, "", None
    needs_place = False
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        # No place and no position: nothing is searched (the whole network by name is no answer).
        needs_place = not form.has_place
        found = geocoding.search_origin(near=data.get("near"), place=data["place"])
        origin, place_error = found.point, found.error
        mine = data["zone"] == ZONE_MINE and zone_name in available_timezones()
        if not mine:
            # Typed hours are the venues' own; the window below only bounds what is loaded.
            tz = _zone(found.timezone or settings.TIME_ZONE)
        if not (place_error or needs_place):
            opens, closes = form.hours()
            window = av.Interval(av.wall_clock(data["day"], opens, tz), av.wall_clock(data["day"], closes, tz))
            # Quick choices mean each venue's own morning, afternoon or day; "hours" means those
            # hours, in each venue's zone unless the visitor asked for their own.
            part = data["when"] if data["when"] in ("morning", "afternoon", "day") else ""
            local = (data["day"], opens, closes) if not part and not mine else None
            hits = search.free_resources(
                window=window,
                near=origin,
                radius_km=data["radius_km"],
                kind=data.get("kind", ""),
                quantity=data.get("quantity") or 1,
                now=now,
                limit=SEARCH_LIMIT,
                part=part,
                local=local,
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
        "each_venue": local is not None,
        "needs_place": needs_place,
        "browser_tz": zone_name if zone_name in available_timezones() else "",
        "quantity": (form.cleaned_data.get("quantity") or 1) if form.is_bound and form.is_valid() else 1,
        "origin": origin,
        "place_error": place_error,
        "errors": error_list(form) if form.is_bound else [],
        "shortcuts": _day_shortcuts(today),
    }
    return TemplateResponse(request, "bookings/search.html", context)


def _day_shortcuts(today: date) -> list[dict]:
    """Today, tomorrow and the next five days: buttons of the form, so that a day chosen this way
    keeps the place, distance and kind being typed."""
    return [{"day": today + timedelta(days=offset), "offset": offset} for offset in range(7)]
