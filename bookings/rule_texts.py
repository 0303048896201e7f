"""Readable, translatable reasons for every rule the engine enforces, keyed by the rule's code.

The pure ``availability`` module raises codes with parameters; the API returns the code and this
message, so a client can branch on the code and show the message.
"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings.models import BookingStatus


def _count(params: dict, name: str) -> int:
    """The parameter that picks a message's plural form, as a number (0 when missing)."""
    try:
        return int(params.get(name) or 0)
    except (TypeError, ValueError):
        return 0


def rule_message(code: str, **params) -> str:
    """The reason for ``code`` in the active language; a count among the parameters (``minutes``,
    ``days``, ``limit``) picks the singular or plural wording."""
    minutes, days, limit = _count(params, "minutes"), _count(params, "days"), _count(params, "limit")
    texts = {
        "end_before_start": _("The end must be after the start."),
        "quantity_invalid": _("Book at least one."),
        "over_capacity": _("You can book at most %(capacity)s at once here."),
        "in_past": _("This time is in the past."),
        "too_soon": ngettext(
            "Book at least %(minutes)s minute ahead.", "Book at least %(minutes)s minutes ahead.", minutes
        ),
        "beyond_horizon": ngettext(
            "Bookings open at most %(days)s day ahead.", "Bookings open at most %(days)s days ahead.", days
        ),
        # The same words in English either way; other languages inflect "minute".
        "off_grid": ngettext(
            "Start and end must fall on the %(minutes)s-minute grid (e.g. 9:00, 9:30).",
            "Start and end must fall on the %(minutes)s-minute grid (e.g. 9:00, 9:30).",
            minutes,
        ),
        "too_short": ngettext(
            "A booking lasts at least %(minutes)s minute.", "A booking lasts at least %(minutes)s minutes.", minutes
        ),
        "too_long": ngettext(
            "A booking lasts at most %(minutes)s minute.", "A booking lasts at most %(minutes)s minutes.", minutes
        ),
        "day_unit": _("This resource is booked by whole days or half-days (morning or afternoon)."),
        "outside_opening_hours": _("This time is outside the opening hours."),
        "closed": _("The venue is closed on this day."),
        "no_room": _("Someone else has just booked this time: %(remaining)s left. Pick another time."),
        "remote_resource": _("This resource belongs to another node (%(origin)s): book it there."),
        "not_bookable": _("This resource cannot be booked at the moment."),
        "naive_datetime": _("Give times with their UTC offset, e.g. 2026-03-05T09:00:00+01:00."),
        "per_day_limit": ngettext(
            "You already have %(limit)s booking of this resource that day, the most allowed.",
            "You already have %(limit)s bookings of this resource that day, the most allowed.",
            limit,
        ),
        "per_week_limit": ngettext(
            "You already have %(limit)s booking of this resource that week, the most allowed.",
            "You already have %(limit)s bookings of this resource that week, the most allowed.",
            limit,
        ),
        "too_many_holds": ngettext(
            "You already have %(limit)s booking awaiting payment: finish or cancel it first.",
            "You already have %(limit)s bookings awaiting payment: finish or cancel one first.",
            limit,
        ),
        "not_cancellable": _("This booking can no longer be cancelled."),
        "already_started": _("This booking has already started."),
        "cancel_too_late": _("The free-cancellation period is over and this venue does not accept late cancellations."),
        "check_in_window": _("Check-in opens an hour before the start and closes at the end."),
        "not_started": _("A no-show can only be recorded once the booking has started."),
    }
    text = texts.get(code, _("This booking breaks a rule (%(code)s).") % {"code": code})
    try:
        return text % params if params and "%(" in text else text.replace("%%", "%")
    except (KeyError, TypeError):
        return text


def transition_message(from_status: str, to_status: str) -> str:
    labels = dict(BookingStatus.choices)
    return _("A booking that is “%(from)s” cannot become “%(to)s”.") % {
        "from": labels.get(from_status, from_status),
        "to": labels.get(to_status, to_status),
    }
