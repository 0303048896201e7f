"""E-mails to bookers: request received, held, confirmed, approved, rejected, cancelled, reminder.

``booking_notify`` is what the Celery task ``booking_notify_task`` runs for each event the services
emit (``services._notify``). It writes in the booker's language, gives times in the venue's local
time with the zone named, and attaches an iCalendar invitation carrying the same UID and
SEQUENCE as the person's feed: ``METHOD:REQUEST`` when the booking stands, ``METHOD:CANCEL`` when
it is gone, so the booker's calendar adds, updates or removes the same event.

Sending is the only side effect: a retry (the task retries on ``OSError``) sends the e-mail again
at worst. An event that no longer matches the booking (a "confirmed" e-mail for a booking
cancelled meanwhile) is skipped, since a later e-mail tells the newer story.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import encoders
from email.mime.base import MIMEBase
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings import ics, selectors
from bookings.models import Booking, BookingStatus, LateCancellation, PaymentState, RefundStatus
from bookings.payments import ledger, pay_links
from core import identity, money, text

logger = logging.getLogger(__name__)

STANDING = {BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN}


@dataclass(frozen=True)
class Notice:
    """What one event's e-mail says, and the invitation it carries (``method``: none, REQUEST, CANCEL)."""

    subject: Promise
    headline: Promise
    intro: Promise
    statuses: frozenset
    method: str | None = None
    #: Whether the cancellation terms are worth repeating (the booking still lies ahead).
    terms: bool = True


