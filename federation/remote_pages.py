"""The booker's node's pages for bookings on other nodes: booking a mirrored resource (the same
booking page, then hold and confirm in one click), registering for a mirrored event date, a remote
booking's page (status as the venue's node says, payment link, retry, cancel), its rows in "My
bookings" and in the personal calendar feed, and how the venue's managers see a remote booker."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from wagtail import hooks

from bookings import ics
from bookings.views.common import login_required_page, page_language
from core import money
from core.errors import Conflict, DomainError, InvalidInput, Unavailable
from events.models import Event, parse_occurrence_key
from federation.models import RemoteBooker, RemoteBooking, RemoteBookingStatus, RemoteHold
from federation.services import remote_bookings as service

#: The venue node's refusals that mean "taken", shown as a 409 like a local "no room".
TAKEN = {"no_room", "event_full", "peer_hold_cap"}


def refusal(booking: RemoteBooking) -> DomainError:
    """The venue node's refusal of ``booking`` as our error: 409 when taken, 400 otherwise."""
    message = booking.error or _("The venue's node refused this booking.")
    kind = Conflict if booking.error_code in TAKEN else InvalidInput
    return kind(message, code=booking.error_code or "refused")


def detail_path(booking: RemoteBooking, *, new: bool = False) -> str:
    return reverse("federation_pages:remote-booking", kwargs={"uid": booking.uid}) + ("?new=1" if new else "")


def _hold_and_confirm(booking: RemoteBooking) -> str:
    """After the hold: confirm at once; the next page is the venue's payment page or ours."""
    if booking.status == RemoteBookingStatus.FAILED:
        raise refusal(booking)
    if booking.status == RemoteBookingStatus.HELD:
        try:
            booking = service.remote_confirm(booking=booking)
        except Unavailable:
            return detail_path(booking, new=True)  # held; the page offers to confirm again
    if booking.status == RemoteBookingStatus.HELD and booking.payment_url:
        return booking.payment_url
    return detail_path(booking, new=True)


def place(request, resource, start: datetime, end: datetime, quantity: int, note: str, now: datetime) -> str:
    """``bookings.remote``'s ``place``: book a mirrored resource through its node."""
    booking = service.remote_hold(
        user=request.user, resource=resource, start=start, end=end, quantity=quantity, language=page_language()
    )
    return _hold_and_confirm(booking)


@require_POST
def remote_register(request, pk: int):
    """Register for a date of another node's event (mirrored here): ``recurrence_id`` (ISO, or the
    agenda's occurrence key) and ``quantity``. Logged out, the person logs in and comes back to
    the page they clicked from (``next``) to click again."""
    if not request.user.is_authenticated:
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("events:agenda")
        return redirect_to_login(back, settings.LOGIN_URL)
    event = Event.objects.filter(pk=pk).exclude(origin="").select_related("seats").first()
    text = request.POST.get("recurrence_id", "") or ""
    recurrence_id = parse_occurrence_key(text) or parse_datetime(text)
    if event is None or event.seats is None or recurrence_id is None or recurrence_id.tzinfo is None:
        raise Http404(_("This event date does not exist."))
    try:
        quantity = max(1, min(10, int(request.POST.get("quantity") or 1)))
    except ValueError:
        quantity = 1
    duration = event.end - event.start
    try:
        booking = service.remote_hold(
            user=request.user,
            resource=event.seats,
            start=recurrence_id,
            end=recurrence_id + duration,
            quantity=quantity,
            event=event,
            recurrence_id=recurrence_id,
            language=page_language(),
        )
        return redirect(_hold_and_confirm(booking))
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(reverse("bookings:mine"))


def register_url(event) -> str:
    """``bookings.remote``'s ``register_url``: where the agenda's "register from here" posts."""
    return reverse("federation_pages:remote-register", kwargs={"pk": event.pk})


def _own(request, uid) -> RemoteBooking:
    booking = (
        RemoteBooking.objects.filter(uid=uid, user=request.user)
        .select_related("peer", "resource__venue", "event")
        .first()
    )
    if booking is None:
        raise Http404(_("You have no booking with this reference."))
    return booking


def row(booking: RemoteBooking, now: datetime, language: str) -> dict:
    """One remote booking as the pages show it."""
    venue = booking.resource.venue
    status = service.shown_status(booking, now)
    return {
        "booking": booking,
        "status": status,
        "status_label": RemoteBookingStatus(status).label,
        "tzname": ZoneInfo(venue.timezone).key,
        "venue": venue,
        "title": booking.event.title(language) if booking.event_id else "",
        "origin": booking.peer.name or booking.peer.url,
        "origin_url": booking.peer.url,
        "amount": money.format_money(booking.amount_minor, booking.currency, language) if booking.amount_minor else "",
        "payable": status == RemoteBookingStatus.HELD and bool(booking.payment_url),
        "confirmable": status == RemoteBookingStatus.HELD and not booking.payment_url,
        "retry": status == RemoteBookingStatus.REQUESTED,
        "cancellable": status in service.OPEN and booking.end > now,
        "url": detail_path(booking),
    }


