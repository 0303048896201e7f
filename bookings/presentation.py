"""How the public pages word a resource and a booking: price, rules, durations, time zones, and
the start / end choices of the booking form. Plain functions over models and ``availability``
values; no queries.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings.models import BookingStatus, BookingUnit, LateCancellation, PaymentState, Resource, ResourceKind
from bookings.selectors import DaySlot
from core import money

#: Each booking status as people read it, in the active language.
STATUS_LABELS = dict(BookingStatus.choices)

#: Statuses shown as still ahead in "My bookings" (the others go to "Past and cancelled").
ACTIVE = (
    BookingStatus.PENDING_APPROVAL,
    BookingStatus.HELD,
    BookingStatus.CONFIRMED,
    BookingStatus.CHECKED_IN,
)


def duration_label(minutes: float) -> str:
    """``30 min``, ``1 h``, ``1 h 30``; whole days above 24 hours."""
    minutes = int(minutes)
    if minutes >= 24 * 60 and minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("%(m)s min") % {"m": rest}
    if not rest:
        return _("%(h)s h") % {"h": hours}
    return _("%(h)s h %(m)02d") % {"h": hours, "m": rest}


def _step_label(minutes: int) -> str:
    return {
        15: _("By the quarter hour"),
        30: _("By the half hour"),
        60: _("By the hour"),
    }.get(minutes) or _("In %(minutes)s-minute slots") % {"minutes": minutes}


def rules_summary(resource: Resource) -> str:
    """One line: how long a booking may be, e.g. "By the half hour, 30 min–4 h" or "Half-day or day"."""
    if resource.booking_unit == BookingUnit.HALF_DAY:
        return _("By the half-day or the whole day")
    if resource.booking_unit == BookingUnit.DAY:
        return _("By the whole day")
    step = _step_label(resource.slot_minutes)
    if resource.max_minutes >= 24 * 60:
        span = _("at least %(min)s") % {"min": duration_label(resource.min_minutes)}
    elif resource.min_minutes == resource.max_minutes:
        span = duration_label(resource.min_minutes)
    else:
        span = _("%(min)s–%(max)s") % {
            "min": duration_label(resource.min_minutes),
            "max": duration_label(resource.max_minutes),
        }
    return _("%(step)s, %(span)s") % {"step": step, "span": span}


def rules_details(resource: Resource) -> list[str]:
    """Every rule a booker should know, as sentences."""
    lines = [rules_summary(resource)]
    if resource.lead_minutes:
        lines.append(_("Book at least %(delay)s ahead.") % {"delay": duration_label(resource.lead_minutes)})
    lines.append(
        ngettext("Bookable up to %(n)s day ahead.", "Bookable up to %(n)s days ahead.", resource.horizon_days)
        % {"n": resource.horizon_days}
    )
    if resource.buffer_minutes and resource.is_exclusive:
        lines.append(_("%(gap)s kept free between bookings.") % {"gap": duration_label(resource.buffer_minutes)})
    if resource.max_per_day:
        lines.append(
            ngettext(
                "At most %(n)s booking per person per day.",
                "At most %(n)s bookings per person per day.",
                resource.max_per_day,
            )
            % {"n": resource.max_per_day}
        )
    if resource.max_per_week:
        lines.append(
            ngettext(
                "At most %(n)s booking per person per week.",
                "At most %(n)s bookings per person per week.",
                resource.max_per_week,
            )
            % {"n": resource.max_per_week}
        )
    if resource.approval_required:
        lines.append(_("The venue approves each booking; you will get an e-mail once it does."))
    lines.append(cancellation_policy(resource))
    return lines


def cancellation_policy(resource: Resource) -> str:
    if resource.is_free:
        return _("Free to cancel until it starts.")
    hours = resource.free_cancel_hours
    if hours >= 48 and hours % 24 == 0:
        delay = ngettext("%(n)s day", "%(n)s days", hours // 24) % {"n": hours // 24}
    else:
        delay = _("%(h)s h") % {"h": hours}
    if resource.late_cancellation == LateCancellation.REFUSED:
        return _("Free to cancel until %(delay)s before the start; no cancellation after that.") % {"delay": delay}
    return _("Free to cancel until %(delay)s before the start; later cancellations are not refunded.") % {
        "delay": delay
    }


def price_label(resource: Resource, language: str) -> str:
    """``Free``, or ``12,50 € per hour``."""
    if resource.is_free:
        return _("Free")
    return _("%(price)s %(unit)s") % {
        "price": money.format_money(resource.price_minor, resource.currency, language),
        "unit": resource.get_pricing_unit_display(),
    }


def capacity_label(resource: Resource) -> str:
    if resource.kind == ResourceKind.DESK_POOL:
        return ngettext("%(n)s desk", "%(n)s desks", resource.capacity) % {"n": resource.capacity}
    if resource.seats:
        return ngettext("Up to %(n)s person", "Up to %(n)s people", resource.seats) % {"n": resource.seats}
    return ""


def amount_label(booking, language: str) -> str:
    """What the booking costs and how it is paid: "Free", "€12.00 — to pay at the venue"."""
    if not booking.amount_minor:
        return _("Free")
    amount = money.format_money(booking.amount_minor, booking.currency, language)
    if booking.payment_state in (PaymentState.NONE, ""):
        return amount
    return _("%(amount)s — %(state)s") % {"amount": amount, "state": booking.get_payment_state_display().lower()}


def utc_offset(moment: datetime, tz: ZoneInfo) -> str:
    """``UTC+01:00`` for ``moment`` in ``tz``."""
    offset = moment.astimezone(tz).utcoffset() or timedelta(0)
    sign = "+" if offset >= timedelta(0) else "-"
    hours, rest = divmod(abs(int(offset.total_seconds())) // 60, 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def zone_note(day: date, window_start: datetime, window_end: datetime, tz: ZoneInfo) -> dict:
    """The zone of the day's times, and the change of offset when the clocks change that day."""
    before = utc_offset(window_start, tz)
    after = utc_offset(window_end - timedelta(microseconds=1), tz)
    return {"name": str(tz.key), "offset": before, "changes_to": after if after != before else ""}