NOTICES = {
    "requested": Notice(
        subject=gettext_lazy("Booking request received: %(what)s"),
        headline=gettext_lazy("Your request has been sent"),
        intro=gettext_lazy(
            "The venue approves each booking of this resource. We will write again as soon as it answers; "
            "until then, nothing is booked."
        ),
        statuses=frozenset({BookingStatus.PENDING_APPROVAL}),
    ),
    "held": Notice(
        subject=gettext_lazy("Complete your booking: %(what)s"),
        headline=gettext_lazy("This time is held for you"),
        intro=gettext_lazy("Pay before %(expires)s to confirm your booking; after that the time is released."),
        statuses=frozenset({BookingStatus.HELD}),
    ),
    "confirmed": Notice(
        subject=gettext_lazy("Booking confirmed: %(what)s"),
        headline=gettext_lazy("Your booking is confirmed"),
        intro=gettext_lazy("See you there. The attached invitation adds it to your calendar."),
        statuses=frozenset(STANDING),
        method="REQUEST",
    ),
    "approved": Notice(
        subject=gettext_lazy("Booking approved: %(what)s"),
        headline=gettext_lazy("The venue has approved your booking"),
        intro=gettext_lazy("Your booking is confirmed. The attached invitation adds it to your calendar."),
        statuses=frozenset(STANDING),
        method="REQUEST",
    ),
    "rejected": Notice(
        subject=gettext_lazy("Booking request declined: %(what)s"),
        headline=gettext_lazy("The venue could not accept your request"),
        intro=gettext_lazy("Nothing is booked and nothing is charged. You can look for another time or place."),
        statuses=frozenset({BookingStatus.REJECTED}),
        method="CANCEL",
        terms=False,
    ),
    "cancelled": Notice(
        subject=gettext_lazy("Booking cancelled: %(what)s"),
        headline=gettext_lazy("Your booking is cancelled"),
        intro=gettext_lazy("As you asked, this booking is cancelled. The attachment removes it from your calendar."),
        statuses=frozenset({BookingStatus.CANCELLED}),
        method="CANCEL",
        terms=False,
    ),
    "cancelled_by_venue": Notice(
        subject=gettext_lazy("Booking cancelled by the venue: %(what)s"),
        headline=gettext_lazy("The venue has cancelled your booking"),
        intro=gettext_lazy(
            "We are sorry: the venue had to cancel this booking. The attachment removes it from your calendar."
        ),
        statuses=frozenset({BookingStatus.CANCELLED}),
        method="CANCEL",
        terms=False,
    ),
    "approved_pay": Notice(
        subject=gettext_lazy("Booking approved, to be paid: %(what)s"),
        headline=gettext_lazy("The venue has approved your request"),
        intro=gettext_lazy(
            "Pay before %(expires)s from the booking's page to confirm it; after that the time is released."
        ),
        statuses=frozenset({BookingStatus.HELD}),
        terms=False,
    ),
    "payment_failed": Notice(
        subject=gettext_lazy("Payment failed: %(what)s"),
        headline=gettext_lazy("Your payment did not go through"),
        intro=gettext_lazy(
            "Your bank declined or reversed the payment, so the time held for you is released. "
            "Nothing is booked and nothing is charged; you can book again."
        ),
        statuses=frozenset({BookingStatus.EXPIRED}),
        terms=False,
    ),
    "refunded_venue": Notice(
        subject=gettext_lazy("Refund: %(what)s"),
        headline=gettext_lazy("The venue has refunded you"),
        intro=gettext_lazy(
            "%(refund)s is on its way back to the card you paid with; banks take 5 to 10 days to show it."
        ),
        statuses=frozenset(BookingStatus.values),
        terms=False,
    ),
    "refunded_late_payment": Notice(
        subject=gettext_lazy("Payment refunded: %(what)s"),
        headline=gettext_lazy("Your payment arrived too late, so we refunded it"),
        intro=gettext_lazy(
            "By the time your payment arrived, the time held for you had run out and someone else had booked it, "
            "or the booking had been cancelled. Nothing is booked, and %(refund)s is refunded in full."
        ),
        statuses=frozenset({BookingStatus.EXPIRED, BookingStatus.CANCELLED, BookingStatus.REJECTED}),
        terms=False,
    ),
    "refunded_duplicate": Notice(
        subject=gettext_lazy("You paid twice: %(what)s"),
        headline=gettext_lazy("We refunded your second payment"),
        intro=gettext_lazy("This booking was already paid, so the second payment of %(refund)s is refunded in full."),
        statuses=frozenset(BookingStatus.values),
        terms=False,
    ),
    "rescheduled": Notice(
        subject=gettext_lazy("New time: %(what)s"),
        headline=gettext_lazy("The event's time has changed"),
        intro=gettext_lazy("The organisers have changed the time; your seat moves with it. Check the new time below."),
        statuses=frozenset({*STANDING, BookingStatus.HELD}),
        method="REQUEST",
    ),
    "waitlist_offer": Notice(
        subject=gettext_lazy("A seat is free for you: %(what)s"),
        headline=gettext_lazy("A seat has come free"),
        intro=gettext_lazy(
            "You were on the waitlist and a seat is now held for you. Confirm it from the booking's page "
            "before %(expires)s; after that it goes to the next person waiting."
        ),
        statuses=frozenset({BookingStatus.HELD}),
        terms=False,
    ),
    "reminder": Notice(
        subject=gettext_lazy("Reminder: %(what)s"),
        headline=gettext_lazy("Your booking is coming up"),
        intro=gettext_lazy("A reminder of your booking, below. If you cannot come, please cancel it."),
        statuses=frozenset({BookingStatus.CONFIRMED}),
        method="REQUEST",
    ),
}


def booking_notify(*, booking_id: int, event: str) -> bool:
    """E-mail the booker about ``event``; ``False`` when nothing was sent (unknown event or booking,
    no address, or an event the booking has moved past)."""
    notice = NOTICES.get(event)
    if notice is None:
        logger.warning("booking %s: no e-mail for unknown event %r", booking_id, event)
        return False
    booking = selectors.booking_for_notification(pk=booking_id)
    if booking is None or not booking.user.email:
        return False
    if booking.status not in notice.statuses:
        logger.info("booking %s is %s: the %r e-mail is out of date, skipped", booking_id, booking.status, event)
        return False
    message = booking_email(booking, event=event, notice=notice, now=timezone.now())
    return message.send() > 0


def _language(booking: Booking) -> str:
    """The language the person chose for their e-mails, else the one they booked in."""
    codes = {code for code, _name in settings.LANGUAGES}
    chosen = identity.preferred_language(booking.user)
    return chosen or (booking.language if booking.language in codes else settings.LANGUAGE_CODE)


