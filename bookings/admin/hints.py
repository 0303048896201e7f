"""What the admin says where an action is missing, and about a booking on a closed day.

The reasons come from ``state_machine.moves_waiting`` (the rules the services enforce) and the
closures from ``selectors.closures_covering``: this module only words them, in the venue's time.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bookings import state_machine


def _at(moment: datetime, tz: ZoneInfo, day: date) -> str:
    """``08:00`` on ``day`` in the venue's zone; with its date on another day."""
    local = moment.astimezone(tz)
    if local.date() == day:
        return f"{local:%H:%M}"
    return f"{date_format(local, 'SHORT_DATE_FORMAT')} {local:%H:%M}"


def waiting_labels(booking, now: datetime, tz: ZoneInfo, *, among: tuple[str, ...]) -> list[str]:
    """Why the moves of ``among`` the booking's status allows are not offered now, as sentences."""
    labels = []
    for waiting in state_machine.moves_waiting(booking, now, among=among):
        if waiting.code == "check_in_later":
            day = booking.start.astimezone(tz).date()
            labels.append(_("Check-in from %(time)s") % {"time": _at(waiting.at, tz, day)})
        elif waiting.code == "check_in_closed":
            labels.append(_("Check-in closed"))
        elif waiting.code == "approve_too_late":
            labels.append(_("Too late to approve"))
        elif waiting.code == "awaiting_payment":
            labels.append(
                _("Awaiting payment until %(time)s") % {"time": _at(waiting.at, tz, now.astimezone(tz).date())}
            )
        # "no_show_later" goes unsaid: a no-show follows the start, which the check-in hint implies.
    return labels


def closure_flag(closures) -> str:
    """``This day is closed (closure: …)`` for the closures a booking falls on; empty if none."""
    if not closures:
        return ""
    return _("This day is closed (closure: %(closures)s)") % {"closures": ", ".join(str(c) for c in closures)}