def local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz)


# The booking form's start and end choices -------------------------------------------------------


@dataclass(frozen=True)
class SlotChoices:
    """The start and end options of a slot resource's form, and what to select by default."""

    starts: list[datetime]
    ends: list[datetime]
    start: datetime | None
    end: datetime | None
    #: For the page's script: each possible start and the ends a booking from it may have.
    ends_by_start: dict[datetime, list[datetime]]


def _run_ends(slots: list[DaySlot], index: int, quantity: int, min_minutes: int, max_minutes: int) -> list[datetime]:
    """Ends of the bookings that could start at ``slots[index]``: consecutive free slots with
    ``quantity`` units, lasting from ``min_minutes`` to ``max_minutes``."""
    first = slots[index]
    ends = []
    previous_end = first.start
    for slot in slots[index:]:
        if slot.start != previous_end or slot.state != "free" or slot.remaining < quantity:
            break
        minutes = (slot.end - first.start).total_seconds() / 60
        if minutes > max_minutes:
            break
        if minutes >= min_minutes:
            ends.append(slot.end)
        previous_end = slot.end
    return ends


def preferred_end(ends: list[datetime], start: datetime, min_minutes: int, max_minutes: int) -> datetime | None:
    """An hour when the rules allow it (or the shortest booking if longer), else the nearest end."""
    if not ends:
        return None
    target = start + timedelta(minutes=min(max(min_minutes, 60), max_minutes))
    fitting = [end for end in ends if end <= target]
    return fitting[-1] if fitting else ends[0]


def slot_choices(
    slots: list[DaySlot],
    *,
    min_minutes: int,
    max_minutes: int,
    quantity: int = 1,
    wanted_start: datetime | None = None,
    wanted_end: datetime | None = None,
) -> SlotChoices:
    """Starts that can begin a valid booking and every end a free slot offers (the server checks
    the pair; the page's script narrows the ends to the chosen start). Selected: what the person
    chose (kept even when it no longer fits, so a refused request shows what was asked), else
    the first start and about an hour after it."""
    ends_by_start = {}
    for index, slot in enumerate(slots):
        ends = _run_ends(slots, index, quantity, min_minutes, max_minutes)
        if ends:
            ends_by_start[slot.start] = ends
    start = wanted_start if wanted_start is not None else next(iter(ends_by_start), None)
    end = wanted_end
    if start is not None and end is None:
        end = preferred_end(ends_by_start.get(start, []), start, min_minutes, max_minutes)
        if end is None:  # this start cannot begin a booking: ask anyway, the refusal will say why
            end = start + timedelta(minutes=min(max(min_minutes, 60), max_minutes))
    starts = sorted(set(ends_by_start) | ({start} if start else set()))
    all_ends = sorted({slot.end for slot in slots if slot.state == "free"} | ({end} if end else set()))
    return SlotChoices(starts=starts, ends=all_ends, start=start, end=end, ends_by_start=ends_by_start)
