"""The entrepreneur's booking pages: a resource's day and its booking form, the confirmation,
"My bookings" with cancellation and the personal calendar feed, the "when, not where" search,
and the log-in / log-out pages.

Thin views: they parse the request with ``bookings.forms``, call one selector or service, and
render. Booking rules live in ``services`` and ``availability``; their errors come back here as
``InvalidInput`` / ``Conflict`` and are shown next to the field they concern.
"""

from datetime import date, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from rest_framework.throttling import UserRateThrottle

from bookings import availability as av
from bookings import messages as rule_messages
from bookings import presentation, search, selectors, services
from bookings.forms import WHEN_CHOICES, BookingForm, CancelForm, DayForm, SearchForm, field_for_code, parse_instant
from bookings.models import (
    BookingUnit,
    PaymentProvider,
    PaymentStatus,
    RefundStatus,
    Resource,
)
from bookings.payments import ledger, pay_links
from core import money
from core.errors import Conflict, InvalidInput
from venues import geo, geocoding
from venues.selectors import venues_localized

LOGIN_URL = reverse_lazy("bookings:login")
PAST_PAGE_SIZE = 20
SEARCH_LIMIT = 30
#: The booking form's fields kept in the query string when booking has to wait for a log-in.
CARRIED_THROUGH_LOGIN = ("day", "start", "end", "preset", "quantity")
#: How many days ahead the booking page looks for the first day with free time.
FIRST_FREE_LOOKAHEAD = 14


def _login_required(view):
    return login_required(view, login_url=LOGIN_URL)


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _error_list(form) -> list[dict]:
    """The form's errors for the summary above it: each links to its field."""
    errors = []
    for name, messages_ in form.errors.items():
        anchor = "" if name == "__all__" else form[name].auto_id
        if name == "preset":
            anchor = f"{form[name].auto_id}_0"
        errors += [{"anchor": anchor, "message": message} for message in messages_]
    return errors


# The resource's day and its booking form ------------------------------------------------------


@require_http_methods(["GET", "POST"])
def resource_book(request, pk: int):
    """GET: the day's slots in the venue's local time and the booking form. POST: book, then go
    to the confirmation; on a refusal, the same page with the reason and the person's input."""
    resource = search.resource_bookable_get(pk=pk)
    if resource is None:
        raise Http404(_("This resource does not exist or cannot be booked."))
    now = timezone.now()
    tz = selectors.resource_timezone(resource)
    today = now.astimezone(tz).date()
    uses_presets = resource.booking_unit != BookingUnit.SLOTS
    wanted_start = wanted_end = None
    day = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            # Back to this page after logging in, with the chosen day and start preselected.
            chosen = {name: request.POST[name] for name in CARRIED_THROUGH_LOGIN if request.POST.get(name)}
            back = request.path + (f"?{urlencode(chosen)}" if chosen else "") + "#book-form"
            return redirect_to_login(back, LOGIN_URL)
        form = BookingForm(request.POST, presets=uses_presets)
        booking = _book(request, resource, form, now) if form.is_valid() else None
        if booking is not None:
            if pay_links.awaits_payment(booking, now):
                return redirect(pay_links.pay_path(booking))  # to Stripe Checkout, which sends the booker back
            return redirect(reverse("bookings:detail", kwargs={"reference": booking.reference}) + "?new=1")
        day, wanted_start, wanted_end = _posted_day(form, tz)
    else:
        # What was chosen before logging in comes back in the query string.
        form = BookingForm(presets=uses_presets, initial={"quantity": _int(request.GET.get("quantity"))})
        day_form = DayForm(request.GET)
        if day_form.is_valid():
            day = day_form.cleaned_data["day"]
        wanted_start = parse_instant(request.GET.get("start", ""))
        wanted_end = parse_instant(request.GET.get("end", "")) if wanted_start else None
    if day is None:
        day = selectors.resource_first_free_day(resource=resource, today=today, days=FIRST_FREE_LOOKAHEAD, now=now) or (
            wanted_start.astimezone(tz).date() if wanted_start else today
        )
    context = _day_context(request, resource, form, day, wanted_start, wanted_end, now)
    status = 200
    if form.is_bound and form.errors:
        codes = {e.code for e in form.errors.as_data().get("__all__", [])}
        status = 409 if "no_room" in codes else 429 if "throttled" in codes else 400
    return TemplateResponse(request, "bookings/resource_book.html", context, status=status)