def booking_email(booking: Booking, *, event: str, notice: Notice, now: datetime) -> EmailMultiAlternatives:
    """The e-mail for ``event``, text and HTML, with its invitation, in the booker's language."""
    venue = booking.resource.venue
    with translation.override(_language(booking)), timezone.override(ZoneInfo(venue.timezone)):
        context = _context(booking, event=event, notice=notice, now=now)
        subject = f"[{settings.ESSAIM_NODE_NAME}] " + str(notice.subject) % {"what": context["what_short"]}
        body = text.multi_line(render_to_string("bookings/email/booking.txt", context))
        html = text.multi_line(render_to_string("bookings/email/booking.html", context))
        message = EmailMultiAlternatives(
            subject=text.one_line(subject),
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[booking.user.email],
            reply_to=[venue.email] if venue.email and text.first_bad(venue.email) is None else None,
        )
        message.attach_alternative(html, "text/html")
        if notice.method:
            message.attach(invitation(booking, method=notice.method, url=context["booking_url"], now=now))
    return message


def invitation(booking: Booking, *, method: str, url: str, now: datetime) -> MIMEBase:
    """The booking as an iTIP message (RFC 5546): ``text/calendar; method=…``, same UID and
    SEQUENCE as the feed, organised by the venue, the booker as attendee."""
    venue = booking.resource.venue
    organizer = (venue.title, venue.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1])
    attendee = (booking.user.get_full_name() or booking.user.get_username(), booking.user.email)
    body = ics.person_calendar(
        [ics.booking_entry(booking, url=url)],
        name=str(venue.title),
        method=method,
        organizer=organizer,
        attendee=attendee,
        stamp=now,
    )
    part = MIMEBase("text", "calendar")
    # Written by hand: the email package would quote the values, which some clients do not expect.
    part.replace_header("Content-Type", f"text/calendar; method={method}; charset=utf-8")
    part.set_payload(body)
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename=f"booking-{booking.reference}.ics")
    return part


