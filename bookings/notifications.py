"""E-mails to bookers: confirmation, request received, approval, rejection, cancellation, reminder."""

from django.core.mail import EmailMessage

from bookings.models import Booking


def booking_notify(*, booking_id: int, event: str) -> bool:
    booking = Booking.objects.select_related("resource__venue", "user").filter(pk=booking_id).first()
    if booking is None or not booking.user.email:
        return False
    subject = f"[Essaim] {booking.resource.name} — {event}"
    EmailMessage(subject, str(booking), to=[booking.user.email]).send()
    return True
