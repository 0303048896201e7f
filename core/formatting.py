"""Display helpers every app's pages and exports share: money, dates, times and numbers as the
CLDR data (Babel) writes them in the active language, and CSV cells a spreadsheet cannot run.

Times are shown on the 24-hour clock in both languages (the network's venues all count that way);
an aware ``datetime`` is first moved to the venue's time zone when one is given.
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import translation

from core import money


def active_language() -> str:
    """The two-letter code of the active language (French when none is active)."""
    return (translation.get_language() or "fr")[:2]


def money_label(amount_minor: int, currency: str) -> str:
    """An amount as people of the active language write it: ``12,50 €``, ``€12.50``."""
    return money.format_money(amount_minor, currency, active_language())


def babel_locale(language: str | None = None) -> Locale:
    """Babel's locale for a Django language code (``fr``, ``en``, ``en-gb``); the active one by default."""
    return _parse_locale(language or translation.get_language() or "fr")


@lru_cache(maxsize=16)
def _parse_locale(language: str) -> Locale:
    return Locale.parse(translation.to_locale(language))


def _local(moment: datetime | date, tz: ZoneInfo | str | None) -> datetime | date:
    if tz and isinstance(moment, datetime) and moment.tzinfo is not None:
        return moment.astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    return moment


def date_label(moment: datetime | date, tz: ZoneInfo | str | None = None, language: str | None = None) -> str:
    """A short date with its weekday: ``Tue, Mar 3, 2026``, ``mar. 3 mars 2026``."""
    return babel_dates.format_skeleton("yMMMEd", _local(moment, tz), locale=babel_locale(language))


def long_date_label(moment: datetime | date, tz: ZoneInfo | str | None = None, language: str | None = None) -> str:
    """The date written out: ``Tuesday, March 3, 2026``, ``mardi 3 mars 2026``."""
    return babel_dates.format_date(_local(moment, tz), "full", locale=babel_locale(language))


def time_label(
    moment: datetime | time, tz: ZoneInfo | str | None = None, language: str | None = None, seconds: bool = False
) -> str:
    """``09:00`` (24-hour clock, in the venue's zone when given), ``09:00:00`` with ``seconds``."""
    return babel_dates.format_skeleton("Hms" if seconds else "Hm", _local(moment, tz), locale=babel_locale(language))


def datetime_label(
    moment: datetime, tz: ZoneInfo | str | None = None, language: str | None = None, seconds: bool = False
) -> str:
    """``Tue, Mar 3, 2026, 09:00``, ``mar. 3 mars 2026, 09:00``."""
    moment = _local(moment, tz)
    return f"{date_label(moment, language=language)}, {time_label(moment, language=language, seconds=seconds)}"


def number_label(value, language: str | None = None) -> str:
    """``1,234.5`` / ``1\u202f234,5``."""
    return babel_numbers.format_decimal(value, locale=babel_locale(language))


def time_span_label(start: datetime, end: datetime, tz: ZoneInfo, language: str | None = None) -> str:
    """``Tue, Mar 3, 2026, 09:00–10:00`` / ``mar. 3 mars 2026, 09:00–10:00`` in the venue's
    wall-clock time; the end's date too when it falls on another day (midnight ends the same day)."""
    start, end = start.astimezone(tz), end.astimezone(tz)
    if end.date() != start.date() and not (end.time() == time(0) and end.date() == start.date() + timedelta(days=1)):
        return f"{datetime_label(start, language=language)} – {datetime_label(end, language=language)}"
    return f"{datetime_label(start, language=language)}–{time_label(end, language=language)}"


def csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: such text is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