def _day_context(request, resource: Resource, form: BookingForm, day: date, wanted_start, wanted_end, now) -> dict:
    """The booking page's day (slots or parts of the day) and the form's choices."""
    tz = selectors.resource_timezone(resource)
    today = now.astimezone(tz).date()
    last_day = today + timedelta(days=resource.horizon_days)
    uses_presets = resource.booking_unit != BookingUnit.SLOTS
    day_view = selectors.resource_day(resource=resource, day=day, now=now)
    context = {
        "resource": resource,
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
        "errors": _error_list(form),
        "price": presentation.price_label(resource, _language()),
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


class BookingRate(UserRateThrottle):
    """The API's per-person ``booking`` rate, same bucket: pages and API share one allowance."""

    scope = "booking"


def _over_rate(request) -> bool:
    return not BookingRate().allow_request(request, None)


def _book(request, resource: Resource, form: BookingForm, now: datetime):
    """Call ``booking_create`` with the form's request; attach a refusal to the form."""
    if _over_rate(request):
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
        return services.booking_create(
            user=request.user,
            request=services.BookingRequest(resource, start, end, data["quantity"]),
            note=data.get("note", ""),
            language=_language(),
        )
    except (InvalidInput, Conflict) as error:
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
            day = date.fromisoformat(form.data.get("day", ""))
        except ValueError:
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


# After booking: the confirmation, "My bookings", cancelling, the calendar feed ------------------


def _feed_url(request, secret: str) -> str:
    try:
        path = reverse("feeds:me", kwargs={"secret": secret})
    except NoReverseMatch:  # the feeds' URLs are not installed
        path = f"/feeds/me/{secret}.ics"
    return request.build_absolute_uri(path)


def _booking_or_404(request, reference: str):
    booking = selectors.booking_of_user_by_reference(user=request.user, reference=reference)
    if booking is None:
        raise Http404(_("You have no booking with this reference."))
    return booking


def _booking_row(booking, venues: dict, language: str) -> dict:
    tz = ZoneInfo(booking.resource.venue.timezone)
    return {
        "booking": booking,
        "venue": venues.get(booking.resource.venue_id, booking.resource.venue),
        "tzname": tz.key,
        "amount": presentation.amount_label(booking, language),
        "same_day": booking.start.astimezone(tz).date() == booking.end.astimezone(tz).date(),
    }


def _rows(bookings) -> list[dict]:
    bookings = list(bookings)
    canonical = {booking.resource.venue_id: booking.resource.venue for booking in bookings}
    localized = dict(zip(canonical, venues_localized(canonical.values()), strict=True))
    language = _language()
    return [_booking_row(booking, localized, language) for booking in bookings]


@_login_required
def booking_detail(request, reference: str):
    """The confirmation page, and the page of one booking afterwards."""
    booking = _booking_or_404(request, reference)
    now = timezone.now()
    terms = services.cancellation_terms(booking, now)
    feed = services.calendar_feed_ensure(user=request.user)
    context = {
        "row": _rows([booking])[0],
        "booking": booking,
        "terms": terms,
        "feed_url": _feed_url(request, feed.secret),
        "is_new": request.GET.get("new") == "1",
        **_payment_context(booking, now),
    }
    return TemplateResponse(request, "bookings/booking_detail.html", context)


def _payment_context(booking, now: datetime) -> dict:
    """What the booking page says about money: the amount to pay and until when, the receipt, refunds."""
    language = _language()
    payable = pay_links.awaits_payment(booking, now)
    payments = list(selectors.booking_payments(booking=booking))
    refunds = [refund for payment in payments for refund in payment.refunds.all()]
    return {
        "payable": payable,
        "pay_url": pay_links.pay_path(booking) if payable else "",
        "amount_due": money.format_money(booking.amount_minor, booking.currency, language),
        "hold_until": booking.expires_at,
        "receipt_url": ledger.totals(booking).receipt_url,
        "paid_at_venue": any(p.provider == PaymentProvider.VENUE and p.status == PaymentStatus.PAID for p in payments),
        "refunds": [
            {
                "amount": money.format_money(refund.amount_minor, refund.currency, language),
                "status": refund.get_status_display(),
                "on_its_way": refund.status == RefundStatus.PENDING,
                "failed": refund.status == RefundStatus.FAILED,
                "at": refund.created_at,
            }
            for refund in refunds
        ],
    }


@_login_required
def my_bookings(request):
    """Upcoming bookings (each with its cancel link), past and cancelled ones, the calendar feed."""
    now = timezone.now()
    upcoming_all = list(search.bookings_search(user=request.user, when="upcoming", now=now))
    upcoming = [b for b in upcoming_all if b.status in presentation.ACTIVE]
    ended = [b for b in upcoming_all if b.status not in presentation.ACTIVE]
    page_obj = Paginator(search.bookings_search(user=request.user, when="past", now=now), PAST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    past = ended + list(page_obj.object_list) if page_obj.number == 1 else list(page_obj.object_list)
    feed = services.calendar_feed_ensure(user=request.user)
    feed_url = _feed_url(request, feed.secret)
    context = {
        "upcoming": _rows(upcoming),
        "past": _rows(past),
        "page_obj": page_obj,
        "feed_url": feed_url,
        "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
        "cancellable": {b.pk for b in upcoming if services.cancellation_terms(b, now)["allowed"]},
    }
    return TemplateResponse(request, "bookings/my_bookings.html", context)


@_login_required
@require_http_methods(["GET", "POST"])
def booking_cancel(request, reference: str):
    """GET: what cancelling now means (free until…, not refunded, or not possible). POST: cancel."""
    booking = _booking_or_404(request, reference)
    now = timezone.now()
    terms = services.cancellation_terms(booking, now)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid() and _over_rate(request):
        form.add_error(None, _("Too many bookings in a short time: wait a minute."))
        status = 429
    elif request.method == "POST" and form.is_valid():
        try:
            services.booking_cancel(booking=booking, actor=request.user, reason=form.cleaned_data["reason"])
        except (InvalidInput, Conflict) as error:
            form.add_error(None, str(error.message))
            status = 400
        else:
            messages.success(request, _("Booking %(reference)s is cancelled.") % {"reference": booking.reference})
            return redirect("bookings:mine")
    context = {
        "row": _rows([booking])[0],
        "booking": booking,
        "terms": terms,
        "terms_message": _terms_message(terms),
        "refund": money.format_money(terms["refund_minor"], booking.currency, _language())
        if terms.get("refund_minor")
        else "",
        "form": form,
    }
    return TemplateResponse(request, "bookings/booking_cancel.html", context, status=status)


def _terms_message(terms: dict) -> str:
    if terms["allowed"]:
        return ""
    return rule_messages.rule_message(terms["code"])


@_login_required
@require_POST
def feed_regenerate(request):
    services.calendar_feed_regenerate(user=request.user)
    messages.success(
        request, _("Your calendar has a new address. Calendars subscribed to the old one no longer receive updates.")
    )
    return redirect(reverse("bookings:mine") + "#calendar")


# "I know when, not where" --------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name if name in available_timezones() else settings.TIME_ZONE)


def search_free(request):
    """A day and a time range, a place and a kind: the desks and rooms free for that whole window
    across the network, nearest first, each bookable in one click."""
    now = timezone.now()
    zone_name = request.GET.get("tz", "")
    tz = _zone(zone_name)
    today = now.astimezone(tz).date()
    form = SearchForm(request.GET or None, today=today, initial={"day": today})
    hits, origin, place_error, window, part = [], None, "", None, ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        origin = data.get("near")
        if origin is None and data.get("place"):
            found = geocoding.place_lookup(data["place"])
            if found.found:
                origin = geo.Point(found.latitude, found.longitude)
                zone_name = zone_name or geocoding.city_timezone(data["place"]) or ""
                tz = _zone(zone_name)
            else:
                place_error = found.message or _("This place could not be found.")
        if not place_error:
            opens, closes = form.hours()
            window = av.Interval(av.wall_clock(data["day"], opens, tz), av.wall_clock(data["day"], closes, tz))
            # Quick choices mean each venue's own morning, afternoon or day; "hours" means those hours.
            part = data["when"] if data["when"] in ("morning", "afternoon", "day") else ""
            hits = search.free_resources(
                window=window,
                near=origin,
                radius_km=data["radius_km"],
                kind=data.get("kind", ""),
                quantity=data.get("quantity") or 1,
                now=now,
                limit=SEARCH_LIMIT,
                part=part,
            )
    language = _language()
    venues = dict(zip([hit.venue.pk for hit in hits], venues_localized([hit.venue for hit in hits]), strict=True))
    results = [
        {
            "hit": hit,
            "venue": venues.get(hit.venue.pk, hit.venue),
            "price": presentation.price_label(hit.resource, language),
            "capacity": presentation.capacity_label(hit.resource),
            "rules": presentation.rules_summary(hit.resource),
        }
        for hit in hits
    ]
    context = {
        "form": form,
        "results": results,
        "searched": window is not None,
        "window": window,
        "part_label": dict(WHEN_CHOICES).get(part, "") if part else "",
        "tzname": tz.key,
        "quantity": (form.cleaned_data.get("quantity") or 1) if form.is_bound and form.is_valid() else 1,
        "origin": origin,
        "place_error": place_error,
        "errors": _error_list(form) if form.is_bound else [],
        "shortcuts": _day_shortcuts(today, request.GET),
    }
    return TemplateResponse(request, "bookings/search.html", context)


def _day_shortcuts(today: date, query) -> list[dict]:
    """Today, tomorrow and the next five days as links keeping the rest of the search."""
    links = []
    for offset in range(7):
        day = today + timedelta(days=offset)
        params = query.copy()
        params["day"] = day.isoformat()
        params.setdefault("when", "day")
        links.append({"day": day, "offset": offset, "query": params.urlencode()})
    return links


# Logging in and out ----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's log-in (django-axes counts the failures through its authentication backend)."""

    template_name = "bookings/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("bookings:mine")


class LogoutView(auth_views.LogoutView):
    """Log out with a POST (CSRF-protected), then back to the page given in ``next``."""

    template_name = "bookings/logged_out.html"
