"""Money, dates, times and numbers in templates, as the CLDR data writes them in the active language.

``{% load essaim_format %}`` then ``{{ booking.amount_minor|money:booking.currency }}``,
``{{ booking.start|local_datetime:tzname }}``, ``{{ day|long_date }}``, ``{{ n|number }}``. The
date filters take the venue's time zone (a name or a ``ZoneInfo``) and leave empty values empty.
"""

from django import template

from core import formatting

register = template.Library()


@register.filter
def money(amount_minor, currency):
    """Minor units and their currency: ``{{ 500000|money:"XOF" }}`` → ``5 000 F CFA`` in French."""
    if amount_minor in (None, "") or not currency:
        return ""
    return formatting.money_label(int(amount_minor), str(currency))


@register.filter
def local_date(moment, tz=None):
    return formatting.date_label(moment, tz) if moment else ""


@register.filter
def long_date(moment, tz=None):
    return formatting.long_date_label(moment, tz) if moment else ""


@register.filter
def local_datetime(moment, tz=None):
    return formatting.datetime_label(moment, tz) if moment else ""


@register.filter
def local_time(moment, tz=None):
    return formatting.time_label(moment, tz) if moment else ""


@register.filter
def number(value):
    return "" if value in (None, "") else formatting.number_label(value)
