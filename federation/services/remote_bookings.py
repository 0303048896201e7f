"""On the booker's node: booking a peer's resource or event date for one of our people, in two
phases, and following what the venue's node says about it afterwards.

A ``RemoteBooking`` is committed with its key (its ``uid``) *before* the peer is called, and no
call is ever made inside a database transaction: a lost answer leaves the row ``requested`` and
the same request is sent again with the same key (``remote_retry``), which the peer answers with
the booking it already made. Confirm, release and cancel are keyed ``<uid>:<action>`` the same
way. The person's name and e-mail go to the peer only with their consent
(``Profile.share_identity_with_peers``); otherwise the peer knows a pseudonymous handle, stable
per person and peer.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Profile
from core.errors import Conflict, InvalidInput, Unavailable
from federation.models import Peer, PeerState, RemoteBooking, RemoteBookingStatus

logger = logging.getLogger("essaim.federation")

HOLDS = "/federation/v1/holds"
#: Statuses of the venue's node we copy as they are.
KNOWN = {choice.value for choice in RemoteBookingStatus}
#: Still to be answered, or answered and still occupying the time: cancelling them means something.
OPEN = (
    RemoteBookingStatus.REQUESTED,
    RemoteBookingStatus.HELD,
    RemoteBookingStatus.PENDING_APPROVAL,
    RemoteBookingStatus.CONFIRMED,
)
#: A ``requested`` row older than this is retried by the sweep (its answer was lost).
RETRY_AFTER = timedelta(minutes=1)


class Lost(Exception):
    """The peer's answer did not arrive (unreachable, timed out, 5xx, an unverifiable answer)."""


def _call(peer: Peer, method: str, path: str, *, json=None, idempotency_key=None) -> tuple[int, dict]:
    """The signed call to a peer (``federation.client.call``); tests swap this function."""
    from federation import client  # noqa: PLC0415 (written beside this module; read when called)

    reply = client.call(peer, method, path, json=json, idempotency_key=idempotency_key)
    return reply.status, reply.data


def in_transaction() -> bool:
    """Inside a transaction of ours (a test case's wrapping transaction does not count)."""
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _send(peer: Peer, path: str, body: dict, key: str) -> tuple[int, dict]:
    assert not in_transaction(), "never call a peer inside a database transaction"
    try:
        status, data = _call(peer, "POST", path, json=body, idempotency_key=key)
    except Exception as exc:  # the network, the peer or its signature: all mean "ask again"
        logger.warning("remote booking %s: no answer from %s (%s)", key, peer.url, exc.__class__.__name__)
        raise Lost(str(exc)) from exc
    if not status or status >= 500 or status == 401:
        logger.warning("remote booking %s: %s answered %s", key, peer.url, status)
        raise Lost(f"HTTP {status}")
    return status, data if isinstance(data, dict) else {}


def peer_of(resource) -> Peer:
    """The active peer a mirrored resource comes from."""
    origin = (resource.origin or "").rstrip("/")
    peer = Peer.objects.filter(url__in=[origin, origin + "/"]).first() if origin else None
    if peer is None or peer.state != PeerState.ACTIVE:
        raise InvalidInput(_("This venue's node cannot take bookings from here now."), code="peer_not_active")
    return peer


def handle_for(user, peer: Peer) -> str:
    """The person's pseudonym at ``peer``: stable, and meaningless without our secret key."""
    return salted_hmac("essaim.federation.handle", f"{peer.url}|{user.pk}", algorithm="sha256").hexdigest()[:32]


def booker_for(user, peer: Peer, language: str) -> dict:
    """What the peer learns about the person: a handle and a language; name and e-mail if they agreed."""
    booker = {"handle": handle_for(user, peer), "language": language}
    if Profile.objects.filter(user=user, share_identity_with_peers=True).exists():
        name = user.get_full_name() or ""
        if name:
            booker["name"] = name
        if user.email:
            booker["email"] = user.email
    return booker


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _instant(value) -> datetime | None:
    if not value:
        return None
    moment = parse_datetime(value) if isinstance(value, str) else value
    return moment if moment is not None and moment.tzinfo is not None else None


