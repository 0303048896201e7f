"""Federation: this node's key, its peers, the replay guard, the outbox (change feed) and the
two-phase remote bookings, on either side."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NodeKey(models.Model):
    """This node's Ed25519 signing key. In the database so that two nodes can run from one checkout;
    ``ESSAIM_NODE_PRIVATE_KEY`` (PEM) overrides it in production (see ``federation.keys``)."""

    key_id = models.CharField(max_length=100, unique=True)
    private_pem = models.TextField()
    public_pem = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.key_id


class PeerState(models.TextChoices):
    #: We asked them; their admin has not approved yet.
    REQUESTED = "requested", pgettext_lazy("peer", "Requested")
    #: They asked us; waiting for our admin's approval.
    PENDING = "pending", pgettext_lazy("peer", "Awaiting approval")
    ACTIVE = "active", pgettext_lazy("peer", "Active")
    SUSPENDED = "suspended", pgettext_lazy("peer", "Suspended")
    REVOKED = "revoked", pgettext_lazy("peer", "Revoked")


class Peer(models.Model):
    """Another Essaim node, known by its base URL and its public key."""

    url = models.URLField(_("base URL"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    key_id = models.CharField(_("key id"), max_length=200, blank=True)
    public_key = models.TextField(_("public key (PEM)"), blank=True)
    api_version = models.CharField(max_length=20, blank=True)
    software_version = models.CharField(max_length=40, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=PeerState.choices, db_index=True)
    #: Suspended or revoked by the other side (we keep our own ``state`` separately).
    their_state = models.CharField(max_length=12, choices=PeerState.choices, blank=True)
    #: The last position of their change feed applied here, and their head when last asked.
    cursor = models.BigIntegerField(default=0)
    head = models.BigIntegerField(default=0)
    last_sync_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    #: How many holds this peer's people may keep open here at once (beside each resource's own cap).
    max_open_holds = models.PositiveIntegerField(_("open holds allowed"), default=50)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "url"]
        verbose_name = _("peer node")
        verbose_name_plural = _("peer nodes")

    def __str__(self):
        return self.name or self.url

    @property
    def lag(self) -> int:
        return max(self.head - self.cursor, 0)


class SeenNonce(models.Model):
    """A signature nonce already accepted: a second request with it is a replay (kept ~10 minutes,
    longer than a signature's 5-minute life)."""

    key_id = models.CharField(max_length=200)
    nonce = models.CharField(max_length=100)
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key_id", "nonce"], name="nonce_once_per_key")]

    def __str__(self):
        return f"{self.key_id} {self.nonce}"


class ChangeKind(models.TextChoices):
    VENUE = "venue"
    RESOURCE = "resource"
    EVENT = "event"
    #: One booking's occupancy of a resource (a busy interval; no personal data).
    BUSY = "busy"
    #: A remote booker's booking, addressed to the peer it came through only.
    BOOKING = "booking"


class Change(models.Model):
    """One entry of the outbox, written in the same transaction as the change it describes.

    ``position`` is what readers page by. It is stamped *after* commit, in order, under a lock
    (``federation.outbox.stamp``): a sequence value taken before commit could become visible after
    a higher one and a reader paging by id would skip it."""

    position = models.BigIntegerField(null=True, blank=True, unique=True)
    kind = models.CharField(max_length=12, choices=ChangeKind.choices)
    uid = models.UUIDField()
    deleted = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    #: A private entry for one peer (a remote booker's booking); empty for everyone's entries.
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "uid"]),
            models.Index(fields=["position"], condition=models.Q(position__isnull=True), name="change_unstamped"),
        ]

    def __str__(self):
        return f"{self.position or '·'} {self.kind} {self.uid}{' ✝' if self.deleted else ''}"


class OutboxLock(models.Model):
    """A single row locked while positions are stamped, so stamps never interleave."""

    stamped = models.BigIntegerField(default=0)

    def __str__(self):
        return f"outbox stamped to {self.stamped}"


class RemoteBooker(models.Model):
    """On the venue's node: the shadow account of a person who books through a peer. It has no
    password; its name and e-mail are set only when the person consented to share them."""

    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="bookers")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="remote_booker")
    #: The peer's pseudonymous handle for the person (stable per person and peer).
    handle = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "handle"], name="remote_booker_once_per_peer")]

    def __str__(self):
        return f"{self.handle}@{self.peer}"


class RemoteBookingStatus(models.TextChoices):
    #: Saved here, not yet answered by the venue's node (or its answer was lost: retried).
    REQUESTED = "requested", pgettext_lazy("remote booking", "Sending")
    HELD = "held", pgettext_lazy("remote booking", "Held")
    PENDING_APPROVAL = "pending_approval", pgettext_lazy("remote booking", "Awaiting approval")
    CONFIRMED = "confirmed", pgettext_lazy("remote booking", "Confirmed")
    CHECKED_IN = "checked_in", pgettext_lazy("remote booking", "Checked in")
    NO_SHOW = "no_show", pgettext_lazy("remote booking", "No-show")
    CANCELLED = "cancelled", pgettext_lazy("remote booking", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("remote booking", "Expired")
    REJECTED = "rejected", pgettext_lazy("remote booking", "Refused")
    #: The venue's node refused the hold (no room, a rule): ``error`` says why.
    FAILED = "failed", pgettext_lazy("remote booking", "Not possible")


class RemoteBooking(models.Model):
    """On the booker's node: a booking of a peer's resource or event date, saved with its key
    *before* the peer is called (the key is the request's ``Idempotency-Key`` and the booking's
    ``uid`` there), so a lost answer is retried, never doubled."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="remote_bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="remote_bookings")
    #: The mirrored resource (a room, a desk, an event's seats).
    resource = models.ForeignKey("bookings.Resource", on_delete=models.PROTECT, related_name="remote_bookings")
    #: The mirrored event and date, for a registration.
    event = models.ForeignKey(
        "events.Event", null=True, blank=True, on_delete=models.PROTECT, related_name="remote_bookings"
    )
    recurrence_id = models.DateTimeField(null=True, blank=True)
    start = models.DateTimeField()
    end = models.DateTimeField()
    quantity = models.PositiveIntegerField(default=1)
    #: The venue node's booking status (the same codes as ``BookingStatus``), or ``requested``/``failed``.
    status = models.CharField(max_length=20, choices=RemoteBookingStatus.choices, db_index=True)
    #: The venue node's reference, price and payment page, as it answered.
    reference = models.CharField(max_length=20, blank=True)
    amount_minor = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    payment_url = models.URLField(max_length=1000, blank=True)
    payment_state = models.CharField(max_length=20, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    #: The venue node's error code and message when it refused.
    error_code = models.CharField(max_length=60, blank=True)
    error = models.CharField(max_length=500, blank=True)
    language = models.CharField(max_length=10, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["user", "start"])]

    def __str__(self):
        return f"{self.uid} {self.status}"


class RemoteHold(models.Model):
    """On the venue's node: a booking a peer placed for one of its people, and where the person
    goes back to after paying here (a page of that peer, checked against its base URL)."""

    booking = models.OneToOneField("bookings.Booking", on_delete=models.CASCADE, related_name="remote_hold")
    peer = models.ForeignKey(Peer, on_delete=models.PROTECT, related_name="holds")
    return_url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.booking_id} via {self.peer}"