@login_required_page
@require_GET
def remote_booking_detail(request, uid):
    booking = _own(request, uid)
    context = {"row": row(booking, timezone.now(), page_language()), "is_new": request.GET.get("new") == "1"}
    return TemplateResponse(request, "federation/remote_booking.html", context)


ACTIONS = {
    "confirm": lambda booking, request: service.remote_confirm(booking=booking),
    "retry": lambda booking, request: service.remote_retry(booking=booking),
    "cancel": lambda booking, request: service.remote_cancel(
        booking=booking, reason=request.POST.get("reason", "")[:500]
    ),
}


@login_required_page
@require_POST
def remote_booking_action(request, uid, action: str):
    """Confirm a hold, send a request again, or cancel: each a signed call to the venue's node."""
    if action not in ACTIONS:
        raise Http404
    booking = _own(request, uid)
    try:
        booking = ACTIONS[action](booking, request)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(detail_path(booking))
    if action == "cancel":
        messages.success(request, _("Your booking is cancelled."))
        return redirect("bookings:mine")
    if booking.status == RemoteBookingStatus.HELD and booking.payment_url:
        return redirect(booking.payment_url)
    return redirect(detail_path(booking))


@hooks.register("essaim_section_my_bookings")
def my_remote_bookings(context, _obj) -> str:
    """ "My bookings": the person's bookings at other nodes' venues, with those nodes' status."""
    request = context["request"]
    if not request.user.is_authenticated:
        return ""
    now = timezone.now()
    rows_ = [
        row(booking, now, page_language())
        for booking in RemoteBooking.objects.filter(user=request.user)
        .exclude(status=RemoteBookingStatus.FAILED)
        .select_related("peer", "resource__venue", "event")
        .order_by("-start")[:100]
    ]
    if not rows_:
        return ""
    return render_to_string("federation/includes/my_remote_bookings.html", {"rows": rows_}, request=request)


def feed_entries(*, user_id: int, since: datetime) -> list:
    """``bookings.remote``'s ``feed_entries``: the person's remote bookings as calendar rows, with
    the UID the venue's node gives them, so a calendar holding both sees one event."""
    now = timezone.now()
    entries = []
    bookings = (
        RemoteBooking.objects.filter(user_id=user_id, end__gte=since)
        .exclude(status__in=[RemoteBookingStatus.REQUESTED, RemoteBookingStatus.FAILED])
        .select_related("peer", "resource__venue", "event")
    )
    language = translation.get_language() or settings.LANGUAGE_CODE
    for booking in bookings:
        venue = booking.resource.venue
        entries.append(
            ics.BookingEntry(
                reference=booking.reference,
                status=service.shown_status(booking, now),
                # Grows with every change the venue's node reports: calendars take the newest.
                sequence=max(0, int(booking.updated_at.timestamp() - booking.created_at.timestamp())),
                start=booking.start,
                end=booking.end,
                tzid=venue.timezone,
                resource_name=booking.resource.name,
                venue_name=venue.title,
                address=ics.venue_address(venue),
                latitude=venue.latitude,
                longitude=venue.longitude,
                url=settings.ESSAIM_NODE_URL + detail_path(booking),
                amount_minor=booking.amount_minor,
                currency=booking.currency,
                payment_state=booking.payment_state,
                quantity=booking.quantity,
                last_modified=booking.updated_at,
                title=booking.event.title(language) if booking.event_id else "",
                uid_host=urlsplit(booking.peer.url).hostname or "",
            )
        )
    return entries


def booker_label(user) -> str | None:
    """``bookings.remote``'s ``booker_label``: on the venue's node, a person who came through a
    peer: their name only if they shared it, always the node they came through."""
    if "~" not in user.get_username():  # shadow accounts only (a name no sign-up accepts)
        return None
    booker = RemoteBooker.objects.filter(user=user).select_related("peer").first()
    if booker is None:
        return None
    node = booker.peer.name or booker.peer.url
    name = user.get_full_name().strip()
    if not name:
        return _("Guest of %(node)s") % {"node": node}
    who = f"{name} <{user.email}>" if user.email else name
    return _("%(who)s, via %(node)s") % {"who": who, "node": node}


def payment_return_url(booking) -> str | None:
    """``bookings.remote``'s ``payment_return_url``: the peer's page the person came from."""
    return RemoteHold.objects.filter(booking_id=booking.pk).values_list("return_url", flat=True).first() or None