def remote_hold(
    *,
    user,
    resource,
    start: datetime,
    end: datetime,
    quantity: int = 1,
    event=None,
    recurrence_id: datetime | None = None,
    language: str = "",
) -> RemoteBooking:
    """Ask the venue's node to hold a mirrored resource (or an event date's seats) for ``user``.

    The row is saved first (``requested``), then the peer is asked: the row comes back ``held``
    (or ``pending_approval``), ``failed`` with the peer's code and message, or still
    ``requested`` when the answer was lost (``remote_retry`` asks again with the same key)."""
    if not resource.origin:
        raise InvalidInput(_("This resource is booked here, not through a partner node."), code="not_remote")
    peer = peer_of(resource)
    booking = RemoteBooking.objects.create(
        peer=peer,
        user=user,
        resource=resource,
        event=event,
        recurrence_id=recurrence_id,
        start=start,
        end=end,
        quantity=quantity,
        status=RemoteBookingStatus.REQUESTED,
        language=language or settings.LANGUAGE_CODE,
    )
    return _send_hold(booking)


def return_url(booking: RemoteBooking) -> str:
    """Our page of the booking, where the venue's node sends the person back after paying."""
    try:
        with translation.override(booking.language):
            path = reverse("federation_pages:remote-booking", kwargs={"uid": booking.uid})
    except NoReverseMatch:  # the pages are not installed
        return ""
    return settings.ESSAIM_NODE_URL + path


def _hold_body(booking: RemoteBooking) -> dict:
    body = {
        "resource": str(booking.resource.uid),
        "start": _iso(booking.start),
        "end": _iso(booking.end),
        "quantity": booking.quantity,
        "booker": booker_for(booking.user, booking.peer, booking.language),
    }
    if booking.event_id:
        body["event"] = str(booking.event.uid)
        body["recurrence_id"] = _iso(booking.recurrence_id)
    back = return_url(booking)
    if back:
        body["return_url"] = back
    return body


def _send_hold(booking: RemoteBooking) -> RemoteBooking:
    try:
        status, data = _send(booking.peer, HOLDS, _hold_body(booking), str(booking.uid))
    except Lost as exc:
        return _record(booking, error_code="unreachable", error=str(exc)[:500])
    if status in (200, 201):
        return _record(booking, answer=data)
    return _record(
        booking,
        status=RemoteBookingStatus.FAILED,
        error_code=str(data.get("code", "refused"))[:60],
        error=str(data.get("detail", ""))[:500],
    )


def _record(
    booking: RemoteBooking, *, answer: dict | None = None, status: str = "", error_code="", error=""
) -> RemoteBooking:
    """Write what the peer answered (or that it did not) on the row, in a short transaction."""
    with transaction.atomic():
        row = RemoteBooking.objects.select_for_update().get(pk=booking.pk)
        fields = ["error_code", "error", "updated_at"]
        row.error_code, row.error = error_code, error
        if answer is not None:
            _copy(row, answer)
            fields += ["status", "reference", "amount_minor", "currency", "payment_url", "payment_state", "expires_at"]
        if status:
            row.status = status
            if status == RemoteBookingStatus.FAILED:
                row.payment_url = ""
                fields += ["payment_url"]
            fields.append("status")
        row.save(update_fields=sorted(set(fields)))
    return row


def _copy(row: RemoteBooking, data: dict) -> None:
    if data.get("status") in KNOWN:
        row.status = data["status"]
    row.reference = str(data.get("reference", row.reference))[:20]
    row.amount_minor = int(data.get("amount_minor", row.amount_minor) or 0)
    row.currency = str(data.get("currency", row.currency) or row.currency)[:3]
    row.payment_url = str(data.get("payment_url") or "")[:1000] if _same_node(data.get("payment_url"), row) else ""
    row.payment_state = str(data.get("payment_state", row.payment_state) or "")[:20]
    row.expires_at = _instant(data.get("expires_at"))


def _same_node(url, row: RemoteBooking) -> bool:
    """A payment link is followed only when it leads to the venue's node itself."""
    return isinstance(url, str) and url.startswith(row.peer.url.rstrip("/") + "/")


def remote_retry(*, booking: RemoteBooking) -> RemoteBooking:
    """Send a ``requested`` hold again, with its key: the peer answers what it did the first time."""
    if booking.status != RemoteBookingStatus.REQUESTED:
        return booking
    return _send_hold(booking)


