"""Display helpers every app's pages and exports share: money and time spans in the active
language, and CSV cells a spreadsheet cannot run."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import translation
from django.utils.formats import date_format

from core import money


def active_language() -> str:
    """The two-letter code of the active language (French when none is active)."""
    return (translation.get_language() or "fr")[:2]


def money_label(amount_minor: int, currency: str) -> str:
    """An amount as people of the active language write it: ``12,50 €``, ``€12.50``."""
    return money.format_money(amount_minor, currency, active_language())


def time_span_label(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """``Tue 03/03/2026 09:00–10:00`` in the venue's wall-clock time (the end's date when it differs)."""
    start, end = start.astimezone(tz), end.astimezone(tz)
    day = f"{date_format(start, 'D')} {date_format(start, 'SHORT_DATE_FORMAT')}"
    if end.date() != start.date() and not (end.time() == time(0) and end.date() == start.date() + timedelta(days=1)):
        return f"{day} {start:%H:%M} – {date_format(end, 'SHORT_DATE_FORMAT')} {end:%H:%M}"
    return f"{day} {start:%H:%M}–{end:%H:%M}"


def csv_safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: such text is quoted."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