def email_span(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """``mardi 3 mars 2026, 09:00–10:00 (heure locale, Europe/Paris, CET)``, in the active language."""
    start, end = start.astimezone(tz), end.astimezone(tz)
    zone = f"{tz.key}, {start.tzname()}" if start.tzname() and start.tzname() != tz.key else tz.key
    params = {
        "day": formats.date_format(start, "l j F Y"),
        "start": formats.time_format(start, "H:i"),
        "end_day": formats.date_format(end, "l j F Y"),
        "end": formats.time_format(end, "H:i"),
        "zone": zone,
    }
    if start.date() == end.date() or (end - start <= timedelta(days=1) and end.time() == datetime.min.time()):
        return _("%(day)s, %(start)s–%(end)s (local time, %(zone)s)") % params
    return _("from %(day)s, %(start)s to %(end_day)s, %(end)s (local time, %(zone)s)") % params


def local_moment(value: datetime, tz: ZoneInfo) -> str:
    value = value.astimezone(tz)
    return _("%(day)s at %(time)s") % {
        "day": formats.date_format(value, "l j F Y"),
        "time": formats.time_format(value, "H:i"),
    }


def cancellation_terms(booking: Booking) -> str:
    """The resource's cancellation policy as it applies to this booking, in one or two sentences."""
    resource = booking.resource
    tz = ZoneInfo(resource.venue.timezone)
    if booking.payment_state in (PaymentState.NONE, PaymentState.PENDING) or booking.status != BookingStatus.CONFIRMED:
        return _("You can cancel free of charge until the start, from “My bookings”.")
    free_until = booking.start - timedelta(hours=resource.free_cancel_hours)
    free = _("Free cancellation until %(deadline)s, from “My bookings”.") % {"deadline": local_moment(free_until, tz)}
    if resource.late_cancellation == LateCancellation.REFUSED:
        return free + " " + _("After that, the booking can no longer be cancelled.")
    if resource.late_refund_percent and booking.payment_state != PaymentState.DUE_AT_VENUE:
        return (
            free
            + " "
            + _("After that you can still cancel, and %(percent)s%% of the amount is refunded.")
            % {"percent": resource.late_refund_percent}
        )
    return free + " " + _("After that you can still cancel, but the amount is not refunded.")


def _reason(booking: Booking, event: str, refunds: list) -> str:
    """The venue's words: why it cancelled, declined or refunded."""
    if event == "refunded_venue":
        return refunds[-1].reason if refunds else ""
    if booking.status in (BookingStatus.CANCELLED, BookingStatus.REJECTED):
        return booking.cancel_reason
    return ""


def _refund_line(refunds: list, language: str) -> str:
    """``12,00 € refunded (on its way)`` when the booking has refunds, else empty."""
    if not refunds:
        return ""
    total = sum(refund.amount_minor for refund in refunds)
    amount = money.format_money(total, refunds[0].currency, language)
    if any(refund.status == RefundStatus.PENDING for refund in refunds):
        return _("%(amount)s, on its way") % {"amount": amount}
    return amount


def _context(booking: Booking, *, event: str, notice: Notice, now: datetime) -> dict:
    resource, venue = booking.resource, booking.resource.venue
    tz = ZoneInfo(venue.timezone)
    links = ics.Links()
    entry = ics.booking_entry(booking, url="")
    local_start = booking.start.astimezone(tz)
    what_short = _("%(resource)s at %(venue)s, %(day)s %(time)s") % {
        "resource": resource.name,
        "venue": venue.title,
        "day": formats.date_format(local_start, "j F"),
        "time": formats.time_format(local_start, "H:i"),
    }
    intro = str(notice.intro)
    refunds = list(selectors.booking_refunds(booking=booking))
    language = translation.get_language() or settings.LANGUAGE_CODE
    last_refund = money.format_money(refunds[-1].amount_minor, refunds[-1].currency, language) if refunds else ""
    if "%(" in intro:
        intro = intro % {"expires": local_moment(booking.expires_at or now, tz), "refund": last_refund}
    return {
        "headline": notice.headline,
        "intro": intro,
        "what_short": what_short,
        "booking": booking,
        "resource": resource,
        "venue": venue,
        "when": email_span(booking.start, booking.end, tz),
        "address": ics.venue_address(venue),
        "quantity": booking.quantity,
        "status_label": dict(BookingStatus.choices).get(booking.status, booking.status),
        "payment": ics.payment_line(entry),
        "refund_line": _refund_line(refunds, language),
        "receipt_url": ledger.totals(booking).receipt_url,
        "reason": _reason(booking, event, refunds),
        "reason_by_venue": event in ("cancelled_by_venue", "rejected", "refunded_venue"),
        "terms": cancellation_terms(booking) if notice.terms else "",
        "booking_url": links.booking(booking),
        "pay_url": pay_links.pay_url(booking) if pay_links.awaits_payment(booking, now) else "",
        "venue_url": links.venue(venue.localized),  # the page in the booker's language, when published
        "my_bookings_url": links.my_bookings(),
        "node_name": settings.ESSAIM_NODE_NAME,
        "node_url": settings.ESSAIM_NODE_URL,
        "has_invitation": bool(notice.method),
    }


def refund_failed_notify(*, refund_id: int) -> bool:
    """Tell the venue's team that Stripe refused or reversed a refund: the booker still waits for
    that money, and only a person can settle it (another card, a bank transfer, cash)."""
    refund = selectors.refund_for_notification(pk=refund_id)
    if refund is None:
        return False
    booking = refund.payment.booking
    venue = booking.resource.venue
    recipients = selectors.venue_manager_emails(venue=venue)
    if not recipients:
        logger.warning("refund %s failed and venue %s has no address to tell", refund_id, venue.pk)
        return False
    with translation.override(settings.LANGUAGE_CODE), timezone.override(ZoneInfo(venue.timezone)):
        amount = money.format_money(refund.amount_minor, refund.currency, settings.LANGUAGE_CODE)
        subject = f"[{settings.ESSAIM_NODE_NAME}] " + _("Refund failed: %(reference)s") % {
            "reference": booking.reference
        }
        body = _(
            "Stripe could not refund %(amount)s to %(who)s for booking %(reference)s (%(what)s): %(why)s.\n\n"
            "The booker is still owed this money: refund it again from the booking's page in the admin, "
            "or another way (bank transfer, cash). %(url)s"
        ) % {
            "amount": amount,
            "who": booking.user.get_full_name() or booking.user.email or booking.user.get_username(),
            "reference": booking.reference,
            "what": email_span(booking.start, booking.end, ZoneInfo(venue.timezone)),
            "why": refund.failure or _("no reason given"),
            "url": ics.site_url(reverse("booking_list:detail", kwargs={"pk": booking.pk})),
        }
    message = EmailMultiAlternatives(
        subject=text.one_line(subject),
        body=text.multi_line(body),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    return message.send() > 0
