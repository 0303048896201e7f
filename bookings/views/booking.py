"""A resource's day (slots or parts of the day, in the venue's time) and its booking form."""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bookings import presentation, remote, search, selectors, services
from bookings.forms import BookingForm, DayForm, field_for_code, parse_instant
from bookings.models import BookingUnit, Resource
from bookings.payments import pay_links
from bookings.throttles import over_rate
from bookings.views.common import LOGIN_URL, error_list, page_language
from core import identity, windows
from core.errors import Conflict, InvalidInput, PermissionDenied, Unavailable
from core.localized import LocalText
from venues.selectors import venues_localized

#: The booking form's fields kept in the query string when booking has to wait for a log-in.
CARRIED_THROUGH_LOGIN = ("day", "start", "end", "preset", "quantity")
#: How many days ahead the booking page looks for the first day with free time.
FIRST_FREE_LOOKAHEAD = 14


@require_http_methods(["GET", "POST"])
def resource_book(request, pk: int):
    """GET: the day's slots in the venue's local time and the booking form. POST: book, then go
    to the confirmation; on a refusal, the same page with the reason and the person's input."""
    resource = search.resource_bookable_get(pk=pk)
    place = _place_here
    if resource is not None and resource.is_remote:
        # Another node's resource, mirrored here: the same page, booked through that node.
        place = remote.placer()
        resource = search.resource_mirror_get(pk=pk) if place else None
    if resource is None:
        raise Http404(_("This resource does not exist or cannot be booked."))
    now = timezone.now()
    tz = selectors.resource_timezone(resource)
    today = now.astimezone(tz).date()
    uses_presets = resource.booking_unit != BookingUnit.SLOTS
    wanted_start = wanted_end = None
    day = None
    refused = []  # a day asked for in the query string that cannot be shown: said, and a 400
    if request.method == "POST":
        if not request.user.is_authenticated:
            # Back to this page after logging in (or signing up), with the chosen day and start preselected.
            return redirect_to_login(_chosen_path(request), LOGIN_URL)
        form = BookingForm(request.POST, presets=uses_presets)
        if not identity.email_verified(request.user):
            # Nothing is booked: first the link in the e-mail, then back to this choice.
            return redirect(identity.confirm_first_url(_chosen_path(request)))
        next_url = _book(request, resource, form, now, place) if form.is_valid() else None
        if next_url:
            return redirect(next_url)
        day, wanted_start, wanted_end = _posted_day(form, tz)
    else:
        # What was chosen before logging in comes back in the query string.
        form = BookingForm(presets=uses_presets, initial={"quantity": _int(request.GET.get("quantity"))})
        day_form = DayForm(request.GET)
        if day_form.is_valid():
            day = day_form.cleaned_data["day"]
        else:
            refused = day_form.errors.get("day", [])
        wanted_start = parse_instant(request.GET.get("start", ""))
        wanted_end = parse_instant(request.GET.get("end", "")) if wanted_start else None
    if day is None:
        day = selectors.resource_first_free_day(resource=resource, today=today, days=FIRST_FREE_LOOKAHEAD, now=now) or (
            wanted_start.astimezone(tz).date() if wanted_start else today
        )
    context = _day_context(request, resource, form, day, wanted_start, wanted_end, now)
    context["day_errors"] = refused
    status = 400 if refused else 200
    if form.is_bound and form.errors:
        codes = {e.code for e in form.errors.as_data().get("__all__", [])}
        status = 409 if "no_room" in codes else 429 if "throttled" in codes else 400
    return TemplateResponse(request, "bookings/resource_book.html", context, status=status)


def _chosen_path(request) -> str:
    """This page with what was chosen in the posted form, to come back to after a detour."""
    chosen = {name: request.POST[name] for name in CARRIED_THROUGH_LOGIN if request.POST.get(name)}
    return request.path + (f"?{urlencode(chosen)}" if chosen else "") + "#book-form"


