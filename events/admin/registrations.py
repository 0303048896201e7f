"""The venue managers' side of events in the Wagtail admin: who registered, and dates on closures.

Event pages are edited with Wagtail's own page editor (``events.admin.forms.EventPageForm`` checks the
dates); this module adds what the editor cannot show:

* ``RegistrationsView``: for one event page (or a programme), its upcoming dates with the seats
  taken and left, the people registered and the waitlist, and the same as CSV. A manager sees
  the events of the venues they manage (``venues.permissions.manages_venue``); a hub's team
  sees every session of its programmes; network admins see all.
* ``closure_warning``: the text that tells a manager which dates fall on the venue's closures,
  shown after a publish and in the editor (``events.wagtail_hooks``).

Reads only: nothing here changes state.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.models import Locale, Page

from bookings.models import OCCUPYING, BookingStatus
from bookings.presentation import STATUS_LABELS
from core.formatting import csv_safe, money_label, time_span_label
from events import selectors
from events.models import WAITLIST_OPEN, Event, EventPage, ProgrammePage, Registration, WaitlistEntry
from venues.permissions import manages_venue

#: How many upcoming dates of a repeating event the page lists.
DATES_SHOWN = 12


def canonical_page(page: Page) -> Page:
    default = Locale.get_default()
    if page.locale_id == default.pk:
        return page
    return page.get_translation_or_none(default) or page


def page_events(page: Page) -> list[Event]:
    """The schedule rows of an event page or a programme (any translation), sessions in time order."""
    page = page.specific
    if isinstance(page, ProgrammePage):
        return list(
            Event.objects.filter(programme__translation_key=page.translation_key)
            .select_related("venue", "seats")
            .order_by("start", "id")
        )
    if isinstance(page, EventPage):
        event = selectors.event_for_page(page)
        return [event] if event else []
    return []


def visible_events(user, page: Page) -> list[Event]:
    """The rows of ``page`` this user may look at: all of them for the page's own venue team (the
    event's venue, a programme's hub), else the sessions held at a venue they manage."""
    events = page_events(page)
    parent = canonical_page(page).get_parent()
    if parent is not None and manages_venue(user, parent.pk):
        return events
    return [event for event in events if manages_venue(user, event.venue_id)]


# Closures ---------------------------------------------------------------------------------------


def occurrence_label(start: datetime, end: datetime, timezone_name: str) -> str:
    return time_span_label(start, end, ZoneInfo(timezone_name))


def closure_warning(page: Page, *, now: datetime | None = None) -> str:
    """ "These dates fall on days the venue is closed: …", or "" when none does."""
    found = []
    for event in page_events(page):
        for occurrence in selectors.occurrences_in_closures(event, now=now):
            label = occurrence_label(occurrence.start, occurrence.end, event.timezone)
            found.append(f"{label} ({event.venue.title})" if event.programme_id else label)
    if not found:
        return ""
    shown = ", ".join(found[:10]) + (" …" if len(found) > 10 else "")
    return ngettext(
        "%(count)s date falls on a day the venue is closed: %(dates)s. "
        "Cancel or move it (Repeats › Changed or cancelled date), or check the venue's closures.",
        "%(count)s dates fall on days the venue is closed: %(dates)s. "
        "Cancel or move them (Repeats › Changed or cancelled date), or check the venue's closures.",
        len(found),
    ) % {"count": len(found), "dates": shown}


# Registrations ----------------------------------------------------------------------------------


@dataclass
class Attendee:
    name: str
    email: str
    quantity: int
    status: str
    registered_at: datetime
    reference: str
    booking_id: int = 0
    whole_programme: bool = False


@dataclass
class Waiting:
    position: int
    name: str
    email: str
    status: str
    since: datetime


@dataclass
class DateRow:
    event: Event
    label: str
    recurrence_id: datetime
    cancelled: bool
    capacity: int
    taken: int
    attendees: list[Attendee] = field(default_factory=list)
    waitlist: list[Waiting] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.taken)


def roster(events: list[Event], *, now: datetime, limit: int = DATES_SHOWN) -> list[DateRow]:
    """Each event's next ``limit`` dates with seats, registrants and waitlist: four queries an event."""
    rows: list[DateRow] = []
    for event in events:
        upcoming = selectors.upcoming(event, now=now, limit=limit)
        if not upcoming:
            continue
        keys = [o.recurrence_id.astimezone(UTC) for o in upcoming]
        taken = selectors.seats_taken(event, [o.start.astimezone(UTC) for o in upcoming], now=now)
        attendees: dict[datetime, list[Attendee]] = defaultdict(list)
        registrations = (
            Registration.objects.filter(event=event, recurrence_id__in=keys, booking__status__in=list(OCCUPYING))
            .exclude(booking__status=BookingStatus.HELD, booking__expires_at__lte=now)
            .select_related("booking__user")
            .order_by("created_at", "pk")
        )
        for registration in registrations:
            booking = registration.booking
            attendees[registration.recurrence_id].append(
                Attendee(
                    name=booking.user.get_full_name() or booking.user.get_username(),
                    email=booking.user.email,
                    quantity=booking.quantity,
                    status=str(STATUS_LABELS.get(booking.status, booking.status)),
                    registered_at=registration.created_at,
                    reference=booking.reference,
                    booking_id=booking.pk,
                    whole_programme=registration.whole_programme,
                )
            )
        waiting: dict[datetime, list[Waiting]] = defaultdict(list)
        entries = (
            WaitlistEntry.objects.filter(event=event, recurrence_id__in=keys, status__in=WAITLIST_OPEN)
            .select_related("user")
            .order_by("created_at", "pk")
        )
        for entry in entries:
            queue = waiting[entry.recurrence_id]
            queue.append(
                Waiting(
                    position=len(queue) + 1,
                    name=entry.user.get_full_name() or entry.user.get_username(),
                    email=entry.user.email,
                    status=entry.get_status_display(),
                    since=entry.created_at,
                )
            )
        for occurrence, key in zip(upcoming, keys, strict=True):
            rows.append(
                DateRow(
                    event=event,
                    label=occurrence_label(occurrence.start, occurrence.end, event.timezone),
                    recurrence_id=key,
                    cancelled=selectors.is_cancelled(event, occurrence),
                    capacity=event.capacity,
                    taken=taken.get(occurrence.start.astimezone(UTC), 0),
                    attendees=attendees.get(key, []),
                    waitlist=waiting.get(key, []),
                )
            )
    rows.sort(key=lambda row: (row.recurrence_id, row.event.pk))
    return rows


