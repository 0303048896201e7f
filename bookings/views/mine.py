"""After booking: a booking's page (the confirmation, then its page), "My bookings", cancelling,
and the personal calendar feed's address."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings import display_names, presentation, rule_texts, search, selectors, services
from bookings.forms import CancelForm
from bookings.models import PaymentProvider, PaymentStatus, RefundStatus
from bookings.payments import ledger, pay_links
from bookings.throttles import over_rate
from bookings.views.common import login_required_page, page_language
from core import money
from core.errors import Conflict, InvalidInput
from venues.selectors import venues_localized

PAST_PAGE_SIZE = 20


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


def _booking_row(booking, venues: dict, names: dict, language: str) -> dict:
    tz = ZoneInfo(booking.resource.venue.timezone)
    return {
        "booking": booking,
        "name": names[booking.resource_id],
        "venue": venues.get(booking.resource.venue_id, booking.resource.venue),
        "tzname": tz.key,
        "amount": presentation.amount_label(booking, language),
        "same_day": booking.start.astimezone(tz).date() == booking.end.astimezone(tz).date(),
    }


def _rows(bookings) -> list[dict]:
    bookings = list(bookings)
    canonical = {booking.resource.venue_id: booking.resource.venue for booking in bookings}
    localized = dict(zip(canonical, venues_localized(canonical.values()), strict=True))
    language = page_language()
    names = display_names.resource_names([booking.resource for booking in bookings], language)
    return [_booking_row(booking, localized, names, language) for booking in bookings]


@login_required_page
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
    language = page_language()
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


@login_required_page
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


@login_required_page
@require_http_methods(["GET", "POST"])
def booking_cancel(request, reference: str):
    """GET: what cancelling now means (free until…, not refunded, or not possible). POST: cancel."""
    booking = _booking_or_404(request, reference)
    now = timezone.now()
    terms = services.cancellation_terms(booking, now)
    form = CancelForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid() and over_rate(request):
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
        "refund": money.format_money(terms["refund_minor"], booking.currency, page_language())
        if terms.get("refund_minor")
        else "",
        "form": form,
    }
    return TemplateResponse(request, "bookings/booking_cancel.html", context, status=status)


def _terms_message(terms: dict) -> str:
    if terms["allowed"]:
        return ""
    return rule_texts.rule_message(terms["code"])


@login_required_page
@require_POST
def feed_regenerate(request):
    services.calendar_feed_regenerate(user=request.user)
    messages.success(
        request, _("Your calendar has a new address. Calendars subscribed to the old one no longer receive updates.")
    )
    return redirect(reverse("bookings:mine") + "#calendar")
