"""Inventory and bookings: resources with their rules, hours and closures; bookings and their audit trail.

Resources are plain models, not pages: a page draft or revision never changes what can be booked.
Every resource belongs to a venue's canonical (French) page. Times are stored in UTC; opening
hours and closures are wall-clock values in the venue's time zone.

The database itself refuses a double booking on PostgreSQL (an exclusion constraint over
``tstzrange(start, blocked_until)`` for exclusive resources, added in migration 0002); pooled
resources are guarded by a row lock on the resource in ``services``.
"""

import secrets
import uuid
from datetime import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from core.validators import multi_line, single_line
from venues import vocabulary


class ResourceKind(models.TextChoices):
    DESK = "desk", _("Named desk")
    DESK_POOL = "desk_pool", _("Any desk (desk pool)")
    ROOM = "room", _("Meeting room")
    EVENT_SEATS = "event_seats", _("Event seats")


#: Kinds booked by one person or group at a time: the exclusion constraint guards them.
EXCLUSIVE_KINDS = {ResourceKind.DESK, ResourceKind.ROOM}

#: The desks and rooms managers list, filter and choose; an event's seats belong to its event
#: (``events.services.publishing`` keeps them) and are managed from the event's registrations.
WORKSPACE_KINDS = [ResourceKind.DESK, ResourceKind.DESK_POOL, ResourceKind.ROOM]
WORKSPACE_KIND_CHOICES = [(kind.value, kind.label) for kind in WORKSPACE_KINDS]


class BookingUnit(models.TextChoices):
    """How a booking's length is chosen: any slot range, or half-days and days only."""

    SLOTS = "slots", _("Any range of slots")
    HALF_DAY = "half_day", _("Half-days or whole days")
    DAY = "day", _("Whole days only")


class PricingUnit(models.TextChoices):
    HOUR = "hour", _("per hour")
    HALF_DAY = "half_day", _("per half-day")
    DAY = "day", _("per day")
    BOOKING = "booking", _("per booking")


class LateCancellation(models.TextChoices):
    """What happens after the free-cancellation window."""

    ALLOWED = "allowed", _("Cancellation allowed, not refunded")
    REFUSED = "refused", _("No cancellation")


