"""Public date and time windows, read and bounded in one place: feeds, the agenda, the events and
availability APIs, the booking page and the managers' views all ask for days or instants.

Two rules, whatever the surface:

- **Sane years.** A date or instant outside ``FIRST_YEAR``–``LAST_YEAR`` is refused with a
  message that says so: nothing is booked or published in year 1 or 9999, and time-zone
  arithmetic there overflows (an ``OverflowError`` was a 500 on every public page).
- **A bounded span, whichever bound is given.** Each surface names its ``Limits``: the default
  window and the longest one. A missing bound takes its default (or lies the default span away
  from the given bound when the default is on the wrong side of it), and never further than the
  longest span from the given one; two given bounds more than that apart are refused. So
  ``?end=2999-01-01`` alone is a window of at most ``max_span`` before that date, not a thousand
  years from today.

Pure: plain ``date``/``datetime`` values in, ``WindowError`` (an ``InvalidInput``, a 400) out;
the callers (forms, serializers, views) show its message. The form field at the end is the same
reading for Django forms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import InvalidInput

#: Dates and instants outside these years are refused: no booking or event lives there.
FIRST_YEAR, LAST_YEAR = 1900, 2999
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)

When = TypeVar("When", date, datetime)


class WindowError(InvalidInput):
    """A date, instant or window a surface will not serve; the message says what it takes."""


@dataclass(frozen=True)
class Limits:
    """One surface's window: the longest span it serves (``max_span``) and, for the callers that
    fill in missing bounds, the default span (``default_span``) used when a default would fall on
    the wrong side of the bound that is given."""

    max_span: timedelta
    default_span: timedelta

    @property
    def max_days(self) -> int:
        return self.max_span.days


def limits(*, max_days: int, default_days: int) -> Limits:
    return Limits(max_span=timedelta(days=max_days), default_span=timedelta(days=default_days))


def in_range(value: When, name: str) -> When:
    """``value`` if its year is sane, else a ``WindowError`` naming the parameter and the range."""
    if FIRST_YEAR <= value.year <= LAST_YEAR:
        return value
    raise WindowError(
        _("%(name)s: %(value)s is out of range; give a date between %(first)s and %(last)s.")
        % {"name": name, "value": value.isoformat()[:25], "first": FIRST_DAY, "last": LAST_DAY},
        code="out_of_range",
    )


def parse_day(text: str | None, name: str) -> date | None:
    """An ISO date (``YYYY-MM-DD``) in the sane years, ``None`` when empty, else a ``WindowError``."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise WindowError(
            _("%(name)s must be a date written YYYY-MM-DD, not “%(value)s”.") % {"name": name, "value": text[:40]},
            code="invalid_date",
        )
    return in_range(day, name)


def parse_month(text: str | None, name: str = "month") -> date | None:
    """The first day of ``YYYY-MM`` in the sane years, ``None`` when empty, else a ``WindowError``."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        year, month = (int(part) for part in text.split("-"))
        first = date(year, month, 1) if len(text) <= 7 else None
    except ValueError:
        first = None
    if first is None:
        raise WindowError(
            _("%(name)s must be a month written YYYY-MM, e.g. 2026-12, not “%(value)s”.")
            % {"name": name, "value": text[:40]},
            code="invalid_date",
        )
    return in_range(first, name)


def bounded(
    start: When | None,
    end: When | None,
    *,
    default_start: When,
    default_end: When,
    limits: Limits,
    names: tuple[str, str] = ("start", "end"),
) -> tuple[When, When]:
    """The window ``[start, end]`` a surface serves: given bounds checked (sane years, in order,
    at most ``limits.max_span`` apart), missing ones filled as the module says."""
    for value, name in ((start, names[0]), (end, names[1])):
        day = value.date() if isinstance(value, datetime) else value
        # A day's slack: a local date in range may be an instant in UTC on the day before or after.
        if day is not None and not FIRST_DAY - timedelta(days=1) <= day <= LAST_DAY + timedelta(days=1):
            in_range(value, name)
    if start is None and end is None:
        start, end = default_start, default_end
    elif start is None:
        start = default_start if default_start < end else end - limits.default_span
        start = max(start, end - limits.max_span)
    elif end is None:
        end = default_end if default_end > start else start + limits.default_span
        end = min(end, start + limits.max_span)
    elif end < start:
        raise WindowError(
            _("%(end)s must not be before %(start)s.") % {"start": names[0], "end": names[1]},
            code="end_before_start",
        )
    elif end - start > limits.max_span:
        raise WindowError(
            _("Ask for at most %(days)s days between %(start)s and %(end)s.")
            % {"days": limits.max_days, "start": names[0], "end": names[1]},
            code="window_too_long",
        )
    return start, end


class DayField(forms.DateField):
    """A form's date in the sane years (ISO ``YYYY-MM-DD`` and the locale's formats, as
    ``DateField``), so that no form hands a view a date its arithmetic cannot take."""

    default_error_messages = {
        "out_of_range": gettext_lazy("Choose a date between %(first)s and %(last)s."),
    }

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(
                self.error_messages["out_of_range"],
                code="out_of_range",
                params={"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()},
            )
        return day