def remote_retry_all(*, now: datetime | None = None) -> int:
    """The sweep: ask again for holds whose answer was lost (beat runs it every minute or so)."""
    now = now or timezone.now()
    due = RemoteBooking.objects.filter(
        status=RemoteBookingStatus.REQUESTED, updated_at__lte=now - RETRY_AFTER, start__gt=now
    ).select_related("peer", "resource", "event", "user")
    count = 0
    for booking in due[:200]:
        if remote_retry(booking=booking).status != RemoteBookingStatus.REQUESTED:
            count += 1
    return count


def _action(booking: RemoteBooking, action: str, body: dict | None = None) -> RemoteBooking:
    """Send ``confirm``/``release``/``cancel`` for the booking; a refusal raises with the peer's
    words (``Conflict`` for a 409), a lost answer raises ``Unavailable`` (try again: same key)."""
    if booking.status == RemoteBookingStatus.REQUESTED:
        booking = remote_retry(booking=booking)
        if booking.status == RemoteBookingStatus.REQUESTED:
            raise unreachable()
    if booking.status == RemoteBookingStatus.FAILED:
        raise InvalidInput(booking.error or _("This booking was not possible."), code=booking.error_code or "failed")
    key = f"{booking.uid}:{action}"
    try:
        status, data = _send(booking.peer, f"{HOLDS}/{booking.uid}/{action}", body or {}, key)
    except Lost as exc:
        _record(booking, error_code="unreachable", error=str(exc)[:500])
        raise unreachable() from exc
    if status in (200, 201):
        return _record(booking, answer=data)
    code = str(data.get("code", "refused"))[:60]
    detail = str(data.get("detail", "")) or _("The venue's node refused.")
    _record(booking, error_code=code, error=detail[:500])
    if status == 409:
        raise Conflict(detail, code=code)
    raise InvalidInput(detail, code=code)


def unreachable() -> Unavailable:
    return Unavailable(_("The venue's node does not answer yet: try again in a moment."), code="peer_unreachable")


def remote_confirm(*, booking: RemoteBooking) -> RemoteBooking:
    """Confirm a hold: confirmed (or awaiting approval) when free; still held with the venue's
    payment link when priced (the venue's node confirms it once paid, and tells us)."""
    return _action(booking, "confirm")


def remote_release(*, booking: RemoteBooking) -> RemoteBooking:
    """Let a hold go at once rather than at its expiry."""
    return _action(booking, "release")


def remote_cancel(*, booking: RemoteBooking, reason: str = "") -> RemoteBooking:
    """Cancel on the venue's node, under its policy (it refunds what its policy says)."""
    if booking.status in (RemoteBookingStatus.CANCELLED, RemoteBookingStatus.EXPIRED):
        return booking
    return _action(booking, "cancel", {"reason": reason[:500]})


def apply_status(peer: Peer, uid, data: dict, deleted: bool) -> bool:
    """A private ``booking`` entry of ``peer``'s change feed (``federation.wire.booking``): copy the
    venue node's status, payment state, expiry and reference onto our row. Only the peer the
    booking was placed with may change it. Returns whether a row was found."""
    with transaction.atomic():
        row = RemoteBooking.objects.select_for_update().filter(peer=peer, uid=uid).first()
        if row is None:
            return False
        if deleted:
            row.status = RemoteBookingStatus.CANCELLED
        else:
            if data.get("status") in KNOWN:
                row.status = data["status"]
            row.payment_state = str(data.get("payment_state") or "")[:20]
            row.reference = str(data.get("reference") or row.reference)[:20]
            row.expires_at = _instant(data.get("expires_at"))
            if "amount_minor" in data:
                row.amount_minor = int(data.get("amount_minor") or 0)
            for field in ("start", "end"):
                moment = _instant(data.get(field))
                if moment is not None:
                    setattr(row, field, moment)
            if data.get("quantity"):
                row.quantity = int(data["quantity"])
        if row.status != RemoteBookingStatus.HELD:
            row.payment_url = ""  # nothing left to pay for
        row.save()
    return True


def shown_status(booking: RemoteBooking, now: datetime) -> str:
    """The status to show: a hold past its expiry is expired even before the peer says so."""
    if booking.status == RemoteBookingStatus.HELD and booking.expires_at and booking.expires_at <= now:
        return RemoteBookingStatus.EXPIRED
    return booking.status
