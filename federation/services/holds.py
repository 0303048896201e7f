"""On the venue's node: a peer books one of our resources or event dates for one of its people, in
two phases (hold, then confirm or release), and may cancel afterwards.

The person is a ``RemoteBooker``: a shadow account tied to the peer, with no password, and a name
and e-mail only when the peer sends them (the person consented there). Every booking goes through
the booking engine's own services with that account, so our rules, per-person limits and hold
cap, locks, exclusion constraint, payments and audit apply unchanged. On top, a peer may keep at
most ``Peer.max_open_holds`` holds open here, counted under the peer's lock.

Every call is idempotent: the hold's key is the peer's ``RemoteBooking.uid`` and becomes our
``Booking.uid`` (a replay answers the booking it made, even after the key's record is purged);
every answer, refusals included, is stored under the key (``core.idempotency``'s records) and
replayed as it was.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings import services as booking_services
from bookings.models import Booking, BookingStatus, PaymentState, Resource
from bookings.payments import pay_links
from core.audit import AuditReason
from core.errors import Conflict, DomainError, InvalidInput, NotFound
from core.idempotency import (
    MAX_KEY_LENGTH,
    idempotency_complete,
    idempotency_release,
    idempotency_reserve,
    request_fingerprint,
)
from core.locking import lock_one
from events.models import Event
from events.services.registrations import registration_create
from federation.models import Peer, RemoteBooker, RemoteHold

HANDLE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

Answer = tuple[int, dict]


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def refusal(error: DomainError) -> Answer:
    return error.status, {"detail": str(error.message), "code": error.code, **error.extra}


def hold_answer(booking: Booking, now: datetime | None = None) -> dict:
    """What the peer learns about its person's booking (the local API's fields that matter)."""
    data = {
        "uid": str(booking.uid),
        "status": booking.status,
        "reference": booking.reference,
        "expires_at": _iso(booking.expires_at) if booking.status == BookingStatus.HELD else None,
        "amount_minor": booking.amount_minor,
        "currency": booking.currency,
        "payment_state": booking.payment_state,
    }
    if pay_links.awaits_payment(booking, now or timezone.now()):
        data["payment_url"] = pay_links.pay_url(booking)
    return data


def booker_user(peer: Peer, booker: dict):
    """The shadow account of ``booker`` (``{handle, name?, email?}``), made on first need. Its
    name and e-mail follow what the peer sends now: given with consent, emptied without."""
    handle = booker.get("handle", "")
    if not HANDLE.match(handle):
        raise InvalidInput(_("The booker's handle is not valid."), code="bad_booker")
    name = (booker.get("name") or "")[:150]
    email = (booker.get("email") or "")[:254]
    found = RemoteBooker.objects.filter(peer=peer, handle=handle).select_related("user").first()
    if found is None:
        user_model = get_user_model()
        try:
            with transaction.atomic():
                user = user_model(username=f"peer{peer.pk}~{handle}"[:150], first_name=name, email=email)
                user.set_unusable_password()
                user.save()
                RemoteBooker.objects.create(peer=peer, user=user, handle=handle)
            return user
        except IntegrityError:  # made by a concurrent request meanwhile
            found = RemoteBooker.objects.select_related("user").get(peer=peer, handle=handle)
    user = found.user
    if (user.first_name, user.last_name, user.email) != (name, "", email):
        user.first_name, user.last_name, user.email = name, "", email
        user.save(update_fields=["first_name", "last_name", "email"])
    return user


def once(*, user, key: str, fingerprint: str, work: Callable[[], Answer]) -> Answer:
    """Run ``work`` once for ``(user, key)``: its answer (a refusal too) is stored with the work
    in one transaction and replayed to a retry; a 5xx (a lock not granted) is not kept."""
    try:
        record, new = idempotency_reserve(user=user, key=key, fingerprint=fingerprint)
    except DomainError as error:
        return refusal(error)
    if not new:
        return record.status_code, record.body
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():  # a refusal leaves nothing behind
                    status, data = work()
            except DomainError as error:
                status, data = refusal(error)
            if status < 500:
                idempotency_complete(record=record, status_code=status, body=data)
            else:
                transaction.set_rollback(True)
    except BaseException:
        idempotency_release(record=record)
        raise
    if record.status_code is None:
        idempotency_release(record=record)
    return status, data


def check_key(key: str | None, *, uuid_only: bool = False) -> str:
    key = (key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " <= char <= "~" for char in key):
        raise InvalidInput(_("An Idempotency-Key is required."), code="idempotency_key_invalid")
    if uuid_only:
        try:
            uuid.UUID(key)
        except ValueError:
            raise InvalidInput(
                _("A hold's Idempotency-Key is the booking's UUID."), code="idempotency_key_invalid"
            ) from None
    return key


def _same_origin(url: str, base: str) -> bool:
    """``url`` is a page of the node at ``base`` (same scheme, host and port, under its path)."""
    try:
        target, root = urlsplit(url), urlsplit(base)
    except ValueError:
        return False
    return (
        target.scheme in ("http", "https")
        and (target.scheme, target.netloc) == (root.scheme, root.netloc)
        and target.path.startswith(root.path.rstrip("/") + "/")
        or url.rstrip("/") == base.rstrip("/")
    )


def hold_place(*, peer: Peer, key: str, data: dict, fingerprint: str, now: datetime | None = None) -> Answer:
    """``POST /federation/v1/holds``: hold ``data['resource']`` (or an event date's seats) for the
    peer's person. 201 with the hold, 409 ``no_room``/``event_full``/``peer_hold_cap``, 400 a rule."""
    now = now or timezone.now()
    key = check_key(key, uuid_only=True)
    made = Booking.objects.filter(uid=key).select_related("remote_hold").first()
    if made is not None:  # a replay, perhaps after the key's record was purged
        if getattr(made, "remote_hold", None) is None or made.remote_hold.peer_id != peer.pk:
            raise InvalidInput(_("This Idempotency-Key was already used."), code="idempotency_key_reused")
        return 201, hold_answer(made, now)
    resource = Resource.objects.filter(uid=data["resource"], origin="").select_related("venue").first()
    if resource is None:
        raise InvalidInput(_("No resource with this id."), code="unknown_resource")
    event = None
    if data.get("event"):
        event = Event.objects.filter(uid=data["event"], origin="", live=True).first()
        if event is None or event.seats_id != resource.pk:
            raise InvalidInput(_("No event with this id."), code="unknown_event")
    user = booker_user(peer, data["booker"])
    return_url = data.get("return_url") or ""
    if return_url and not _same_origin(return_url, peer.url):
        return_url = ""  # we send people back to the node they came from, nowhere else

    def work() -> Answer:
        lock_one(peer)
        open_holds = Booking.objects.filter(
            remote_hold__peer=peer, status=BookingStatus.HELD, expires_at__gt=now
        ).count()
        if open_holds >= peer.max_open_holds:
            raise Conflict(
                _("Your node holds too many places here already: confirm or release some first."),
                code="peer_hold_cap",
                extra={"limit": peer.max_open_holds},
            )
        language = data["booker"].get("language", "")
        if event is not None:
            booking = registration_create(
                user=user,
                event=event,
                recurrence_id=data.get("recurrence_id") or event.start,
                quantity=data["quantity"],
                language=language,
                hold=True,
                uid=uuid.UUID(key),
                now=now,
            )
        else:
            booking = booking_services.booking_create(
                user=user,
                request=booking_services.BookingRequest(resource, data["start"], data["end"], data["quantity"]),
                hold=True,
                language=language,
                uid=uuid.UUID(key),
                now=now,
            )
            if str(booking.uid) != key:  # the engine gave back this person's open hold of the same time
                raise InvalidInput(_("This person already holds this time."), code="already_held")
        RemoteHold.objects.create(booking=booking, peer=peer, return_url=return_url)
        return 201, hold_answer(booking, now)

    return once(user=user, key=key, fingerprint=fingerprint, work=work)


def _peer_booking(peer: Peer, uid) -> Booking:
    """The booking ``uid`` if this peer placed it; otherwise a 404 (others' bookings do not exist)."""
    booking = (
        Booking.objects.filter(uid=uid, remote_hold__peer=peer).select_related("resource__venue", "user").first()
        if _is_uuid(uid)
        else None
    )
    if booking is None:
        raise NotFound(_("Your node has no booking with this id."), code="booking_not_found")
    return booking


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def hold_confirm(*, peer: Peer, uid, key: str, fingerprint: str, now: datetime | None = None) -> Answer:
    """The person confirmed on their node: a free hold is confirmed (a request stays awaiting the
    managers' approval; a lapsed hold is revived if its time is still free, else 409 ``no_room``);
    a priced one stays held, and the answer carries the link to pay here."""
    now = now or timezone.now()
    booking = _peer_booking(peer, uid)

    def work() -> Answer:
        current = booking
        if current.status in (BookingStatus.HELD, BookingStatus.EXPIRED) and not (
            current.payment_state == PaymentState.PENDING and booking_services.pays_online(current.resource)
        ):
            current = booking_services.booking_confirm(
                booking=current, actor=current.user, reason=AuditReason.CONFIRMED_BY_PEER, now=now
            )
        return 200, hold_answer(current, now)

    return once(user=booking.user, key=check_key(key), fingerprint=fingerprint, work=work)


def hold_release(*, peer: Peer, uid, key: str, fingerprint: str, now: datetime | None = None) -> Answer:
    """The person let the hold go: it ends now instead of at its expiry (nothing was paid)."""
    now = now or timezone.now()
    booking = _peer_booking(peer, uid)

    def work() -> Answer:
        current = booking
        if current.status == BookingStatus.HELD:
            current = booking_services.hold_release(
                booking=current, to_status=BookingStatus.CANCELLED, reason=AuditReason.RELEASED_BY_PEER, now=now
            )
        elif current.status == BookingStatus.PENDING_APPROVAL:
            current = booking_services.booking_cancel(booking=current, actor=current.user, now=now)
        elif current.status not in (BookingStatus.CANCELLED, BookingStatus.EXPIRED):
            raise InvalidInput(_("Only a hold can be released; cancel a confirmed booking."), code="not_held")
        return 200, hold_answer(current, now)

    return once(user=booking.user, key=check_key(key), fingerprint=fingerprint, work=work)


def hold_cancel(
    *, peer: Peer, uid, key: str, fingerprint: str, reason: str = "", now: datetime | None = None
) -> Answer:
    """The person cancelled on their node: cancelled under our policy, refunded as it says."""
    now = now or timezone.now()
    booking = _peer_booking(peer, uid)

    def work() -> Answer:
        if booking.status == BookingStatus.CANCELLED:
            return 200, hold_answer(booking, now)
        current = booking_services.booking_cancel(booking=booking, actor=booking.user, reason=reason, now=now)
        return 200, hold_answer(current, now)

    return once(user=booking.user, key=check_key(key), fingerprint=fingerprint, work=work)


def fingerprint_of(request) -> str:
    return request_fingerprint(method=request.method, path=request.get_full_path(), body=request.body or b"")
