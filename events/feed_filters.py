"""The events feed's query string, read strictly: the agenda's filters (``venue`` and
``programme`` by id or by the slug of any translation, ``kind``, ``city``, ``price``), a date range
and ``lang``. Anything unreadable is a ``BadRequest`` whose message the feed answers with.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from events.models import ProgrammePage
from events.selectors import AgendaFilters, canonical_page_id
from venues import vocabulary
from venues.models import VenuePage

#: The longest date range a request may ask for.
MAX_RANGE = timedelta(days=2 * 366)


class BadRequest(ValueError):
    """A query parameter we cannot read; its message is the 400's plain-text body."""


@dataclass(frozen=True)
class Filters(AgendaFilters):
    """The agenda's filters as the feed reads them (venues and programmes by canonical page id),
    and the dates asked for."""

    start: date | None = None
    end: date | None = None

    def key(self) -> tuple:
        return (self.venue_id, self.kind, self.city.casefold(), self.programme_id, self.start, self.end, self.price)


def _date(params, name: str) -> date | None:
    text = params.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRequest(
            _("%(name)s must be a date written YYYY-MM-DD, not “%(value)s”.") % {"name": name, "value": text[:40]}
        ) from None


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
        if end < start:
            raise BadRequest(_("end must not be before start."))
        if end - start > MAX_RANGE:
            raise BadRequest(_("Ask for two years at most between start and end."))
    return Filters(
        venue_id=venue_id,
        kind=kind,
        city=params.get("city", "").strip()[:120],
        programme_id=programme_id,
        start=start,
        end=end,
        price=price,
    )


def parse_language(params) -> str:
    language = params.get("lang", "").strip() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise BadRequest(
            _("lang must be one of %(languages)s.") % {"languages": ", ".join(code for code, _n in settings.LANGUAGES)}
        )
    return language