def registrations_url(page: Page) -> str:
    return reverse("events_admin:registrations", args=[page.pk])


def can_see_registrations(user, page: Page) -> bool:
    """Shown on event and programme pages to the people who manage their venue."""
    if not issubclass(page.specific_class or Page, EventPage | ProgrammePage):
        return False
    parent = canonical_page(page).get_parent()
    return parent is not None and manages_venue(user, parent.pk)


class RegistrationsView(WagtailAdminTemplateMixin, TemplateView):
    """Upcoming dates of an event or programme: seats taken and left, who registered, who waits."""

    template_name = "events/admin/registrations.html"
    header_icon = "group"
    page_title = gettext_lazy("Registrations")

    @cached_property
    def page(self) -> Page:
        page = get_object_or_404(Page, pk=self.kwargs["page_id"]).specific
        if not isinstance(page, EventPage | ProgrammePage):
            raise Http404
        return page

    @cached_property
    def events(self) -> list[Event]:
        events = visible_events(self.request.user, self.page)
        if not events and not can_see_registrations(self.request.user, self.page):
            raise PermissionDenied
        return events

    @cached_property
    def rows(self) -> list[DateRow]:
        return roster(self.events, now=timezone.now())

    def get_page_subtitle(self):
        return self.page.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("wagtailadmin_pages:edit", args=[self.page.pk]), "label": self.page.title},
            {"url": "", "label": _("Registrations")},
        ]

    def get(self, request, *args, **kwargs):
        self.events  # noqa: B018 (the permission check, before anything is rendered)
        if request.GET.get("export") == "csv":
            return self.csv_response()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = self.rows
        event = self.events[0] if self.events else None
        context.update(
            event_page=self.page,
            events=self.events,
            rows=rows,
            is_programme=isinstance(self.page, ProgrammePage),
            price=(money_label(event.price_minor, event.currency) if event and event.price_minor else _("Free"))
            if event
            else "",
            edit_url=reverse("wagtailadmin_pages:edit", args=[self.page.pk]),
            csv_url=f"{self.request.path}?export=csv",
            closure_warning=closure_warning(self.page),
            totals={
                "taken": sum(row.taken for row in rows if not row.cancelled),
                "waiting": sum(len(row.waitlist) for row in rows),
            },
        )
        return context

    def csv_response(self):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="registrations-{self.page.slug}-{timezone.localdate():%Y-%m-%d}.csv"'
        )
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(
            [
                _("Event"),
                _("Date (local time)"),
                _("Venue"),
                _("List"),
                _("Name"),
                _("E-mail"),
                _("Seats"),
                _("Status"),
                _("Since"),
                _("Reference"),
            ]
        )
        for row in self.rows:
            common = [csv_safe(row.event.title()), row.label, csv_safe(row.event.venue.title)]
            for person in row.attendees:
                writer.writerow(
                    common
                    + [
                        _("Registered"),
                        csv_safe(person.name),
                        csv_safe(person.email),
                        person.quantity,
                        person.status,
                        f"{timezone.localtime(person.registered_at):%Y-%m-%d %H:%M}",
                        person.reference,
                    ]
                )
            for person in row.waitlist:
                writer.writerow(
                    common
                    + [
                        _("Waitlist (%(position)s)") % {"position": person.position},
                        csv_safe(person.name),
                        csv_safe(person.email),
                        1,
                        person.status,
                        f"{timezone.localtime(person.since):%Y-%m-%d %H:%M}",
                        "",
                    ]
                )
        return response
