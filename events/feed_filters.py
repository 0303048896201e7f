"""The events feed's query string, read strictly: the agenda's filters (``venue`` and
``programme`` by id or by the slug of any translation, ``kind``, ``city``, ``price``), a date range
and ``lang``. Anything unreadable is a ``BadRequest`` whose message the feed answers with.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from core import windows
from events.models import ProgrammePage
from events.selectors import AgendaFilters, canonical_page_id
from venues import vocabulary
from venues.models import VenuePage

#: The feed's window: at most two years between ``start`` and ``end`` (either may be left out,
#: see ``core.windows.bounded``); the default span (30 days back to the horizon) is the feeds'.
LIMITS = windows.limits(max_days=2 * 366, default_days=395)


class BadRequest(ValueError):
    """A query parameter we cannot read; its message is the 400's plain-text body."""


@dataclass(frozen=True)
class Filters(AgendaFilters):
    """The agenda's filters as the feed reads them (venues and programmes by canonical page id),
    and the dates asked for."""

    start: date | None = None
    end: date | None = None

    def key(self) -> tuple:
        """What names the feed besides its rows: not the dates, whose effect is the rows chosen
        (so that each new ``end`` does not make a new rendering)."""
        return (self.venue_id, self.kind, self.city.casefold(), self.programme_id, self.price)


def _date(params, name: str) -> date | None:
    try:
        return windows.parse_day(params.get(name, ""), name)
    except windows.WindowError as error:
        raise BadRequest(str(error.message)) from None


def parse_filters(params) -> Filters:
    """The query string's filters; raises ``BadRequest`` with a reason a person can read."""
    kind = params.get("kind", "").strip()
    if kind and kind not in dict(vocabulary.KINDS):
        raise BadRequest(
            _("kind must be one of %(kinds)s.") % {"kinds": ", ".join(code for code, _label in vocabulary.KINDS)}
        )
    venue_id = programme_id = None
    if venue := params.get("venue", "").strip():
        venue_id = canonical_page_id(VenuePage, venue)
        if venue_id is None:
            raise BadRequest(_("No venue has the id or slug “%(value)s”.") % {"value": venue[:80]})
    if programme := params.get("programme", "").strip():
        programme_id = canonical_page_id(ProgrammePage, programme)
        if programme_id is None:
            raise BadRequest(_("No programme has the id or slug “%(value)s”.") % {"value": programme[:80]})
    price = params.get("price", "").strip()
    if price not in ("", "free", "paid"):
        raise BadRequest(_("price must be free or paid."))
    start, end = _date(params, "start"), _date(params, "end")
    if start and end:
        window_days(start, end, default_start=start, default_end=end)
    return Filters(
        venue_id=venue_id,
        kind=kind,
        city=params.get("city", "").strip()[:120],
        programme_id=programme_id,
        start=start,
        end=end,
        price=price,
    )


def window_days(start: date | None, end: date | None, *, default_start: date, default_end: date) -> tuple[date, date]:
    """The first and last day a feed covers (``LIMITS``, whichever bound is given); ``BadRequest``
    when the two given are out of order or too far apart."""
    try:
        return windows.bounded(start, end, default_start=default_start, default_end=default_end, limits=LIMITS)
    except windows.WindowError as error:
        raise BadRequest(str(error.message)) from None


def parse_language(params) -> str:
    language = params.get("lang", "").strip() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise BadRequest(
            _("lang must be one of %(languages)s.") % {"languages": ", ".join(code for code, _n in settings.LANGUAGES)}
        )
    return language
