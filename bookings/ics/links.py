"""Absolute URLs back to the site, for calendars and e-mails read outside it: a booking's page,
"my bookings", a venue's page, Wagtail pages by their ``url_path``."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import RFC3986_SUBDELIMS
from wagtail.models import Site

from bookings.ics.entries import venue_address
from bookings.models import Booking

#: URL names of the booking pages (``bookings/urls.py``); when one is missing the link falls back.
BOOKING_PAGE = "bookings:detail"  # kwarg ``reference``
MY_BOOKINGS_PAGE = "bookings:mine"
_STAND_IN = "0123ABCD"  # a reference's shape: eight hexadecimal digits


def site_url(path: str) -> str:
    """An absolute URL on this node: feeds and e-mails are read outside the site."""
    return settings.ESSAIM_NODE_URL + path if path.startswith("/") else path


def named_url(name: str, **kwargs) -> str | None:
    """The absolute URL of a named route in the active language, or ``None`` if there is none."""
    try:
        return site_url(reverse(name, kwargs=kwargs or None))
    except NoReverseMatch:
        return None


def page_urls(url_paths: Iterable[str]) -> dict[str, str]:
    """Absolute URLs of Wagtail pages from their ``url_path``, as ``Page.get_url_parts`` makes
    them (the site root that holds the page, its language's prefix), but with one ``reverse`` per
    root and language instead of one per page: a feed of thousands of events links them all."""
    roots = Site.get_site_root_paths()  # most specific first, cached by Wagtail
    prefixes: dict[tuple[str, str], str | None] = {}
    found = {}
    for url_path in url_paths:
        root = next((r for r in roots if url_path.startswith(r.root_path)), None)
        if root is None:
            continue
        key = (root.root_path, root.language_code)
        if key not in prefixes:
            try:
                with translation.override(root.language_code):
                    prefixes[key] = reverse("wagtail_serve", args=("",))
            except NoReverseMatch:
                prefixes[key] = None
        if prefixes[key] is not None:
            rest = quote(url_path[len(root.root_path) :], safe=RFC3986_SUBDELIMS + "/~:@")
            found[url_path] = site_url(prefixes[key] + rest)
    return found


class Links:
    """URLs for bookings and venues, each venue's page and address resolved once per calendar."""

    def __init__(self):
        self._venues: dict[int, str] = {}
        self._addresses: dict[int, str] = {}
        self._booking_page: str | None = None

    def address(self, venue) -> str:
        if venue.pk not in self._addresses:
            self._addresses[venue.pk] = venue_address(venue)
        return self._addresses[venue.pk]

    def venue(self, venue) -> str:
        if venue.pk not in self._venues:
            parts = venue.get_url_parts()
            self._venues[venue.pk] = site_url(parts[2]) if parts else site_url("/")
        return self._venues[venue.pk]

    def my_bookings(self) -> str:
        return named_url(MY_BOOKINGS_PAGE) or site_url("/")

    def booking(self, booking: Booking) -> str:
        # Reversed once with a stand-in reference: a long feed would otherwise reverse per booking.
        if self._booking_page is None:
            self._booking_page = named_url(BOOKING_PAGE, reference=_STAND_IN) or ""
        if self._booking_page and _STAND_IN in self._booking_page:
            return self._booking_page.replace(_STAND_IN, booking.reference)
        return self.venue(booking.resource.venue)