def _day_context(request, resource: Resource, form: BookingForm, day: date, wanted_start, wanted_end, now) -> dict:
    """The booking page's day (slots or parts of the day) and the form's choices."""
    tz = selectors.resource_timezone(resource)
    today = now.astimezone(tz).date()
    last_day = today + timedelta(days=resource.horizon_days)
    uses_presets = resource.booking_unit != BookingUnit.SLOTS
    day_view = selectors.resource_day(resource=resource, day=day, now=now)
    context = {
        "resource": resource,
        # Written once, in the node's language: marked as such on a page in another.
        "description": LocalText(resource.description, settings.LANGUAGE_CODE),
        "venue": venues_localized([resource.venue])[0],
        "facts": resource.venue,
        "tzname": tz.key,
        "day": day,
        "today": today,
        "last_day": last_day,
        "in_past": day < today,
        "beyond": day > last_day,
        "prev_day": day - timedelta(days=1) if day > today else None,
        "next_day": day + timedelta(days=1) if day < last_day else None,
        "days_strip": _days_strip(day, today, last_day),
        "zone": presentation.zone_note(day, day_view.window.start, day_view.window.end, tz),
        "day_view": day_view,
        "free_count": sum(1 for slot in day_view.slots if slot.state == "free"),
        "uses_presets": uses_presets,
        "form": form,
        "errors": error_list(form),
        "price": presentation.price_label(resource, page_language()),
        "capacity": presentation.capacity_label(resource),
        "rules": presentation.rules_details(resource),
        "is_pool": not resource.is_exclusive,
    }
    if uses_presets:
        free_presets = [slot.name for slot in day_view.slots if slot.state == "free"]
        if form.is_bound:
            chosen = form["preset"].value() or ""
        else:  # asked in the query string (by name, or by its start and end), else the first free one
            asked = [request.GET.get("preset")] + [
                slot.name for slot in day_view.slots if (slot.start, slot.end) == (wanted_start, wanted_end)
            ]
            chosen = next((name for name in asked if name in free_presets), free_presets[0] if free_presets else "")
        context["chosen_preset"] = chosen
    else:
        quantity = _int(form["quantity"].value())
        choices = presentation.slot_choices(
            day_view.slots,
            min_minutes=resource.min_minutes,
            max_minutes=resource.max_minutes,
            quantity=quantity,
            wanted_start=wanted_start,
            wanted_end=wanted_end,
        )
        context["choices"] = choices
        context["grid"] = {
            "min": resource.min_minutes,
            "max": resource.max_minutes,
            "slots": [
                [slot.start.isoformat(), slot.end.isoformat(), slot.remaining]
                for slot in day_view.slots
                if slot.state == "free"
            ],
        }
    return context


def _place_here(request, resource: Resource, start: datetime, end: datetime, quantity: int, note: str, now) -> str:
    """Book one of our resources; the next page: Stripe Checkout (which sends the booker back) or
    the confirmation."""
    booking = services.booking_create(
        user=request.user,
        request=services.BookingRequest(resource, start, end, quantity),
        note=note,
        language=page_language(),
    )
    if pay_links.awaits_payment(booking, now):
        return pay_links.pay_path(booking)
    return reverse("bookings:detail", kwargs={"reference": booking.reference}) + "?new=1"


def _book(request, resource: Resource, form: BookingForm, now: datetime, place) -> str | None:
    """Book the form's request with ``place`` (here, or through the resource's node); the next
    page's address, or ``None`` with the refusal attached to the form."""
    if over_rate(request):
        form.add_error(None, ValidationError(_("Too many bookings in a short time: wait a minute."), code="throttled"))
        return None
    data = form.cleaned_data
    if data.get("preset"):
        day_view = selectors.resource_day(resource=resource, day=data["day"], now=now)
        span = next((slot for slot in day_view.slots if slot.name == data["preset"]), None)
        if span is None:
            form.add_error("preset", _("This resource cannot be booked for that part of the day."))
            return None
        start, end = span.start, span.end
    else:
        start, end = data["start"], data["end"]
    try:
        return place(request, resource, start, end, data["quantity"], data.get("note", ""), now)
    except (InvalidInput, Conflict, PermissionDenied, Unavailable) as error:
        field = field_for_code(error.code, presets=form.presets)
        form.add_error(field, _field_error(error))
    return None


def _field_error(error) -> ValidationError:
    return ValidationError(str(error.message), code=error.code)


def _posted_day(form: BookingForm, tz: ZoneInfo) -> tuple[date | None, datetime | None, datetime | None]:
    """The day to show again after a refused request, and the start and end that were asked."""
    start = parse_instant(form.data.get("start", ""))
    end = parse_instant(form.data.get("end", ""))
    day = None
    if start is not None:
        day = start.astimezone(tz).date()
    else:
        try:
            day = windows.parse_day(form.data.get("day", ""), "day")
        except windows.WindowError:
            day = None
    return day, start, end


def _int(value, default: int = 1) -> int:
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return default


def _days_strip(day: date, today: date, last_day: date) -> list[date]:
    """Seven days around the shown one, within what can be booked, for quick links."""
    first = max(today, min(day - timedelta(days=3), last_day - timedelta(days=6)))
    return [first + timedelta(days=n) for n in range(7) if first + timedelta(days=n) <= last_day]
