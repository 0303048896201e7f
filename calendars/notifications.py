"""E-mails to a venue's team about its outside calendars: bookings an imported busy time now
overlaps, and a calendar that keeps failing.

Each manager is written to in the language they chose (``selectors.venue_team_recipients``),
times in the venue's zone. The address is never in an e-mail: the calendar is named by its name
and masked address (``ExternalCalendar.address_hint``).
"""

from __future__ import annotations

import logging
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookings.ics.links import site_url
from bookings.notifications import email_span, local_moment
from calendars import selectors
from calendars.models import CalendarConflict, ErrorCode, ExternalCalendar
from core import text

logger = logging.getLogger(__name__)

#: The admin's list of outside calendars, where a manager fixes one.
ADMIN_CALENDARS = "/admin/calendars/"


def calendar_label(calendar: ExternalCalendar) -> str:
    """``Planning salle (calendar.google.com/…/basic.ics)`` — never the address itself."""
    return f"{calendar.name} ({calendar.address_hint})" if calendar.name else calendar.address_hint


def blocks_what(calendar: ExternalCalendar) -> str:
    if calendar.resource_id:
        return calendar.resource.name
    return _("the whole venue %(venue)s") % {"venue": calendar.venue.title}


def _send(venue, subject_and_body) -> int:
    """One e-mail per recipient, each written in the recipient's language."""
    sent = 0
    tz = ZoneInfo(venue.timezone)
    for address, language in selectors.venue_team_recipients(venue):
        with translation.override(language), timezone.override(tz):
            subject, body = subject_and_body(tz)
        message = EmailMessage(
            subject=text.one_line(f"[{settings.ESSAIM_NODE_NAME}] {subject}"),
            body=text.multi_line(body),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        sent += message.send()
    if not sent:
        logger.warning("venue %s has no address to write to about its calendars", venue.pk)
    return sent


def conflicts_notify(conflict_ids: list[int]) -> int:
    """Tell the venue's team about the conflicts not told yet, each once: claimed under a row lock
    and marked in the same transaction as the sending (a failed send leaves them to the retry).
    Returns the number of conflicts told."""
    with transaction.atomic():
        conflicts = list(
            selectors.conflicts_to_notify(conflict_ids)
            .filter(notified_at__isnull=True)
            .select_for_update(of=("self",), skip_locked=True)
        )
        if not conflicts:
            return 0
        by_calendar: dict[int, list[CalendarConflict]] = {}
        for conflict in conflicts:
            by_calendar.setdefault(conflict.calendar_id, []).append(conflict)
        for items in by_calendar.values():
            _send(items[0].calendar.venue, partial(_conflicts_mail, items[0].calendar, items))
        CalendarConflict.objects.filter(pk__in=[c.pk for c in conflicts]).update(notified_at=timezone.now())
    return len(conflicts)


def _conflicts_mail(calendar: ExternalCalendar, items: list[CalendarConflict], tz: ZoneInfo) -> tuple[str, str]:
    count = len({c.booking_id for c in items})
    subject = ngettext(
        "Outside calendar overlaps %(count)s booking at %(venue)s",
        "Outside calendar overlaps %(count)s bookings at %(venue)s",
        count,
    ) % {"count": count, "venue": calendar.venue.title}
    lines = [
        _(
            "The outside calendar %(calendar)s, which blocks %(what)s, now has busy times that overlap "
            "bookings. The bookings are kept: decide whether to move or cancel them, or to change the "
            "outside calendar."
        )
        % {"calendar": calendar_label(calendar), "what": blocks_what(calendar)},
        "",
    ]
    for conflict in items:
        booking = conflict.booking
        lines.append(
            _("- Booking %(reference)s (%(resource)s, %(status)s), %(when)s; busy outside: %(busy)s. %(url)s")
            % {
                "reference": booking.reference,
                "resource": booking.resource.name,
                "status": booking.get_status_display(),
                "when": email_span(booking.start, booking.end, tz),
                "busy": email_span(conflict.start, conflict.end, tz),
                "url": site_url(reverse("booking_list:detail", kwargs={"pk": booking.pk})),
            }
        )
    return subject, "\n".join(lines)


def calendar_failing_notify(calendar_id: int) -> int:
    """Tell the venue's team that a calendar has been failing since ``failing_since``: what it says,
    and where to fix it. Skipped if it has recovered meanwhile."""
    calendar = ExternalCalendar.objects.select_related("venue", "resource").filter(pk=calendar_id).first()
    if calendar is None or calendar.failing_since is None:
        return 0

    def write(tz):
        subject = _("Outside calendar failing: %(calendar)s") % {"calendar": calendar_label(calendar)}
        reason = ErrorCode(calendar.error_code).label if calendar.error_code in ErrorCode.values else ""
        body = _(
            "The outside calendar %(calendar)s, which blocks %(what)s, could not be read since %(since)s.\n\n"
            "Why: %(reason)s %(detail)s\n\n"
            "Until it is read again, Essaim keeps the busy times of its last good import and new ones in the "
            "outside calendar do not block anything here. Check the address (paste it again if it was renewed) "
            "or remove the calendar: %(url)s"
        ) % {
            "calendar": calendar_label(calendar),
            "what": blocks_what(calendar),
            "since": local_moment(calendar.failing_since, tz),
            "reason": reason,
            "detail": calendar.error,
            "url": site_url(ADMIN_CALENDARS),
        }
        return subject, body

    return _send(calendar.venue, write)
