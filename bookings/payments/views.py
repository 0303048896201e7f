"""Payment pages: the pay link, Stripe's return and cancel addresses, and the webhook.

The webhook answers as Stripe expects: 400 when the signature or body is wrong (Stripe retries,
and the delivery shows as failed in its dashboard), 200 for everything it verified, including
events we do not handle or that name a booking we do not know — nothing changes for those.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from bookings import remote, selectors
from bookings.models import Booking, BookingStatus, PaymentState
from bookings.payments import pay_links
from bookings.payments import services as payment_services
from bookings.throttles import BookingRate
from core.errors import InvalidInput, Unavailable

LOGIN_URL = "account_login"


def checkout_return_urls(request):
    """Where Stripe sends the booker back: absolute URLs on the host they paid through, in the
    language they booked in."""

    def urls(booking: Booking) -> tuple[str, str]:
        back = remote.payment_return_url(booking)
        if back:  # booked through another node: the person returns there, which learns the outcome from us
            return back, back
        with translation.override(booking.language or None):  # back in the language they booked in
            success = reverse("bookings:payment-return", kwargs={"reference": booking.reference})
            cancel = reverse("bookings:payment-cancelled", kwargs={"reference": booking.reference})
        return (
            request.build_absolute_uri(success) + "?session_id={CHECKOUT_SESSION_ID}",
            request.build_absolute_uri(cancel),
        )

    return urls


def _own_booking(request, reference: str) -> Booking:
    booking = selectors.booking_of_user_by_reference(user=request.user, reference=reference)
    if booking is None:
        raise Http404(_("You have no booking with this reference."))
    return booking


def _detail(booking: Booking, *, new: bool = False):
    url = reverse("bookings:detail", kwargs={"reference": booking.reference})
    return redirect(url + ("?new=1" if new else ""))


@require_GET
def checkout_redirect(request, token: str):
    """The pay link: open (or reopen) the booking's Checkout Session and go to Stripe. No login:
    the signed link is enough to pay for that one booking, from an e-mail or an API client."""
    reference = pay_links.reference_from_token(token)
    booking = selectors.booking_by_reference(reference=reference) if reference else None
    if booking is None:
        raise Http404(_("This payment link is not valid."))
    if not BookingRate().allow_request(request, None):  # each visit may call Stripe
        context = {"booking": booking, "message": _("Too many bookings in a short time: wait a minute."), "retry": True}
        return TemplateResponse(request, "bookings/payment_problem.html", context, status=429)
    try:
        payment = payment_services.checkout_start(booking=booking, return_urls=checkout_return_urls(request))
    except (InvalidInput, Unavailable) as error:
        context = {"booking": booking, "message": error.message, "retry": isinstance(error, Unavailable)}
        status = 503 if isinstance(error, Unavailable) else 409
        return TemplateResponse(request, "bookings/payment_problem.html", context, status=status)
    return HttpResponseRedirect(payment.url)


@login_required(login_url=LOGIN_URL)
def payment_return(request, reference: str):
    """Back from Checkout: settle the payment now if the webhook has not yet, and say how it went."""
    booking = _own_booking(request, reference)
    if BookingRate().allow_request(request, None):  # asking Stripe is a courtesy: the webhook settles it anyway
        booking = payment_services.checkout_sync(booking=booking)
    if booking.status in (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN):
        messages.success(request, _("Payment received: your booking is confirmed."))
        return _detail(booking, new=True)
    if booking.status == BookingStatus.HELD:
        messages.info(
            request,
            _("Your payment is being processed. We will e-mail you as soon as it clears; the time stays held for you."),
        )
    elif booking.payment_state in (PaymentState.REFUNDED, PaymentState.PAID, PaymentState.PARTIALLY_REFUNDED):
        messages.warning(
            request,
            _("Your payment arrived after this booking had lapsed, so it is refunded in full. Nothing is booked."),
        )
    return _detail(booking)


@login_required(login_url=LOGIN_URL)
def payment_cancelled(request, reference: str):
    """The booker left Checkout without paying: the hold stands until it runs out."""
    booking = _own_booking(request, reference)
    if booking.status == BookingStatus.HELD and booking.expires_at:
        until = formats.time_format(booking.expires_at.astimezone(selectors.resource_timezone(booking.resource)), "H:i")
        messages.info(
            request,
            _("Payment not completed. The time stays held for you until %(time)s: pay now, or cancel to release it.")
            % {"time": until},
        )
    return _detail(booking)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    try:
        record = payment_services.webhook_receive(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except InvalidInput as error:
        return JsonResponse({"detail": str(error.message), "code": error.code}, status=400)
    return JsonResponse({"received": True, "id": record.event_id})