class Resource(ClusterableModel):
    """Something bookable at a venue: a named desk, a desk pool, a meeting room or event seats.

    ``capacity`` is how many units may be booked at once (1 for a desk or a room); ``seats`` is
    how many people a room holds, shown to bookers.
    """

    venue = models.ForeignKey(
        "venues.VenuePage", on_delete=models.CASCADE, related_name="resources", verbose_name=_("venue")
    )
    name = models.CharField(_("name"), max_length=120, validators=[single_line])
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices, default=ResourceKind.DESK)
    description = models.TextField(_("description"), blank=True, validators=[multi_line])
    photo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("photo"),
    )
    capacity = models.PositiveIntegerField(
        _("capacity"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10_000)],
        help_text=_("How many can be booked at the same time: 1 for a desk or a room, the number of desks in a pool."),
    )
    seats = models.PositiveIntegerField(
        _("seats"), null=True, blank=True, help_text=_("How many people the room holds.")
    )
    #: Price in minor units of ``currency`` (cents, or whole francs for XOF): never a float.
    price_minor = models.PositiveIntegerField(_("price (minor units)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    pricing_unit = models.CharField(
        _("price applies"), max_length=20, choices=PricingUnit.choices, default=PricingUnit.HOUR
    )

    booking_unit = models.CharField(
        _("bookable by"), max_length=20, choices=BookingUnit.choices, default=BookingUnit.SLOTS
    )
    slot_minutes = models.PositiveIntegerField(
        _("slot length (minutes)"), default=30, validators=[MinValueValidator(5), MaxValueValidator(24 * 60)]
    )
    min_minutes = models.PositiveIntegerField(_("shortest booking (minutes)"), default=30)
    max_minutes = models.PositiveIntegerField(_("longest booking (minutes)"), default=24 * 60)
    lead_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=0)
    horizon_days = models.PositiveIntegerField(
        _("bookable ahead (days)"), default=90, validators=[MinValueValidator(1), MaxValueValidator(730)]
    )
    buffer_minutes = models.PositiveIntegerField(
        _("buffer between bookings (minutes)"), default=0, validators=[MaxValueValidator(240)]
    )
    max_per_day = models.PositiveIntegerField(
        _("bookings per person per day"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_per_week = models.PositiveIntegerField(
        _("bookings per person per week"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    approval_required = models.BooleanField(_("manager approves each booking"), default=False)
    free_cancel_hours = models.PositiveIntegerField(_("free cancellation until (hours before)"), default=24)
    late_cancellation = models.CharField(
        _("after that"), max_length=20, choices=LateCancellation.choices, default=LateCancellation.ALLOWED
    )
    late_refund_percent = models.PositiveSmallIntegerField(
        _("refunded after that (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_("Share of a paid booking refunded when it is cancelled after the free-cancellation window."),
    )
    pay_at_venue = models.BooleanField(
        _("paid at the venue"),
        default=False,
        help_text=_("Bookers pay at the door instead of online; the amount due is shown to both sides."),
    )
    #: Empty for our own resources; the owning node's base URL for a mirrored remote one.
    origin = models.URLField(_("origin node"), blank=True, editable=False)
    #: The resource's name across nodes (with its origin): a peer's mirror keeps the owner's.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    is_active = models.BooleanField(_("bookable"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["venue_id", "kind", "name"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="resource_capacity_positive"),
            models.CheckConstraint(
                condition=models.Q(min_minutes__lte=models.F("max_minutes")), name="resource_min_le_max"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.kind in EXCLUSIVE_KINDS and self.capacity != 1:
            errors["capacity"] = _("A named desk or a room is booked by one at a time: capacity must be 1.")
        if self.min_minutes > self.max_minutes:
            errors["max_minutes"] = _("The longest booking must not be shorter than the shortest one.")
        if self.slot_minutes and self.min_minutes % self.slot_minutes:
            errors["min_minutes"] = _("The shortest booking must be a whole number of slots.")
        if len(self.currency or "") != 3 or not self.currency.isalpha():
            errors["currency"] = _("Use a three-letter ISO 4217 code such as EUR.")
        if errors:
            raise ValidationError(errors)
        self.currency = self.currency.upper()

    @property
    def is_exclusive(self) -> bool:
        return self.kind in EXCLUSIVE_KINDS

    @property
    def is_free(self) -> bool:
        return self.price_minor == 0

    @property
    def is_remote(self) -> bool:
        return bool(self.origin)


class ResourceHours(models.Model):
    """Weekly hours of one resource; when a resource has any, they replace the venue's hours."""

    resource = ParentalKey(Resource, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=vocabulary.WeekDay.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["resource_id", "weekday", "opens"]
        verbose_name = _("resource hours")
        verbose_name_plural = _("resource hours")

    def clean(self):
        # 00:00 closes at midnight, as in ``availability.WeeklyHours`` (18:00–00:00, or all day).
        if self.opens is not None and self.closes not in (None, time(0)) and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    """A venue (or one resource) closed from ``first_day`` to ``last_day`` inclusive, wall-clock days.

    ``yearly`` repeats the same dates every year (Christmas, 1 May…).
    """

    venue = models.ForeignKey(
        "venues.VenuePage", on_delete=models.CASCADE, related_name="closures", verbose_name=_("venue")
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="closures",
        verbose_name=_("resource"),
        help_text=_("Empty: the whole venue is closed."),
    )
    first_day = models.DateField(_("first day"))
    last_day = models.DateField(_("last day"))
    yearly = models.BooleanField(_("every year"), default=False)
    reason = models.CharField(_("reason"), max_length=160, blank=True, validators=[single_line])

    class Meta:
        ordering = ["venue_id", "first_day"]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(condition=models.Q(last_day__gte=models.F("first_day")), name="closure_days_ordered")
        ]

    def clean(self):
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": _("The last day must not be before the first day.")})
        if self.resource_id and self.venue_id and self.resource.venue_id != self.venue_id:
            raise ValidationError({"resource": _("This resource belongs to another venue.")})

    def __str__(self):
        return self.reason or f"{self.first_day}–{self.last_day}"


class BusyBlock(models.Model):
    """Time a resource is busy for reasons outside Essaim (an external calendar, a remote node).

    ``source`` names where it came from: a peer's base URL for a mirrored occupancy
    (``federation``), ``calendar:<id>`` for an outside calendar (``calendars``; see
    ``calendar_source``). ``uid`` keys the block within its source (an outside event's ``UID`` and
    ``RECURRENCE-ID``), so a new import updates the blocks that changed and nothing else."""

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="busy_blocks")
    start = models.DateTimeField()
    end = models.DateTimeField()
    quantity = models.PositiveIntegerField(default=1)
    source = models.CharField(max_length=200, blank=True)
    uid = models.CharField(max_length=255, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["resource", "start"]), models.Index(fields=["source", "uid"])]
        constraints = [models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="busy_block_ordered")]

    def __str__(self):
        return f"{self.resource_id} busy {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"

    @property
    def from_outside_calendar(self) -> bool:
        return self.source.startswith(CALENDAR_SOURCE_PREFIX)


#: ``BusyBlock.source`` of the blocks an outside calendar wrote: the prefix, then the calendar's id.
CALENDAR_SOURCE_PREFIX = "calendar:"


def calendar_source(calendar_id: int) -> str:
    return f"{CALENDAR_SOURCE_PREFIX}{calendar_id}"


class BookingStatus(models.TextChoices):
    """Labels agree with the booking they describe (feminine in French); their context keeps them
    from replacing the same English words in Wagtail's and Django's own catalogues."""

    PENDING_APPROVAL = "pending_approval", pgettext_lazy("booking status", "Awaiting approval")
    HELD = "held", pgettext_lazy("booking status", "Held, awaiting payment")
    CONFIRMED = "confirmed", pgettext_lazy("booking status", "Confirmed")
    CHECKED_IN = "checked_in", pgettext_lazy("booking status", "Checked in")
    NO_SHOW = "no_show", pgettext_lazy("booking status", "No-show")
    CANCELLED = "cancelled", pgettext_lazy("booking status", "Cancelled")
    EXPIRED = "expired", pgettext_lazy("booking status", "Expired")
    REJECTED = "rejected", pgettext_lazy("booking status", "Rejected")


#: Statuses that occupy the resource (a hold only until ``expires_at``).
OCCUPYING = (BookingStatus.HELD, BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)
#: Those of ``OCCUPYING`` that take their units until cancelled; a hold takes them until it expires.
#: ``occupying_at`` and the raw count of ``bookings.selectors.calendar_loader`` both read it.
OCCUPYING_UNTIL_CANCELLED = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


def occupying_at(now, prefix: str = "") -> models.Q:
    """The bookings that take units at ``now``: confirmed, checked in, and holds until they expire
    (an expired hold frees its units by itself, whether or not a task has marked it yet).
    ``prefix`` reaches bookings through a relation (``"booking__"``)."""
    return models.Q(**{f"{prefix}status__in": OCCUPYING_UNTIL_CANCELLED}) | models.Q(
        **{f"{prefix}status": BookingStatus.HELD, f"{prefix}expires_at__gt": now}
    )


def standing_at(now, prefix: str = "") -> models.Q:
    """``occupying_at``, plus requests awaiting a manager's approval: what counts toward a person's
    limits and registrations, though it takes no units yet."""
    return occupying_at(now, prefix) | models.Q(**{f"{prefix}status": BookingStatus.PENDING_APPROVAL})


#: Statuses that still lie ahead of the booker and can be cancelled.
OPEN = (BookingStatus.PENDING_APPROVAL, BookingStatus.HELD, BookingStatus.CONFIRMED)


class PaymentState(models.TextChoices):
    NONE = "none", _("Free")
    DUE_AT_VENUE = "due_at_venue", _("To pay at the venue")
    PENDING = "pending", _("Awaiting payment")
    PAID = "paid", _("Paid")
    REFUNDED = "refunded", _("Refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partly refunded")
    FAILED = "failed", _("Payment failed")


def new_reference() -> str:
    return secrets.token_hex(4).upper()


def fresh_references(count: int) -> list[str]:
    """``count`` distinct references that no booking holds yet, for writers that insert in bulk.

    Eight hexadecimal digits give 2**32 references: thousands drawn at once (the demo) meet a
    duplicate, within the batch or against the table, a few times in a hundred loads.
    """
    chosen: set[str] = set()
    while len(chosen) < count:
        drawn = list({new_reference() for _ in range(count - len(chosen))} - chosen)
        taken: set[str] = set()
        for first in range(0, len(drawn), 500):  # SQLite bounds the parameters of one query
            chunk = drawn[first : first + 500]
            taken.update(Booking.objects.filter(reference__in=chunk).values_list("reference", flat=True))
        chosen.update(set(drawn) - taken)
    return list(chosen)


class Booking(models.Model):
    """One booking of ``quantity`` units of a resource over ``[start, end)``, UTC."""

    reference = models.CharField(max_length=12, unique=True, default=new_reference, editable=False)
    #: The booking's name across nodes: a peer's mirror of its occupancy and a remote booker's copy use it.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="bookings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField()
    end = models.DateTimeField()
    #: ``end`` plus the resource's buffer when booked: the span the exclusion constraint guards.
    blocked_until = models.DateTimeField()
    quantity = models.PositiveIntegerField(default=1)
    #: Copied from the resource so the database constraint can tell exclusive bookings apart.
    exclusive = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=BookingStatus.choices, db_index=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    amount_minor = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    payment_state = models.CharField(max_length=20, choices=PaymentState.choices, default=PaymentState.NONE)
    note = models.CharField(_("note"), max_length=500, blank=True, validators=[multi_line])
    #: The booker's language when booking: their e-mails are written in it.
    language = models.CharField(max_length=10, default="fr")
    cancel_reason = models.CharField(max_length=500, blank=True, validators=[multi_line])
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["resource", "start"]),
            models.Index(fields=["user", "start"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="booking_ordered"),
            models.CheckConstraint(
                condition=models.Q(blocked_until__gte=models.F("end")), name="booking_blocked_after_end"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="booking_quantity_positive"),
        ]

    def __str__(self):
        return f"{self.reference} · {self.resource} · {self.start:%Y-%m-%d %H:%M}"

    @property
    def status_label(self) -> str:
        """The status as the booker reads it: a free seat held from a waitlist awaits no payment."""
        if self.status == BookingStatus.HELD and self.payment_state == PaymentState.NONE:
            return pgettext("booking status", "Held for you, to confirm")
        return self.get_status_display()


class BookingTransition(models.Model):
    """The audit trail: every status change, who made it, when and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


def new_feed_secret() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A person's private iCal feed; the secret in its URL is the only credential, so it can be renewed."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    secret = models.CharField(max_length=64, unique=True, default=new_feed_secret)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"feed of {self.user_id}"


class VenueFeed(models.Model):
    """A venue team's private iCal feed (who booked what, at every resource of the venue); like a
    person's feed, the secret in its URL is the only credential, and renewing it cuts off the old URL."""

    venue = models.OneToOneField("venues.VenuePage", on_delete=models.CASCADE, related_name="team_feed")
    secret = models.CharField(max_length=64, unique=True, default=new_feed_secret)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"team feed of {self.venue_id}"


class PaymentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("payment status", "Open")
    PROCESSING = "processing", pgettext_lazy("payment status", "Processing")
    PAID = "paid", pgettext_lazy("payment status", "Paid")
    FAILED = "failed", pgettext_lazy("payment status", "Failed")
    EXPIRED = "expired", pgettext_lazy("payment status", "Expired")


class PaymentProvider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    VENUE = "venue", _("At the venue")


class Payment(models.Model):
    """One attempt to pay for a booking: a Stripe Checkout Session, or money taken at the venue.

    ``amount_minor`` is what the attempt charges, in the booking's currency's ISO minor units.
    """

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=20, choices=PaymentProvider.choices, default=PaymentProvider.STRIPE)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.OPEN)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    session_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    charge_id = models.CharField(max_length=255, blank=True)
    url = models.TextField(blank=True)
    receipt_url = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self):
        return f"{self.booking_id} · {self.provider} · {self.status}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("refund status", "Pending")
    SUCCEEDED = "succeeded", pgettext_lazy("refund status", "Refunded")
    FAILED = "failed", pgettext_lazy("refund status", "Failed")


class RefundKind(models.TextChoices):
    POLICY = "policy", _("Cancellation under the policy")
    VENUE = "venue", _("By the venue")
    LATE_PAYMENT = "late_payment", _("Paid after the booking lapsed or was cancelled")
    DUPLICATE = "duplicate", _("Paid twice")
    EXTERNAL = "external", _("Made in Stripe's dashboard")


#: Refunds that count against what was paid: a pending one may still succeed.
REFUND_COUNTED = (RefundStatus.PENDING, RefundStatus.SUCCEEDED)


class Refund(models.Model):
    """Money given back on a payment. Created ``pending`` inside the transaction that decides it,
    sent to Stripe after the commit with the idempotency key ``essaim-refund-<id>``."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    kind = models.CharField(max_length=20, choices=RefundKind.choices)
    reason = models.CharField(max_length=500, blank=True)
    provider_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    failure = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="refund_positive")]

    def __str__(self):
        return f"{self.payment_id} · {self.amount_minor} {self.currency} · {self.status}"


class StripeEvent(models.Model):
    """A webhook event Stripe sent, stored by its id so a redelivery is applied only once."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["received_at", "id"]

    def __str__(self):
        return f"{self.event_id} · {self.type}"
