"""The public event pages: the agenda (list and month), registering for a date, the waitlist, a
date as a calendar file (what the Wagtail pages show is ``page_context``).

Thin views: they read the request with ``forms_public``, call one service or selector, and
render or redirect. Refusals from the services (``InvalidInput``, ``Conflict``) come back to the
event page as messages, with the chosen date and number of seats kept in its query string.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from bookings import availability as av
from bookings.payments import pay_links
from bookings.throttles import over_rate
from core import identity, page_cache, windows
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from events import presentation, selectors, services
from events.forms_public import AgendaFilterForm, OccurrenceForm, RegistrationForm
from events.models import (
    Event,
    ProgrammePage,
    WaitlistEntry,
    occurrence_key,
    parse_occurrence_key,
)

LOGIN_URL = reverse_lazy("account_login")
#: Dates per page of the agenda's list, and the days it covers when no range is asked.
PAGE_SIZE = 40
LIST_DAYS = 31
#: The agenda's month view shows at most this many dates (a bounded page whatever the network).
MONTH_LIMIT = 600
#: Zones are at most 14 hours from UTC: the window is widened by that, then cut at local days.
ZONE_MARGIN = timedelta(hours=14)


def _language() -> str:
    return (translation.get_language() or settings.LANGUAGE_CODE)[:2]


# The agenda -------------------------------------------------------------------------------------


def _month(text: str, today: date) -> tuple[date, str]:
    """The first day of ``YYYY-MM`` (within ``core.windows``' years); today's month and the reason
    when it cannot be read."""
    try:
        return windows.parse_month(text) or today.replace(day=1), ""
    except windows.WindowError as error:
        return today.replace(day=1), str(error.message)


def _occurrences_between(events, first: date, last: date, now: datetime, *, hide_ended: bool):
    """Occurrences whose local day (in their venue's zone) is within ``[first, last]``."""
    paris = ZoneInfo(settings.TIME_ZONE)
    start = av.wall_clock(first, datetime.min.time(), paris) - ZONE_MARGIN
    end = av.wall_clock(last + timedelta(days=1), datetime.min.time(), paris) + ZONE_MARGIN
    pairs = presentation.expand(events, start=start, end=end, now=now)
    return [
        (event, occurrence)
        for event, occurrence in pairs
        if first <= occurrence.start.date() <= last and not (hide_ended and occurrence.end <= now)
    ]


@require_GET
def agenda(request):
    """Upcoming dates across the network, by day (or as a month), narrowed by the filters."""
    # Unfiltered (or one page of it), the same for every anonymous visitor, with seats left.
    page_cache.cache_this_page(request, seats=True, keyed=("page",))
    now = timezone.now()
    language = _language()
    today = now.astimezone(ZoneInfo(settings.TIME_ZONE)).date()
    form = AgendaFilterForm(request.GET or None, choices=selectors.agenda_choices(now=now))
    if form.is_bound:
        form.is_valid()  # invalid fields are shown with their error and left out
    filters = form.filters()
    query = form.query()
    month_view = request.GET.get("view") == "month"
    context = {"form": form, "month_view": month_view, "query": urlencode(query)}
    if month_view:
        first, month_error = _month(request.GET.get("month", ""), today)
        if month_error:
            context["month_error"] = month_error
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        events = selectors.agenda_events(filters=filters, start=_utc(first) - ZONE_MARGIN, end=_utc(last) + ZONE_MARGIN)
        pairs = _occurrences_between(events, first, last, now, hide_ended=False)
        truncated = len(pairs) > MONTH_LIMIT
        rows = presentation.rows_for(pairs[:MONTH_LIMIT], request=request, language=language, now=now)
        context.update(
            month=first,
            month_label=formats.date_format(first, "F Y"),
            weeks=presentation.month_grid(first, rows, today),
            weekdays=[formats.date_format(date(2024, 1, n), "l") for n in range(1, 8)],
            prev_month=(first - timedelta(days=1)).strftime("%Y-%m"),
            next_month=(last + timedelta(days=1)).strftime("%Y-%m"),
            count=len(rows),
            truncated=truncated,
        )
    else:
        first, last = form.days(today, LIST_DAYS)
        events = selectors.agenda_events(
            filters=filters, start=_utc(first) - ZONE_MARGIN, end=_utc(last + timedelta(days=1)) + ZONE_MARGIN
        )
        pairs = _occurrences_between(events, first, last, now, hide_ended=True)
        page_obj = Paginator(pairs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = presentation.rows_for(list(page_obj.object_list), request=request, language=language, now=now)
        context.update(
            first=first,
            last=last,
            days=presentation.by_day(rows),
            page_obj=page_obj,
            count=page_obj.paginator.count,
            later_query=urlencode(
                {
                    **query,
                    "start": (last + timedelta(days=1)).isoformat(),
                    "end": (last + timedelta(days=1 + (last - first).days)).isoformat(),
                }
            ),
        )
    feed_query = {**query, "lang": language} if language != settings.LANGUAGE_CODE else query
    feed_url = presentation.events_feed_url(request, feed_query)
    context.update(
        feed_url=feed_url,
        webcal_url=presentation.webcal(feed_url),
        this_month=today.strftime("%Y-%m"),
        errors=[
            {"anchor": form[name].auto_id, "message": message}
            for name, errors in (form.errors.items() if form.is_bound else [])
            if name in form.fields
            for message in errors
        ],
    )
    # A filter or month that could not be read is shown with its error, and answered as bad input.
    status = 400 if context["errors"] or context.get("month_error") else 200
    return TemplateResponse(request, "events/agenda.html", context, status=status)


def _utc(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)


# One date as a calendar file ------------------------------------------------------------------


@require_GET
def occurrence_ics(request, pk: int, key: str):
    event = selectors.event_get(pk=pk)
    recurrence_id = parse_occurrence_key(key)
    occurrence = selectors.occurrence_get(event, recurrence_id) if event and recurrence_id else None
    if occurrence is None:
        raise Http404(_("This event has no date at that time."))
    language = _language()
    url = request.build_absolute_uri(presentation.page_urls([event], request, language).get(event.pk, "/"))
    venue = event.venue
    location = ", ".join(part for part in (venue.title, venue.street_address, venue.postcode, venue.city) if part)
    body = presentation.occurrence_ics(event, occurrence, url=url, language=language, location=location)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}-{key}.ics"'
    return response


# Registering and the waitlist -----------------------------------------------------------------


def _event_or_404(pk: int) -> Event:
    event = selectors.event_get(pk=pk)
    if event is None:
        raise Http404(_("This event is not published."))
    return event


def _event_page_url(request, event: Event, **params) -> str:
    url = presentation.page_urls([event], request, _language()).get(event.pk) or reverse("events:agenda")
    if event.programme_id:
        return f"{url}#session-{event.pk}"
    params = {name: value for name, value in params.items() if value}
    return url + (f"?{urlencode(params)}" if params else "") + "#register"


def _after_booking(booking, now: datetime):
    """Where a new registration goes: Stripe's Checkout when it waits for payment, else its page."""
    if pay_links.awaits_payment(booking, now):
        return redirect(pay_links.pay_path(booking))
    return redirect(reverse("bookings:detail", kwargs={"reference": booking.reference}) + "?new=1")


def _refused(request, error) -> None:
    messages.error(request, str(error.message if hasattr(error, "message") else error))


def _refused_unless_unconfirmed(request, error: PermissionDenied, back: str):
    """An unconfirmed address goes to the page that sends the link again, then comes back here."""
    if error.code == "email_unverified":
        return redirect(identity.confirm_first_url(back))
    _refused(request, error)
    return redirect(back)


@require_POST
def register(request, pk: int):
    """Register for one date of an event (a booking on its seats), then go to the booking."""
    event = _event_or_404(pk)
    form = RegistrationForm(request.POST)
    valid = form.is_valid()
    key = request.POST.get("date", "")
    quantity = form.cleaned_data.get("quantity") if valid else request.POST.get("quantity", "")
    back = _event_page_url(request, event, date=key, quantity=quantity if quantity not in ("", 1, "1") else "")
    if not request.user.is_authenticated:
        return redirect_to_login(back, LOGIN_URL)
    recurrence_id = parse_occurrence_key(form.cleaned_data["date"]) if valid else None
    if not valid or recurrence_id is None:
        messages.error(request, _("Choose one of the dates listed, and between 1 and 10 seats."))
        return redirect(back)
    if over_rate(request):
        messages.error(request, _("Too many bookings in a short time: wait a minute."))
        return redirect(back)
    now = timezone.now()
    try:
        booking = services.registration_create(
            user=request.user,
            event=event,
            recurrence_id=recurrence_id,
            quantity=form.cleaned_data["quantity"],
            language=_language(),
            now=now,
        )
    except PermissionDenied as error:
        return _refused_unless_unconfirmed(request, error, back)
    except (InvalidInput, Conflict, NotFound) as error:
        _refused(request, error)
        return redirect(back)
    return _after_booking(booking, now)


def _waitlist_url(request, event: Event, key: str) -> str:
    """The event page on one date's waitlist block (``page_context`` focuses it): after joining,
    the position; after a log-in, a form to confirm the click made before it (as the booking page
    keeps its choice across a log-in; nothing is joined on a GET)."""
    if event.programme_id or parse_occurrence_key(key) is None:
        return _event_page_url(request, event, date=key)
    url = presentation.page_urls([event], request, _language()).get(event.pk) or reverse("events:agenda")
    return f"{url}?{urlencode({'date': key, 'waitlist': key})}#waitlist-{key}"


@require_POST
def waitlist_join(request, pk: int):
    """Join a full date's waitlist, then back to that date's row, which shows the position."""
    event = _event_or_404(pk)
    form = OccurrenceForm(request.POST)
    key = request.POST.get("date", "")
    back = _event_page_url(request, event, date=key)  # a refusal is shown at the top of the page
    if not request.user.is_authenticated:
        return redirect_to_login(_waitlist_url(request, event, key), LOGIN_URL)
    recurrence_id = parse_occurrence_key(form.cleaned_data["date"]) if form.is_valid() else None
    if recurrence_id is None:
        messages.error(request, _("Choose one of the dates listed."))
        return redirect(back)
    try:
        entry = services.waitlist_join(
            user=request.user, event=event, recurrence_id=recurrence_id, language=_language()
        )
    except PermissionDenied as error:
        return _refused_unless_unconfirmed(request, error, back)
    except (InvalidInput, Conflict, NotFound) as error:
        _refused(request, error)
        return redirect(back)
    if event.programme_id:  # the programme page has no anchor per date: say it at the top
        messages.success(
            request,
            _("You are number %(n)s on the waitlist. If a seat frees, we hold it for you and send you an e-mail.")
            % {"n": selectors.waitlist_position(entry)},
        )
    return redirect(_waitlist_url(request, event, key))


def _entry_or_404(request, pk: int) -> WaitlistEntry:
    entry = WaitlistEntry.objects.filter(pk=pk, user=request.user).select_related("event").first()
    if entry is None:
        raise Http404(_("You have no place on this waitlist."))
    return entry


def _next_or(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    # Only a path on this site (no scheme, no host): never an open redirect.
    if target.startswith("/") and not target.startswith("//"):
        return target
    return fallback


@require_POST
def waitlist_leave(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("bookings:mine"), LOGIN_URL)
    entry = _entry_or_404(request, pk)
    back = _next_or(request, _event_page_url(request, entry.event, date=occurrence_key(entry.recurrence_id)))
    try:
        services.waitlist_leave(entry=entry, user=request.user)
    except (InvalidInput, PermissionDenied) as error:
        _refused(request, error)
        return redirect(back)
    messages.success(request, _("You have left the waitlist."))
    return redirect(back)


@require_POST
def waitlist_accept(request, pk: int):
    """Take the seat held for you: confirmed at once when free, else on to payment."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("bookings:mine"), LOGIN_URL)
    entry = _entry_or_404(request, pk)
    now = timezone.now()
    try:
        booking = services.waitlist_accept(entry=entry, user=request.user, now=now)
    except (InvalidInput, PermissionDenied) as error:
        _refused(request, error)
        return redirect(_next_or(request, reverse("bookings:mine")))
    if pay_links.awaits_payment(booking, now):
        return redirect(pay_links.pay_path(booking))
    messages.success(request, _("Your seat is confirmed."))
    return redirect(reverse("bookings:detail", kwargs={"reference": booking.reference}) + "?new=1")


@require_POST
def programme_register(request, pk: int):
    """Register for every session of a programme at once (all or nothing)."""
    programme = ProgrammePage.objects.live().filter(pk=pk).first()
    if programme is None:
        raise Http404(_("This programme is not published."))
    back = (programme.get_url(request) or "/") + "#register-whole"
    if not request.user.is_authenticated:
        return redirect_to_login(back, LOGIN_URL)
    if over_rate(request):
        messages.error(request, _("Too many bookings in a short time: wait a minute."))
        return redirect(back)
    now = timezone.now()
    try:
        bookings = services.programme_register(user=request.user, programme=programme, language=_language(), now=now)
    except PermissionDenied as error:
        return _refused_unless_unconfirmed(request, error, back)
    except (InvalidInput, Conflict, NotFound) as error:
        _refused(request, error)
        return redirect(back)
    unpaid = [booking for booking in bookings if pay_links.awaits_payment(booking, now)]
    if len(bookings) == 1:
        return _after_booking(bookings[0], now)
    if unpaid:
        messages.success(
            request,
            _(
                "Your seats are held for %(n)s sessions. Pay for each from its booking page "
                "before the hold ends to confirm it."
            )
            % {"n": len(bookings)},
        )
    else:
        messages.success(request, _("You are registered for %(n)s sessions.") % {"n": len(bookings)})
    return redirect("bookings:mine")
