"""Events and programmes: pages that managers and hubs edit, and the schedule the rest reads.

Two layers, as in pretix (events and their dates) and as with venues and resources:

* **Pages** (``EventPage`` under a venue, ``ProgrammePage`` under a social business centre) hold
  what people write and translate: title, description, image, and the dates as the manager
  enters them, in the venue's wall-clock time. Drafts and revisions live with the page.
* **``Event`` rows** are the published schedule: one row per event or programme session, in UTC,
  with the recurrence rule, the changed and cancelled occurrences, the seats resource in the
  booking engine, a ``sequence`` that grows on every change and the titles in every language.
  ``services.event_sync`` writes them when a page is published; the agenda, the feeds, the API
  and registrations read only them. A translation never duplicates a schedule.

A registration is a booking on the event's seats (``bookings.Resource`` of kind ``event_seats``)
for one occurrence; ``Registration`` remembers which occurrence (its ``RECURRENCE-ID``), so a
moved occurrence moves its bookings. ``WaitlistEntry`` queues people for a full occurrence.
"""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from core import windows
from core.moderation import ApprovalCopyForm, ApprovalPermissionTester
from core.validators import SingleLineTitle, multi_line, single_line
from events.admin.forms import EventPageForm
from venues import vocabulary
from venues.models import VenuePage

RICH_FEATURES = ["h2", "h3", "bold", "italic", "link", "ol", "ul"]

#: iCalendar's weekday codes with their labels as checkboxes show them (capitalised in French).
WEEKDAYS = [
    (code, vocabulary.WeekDay(index).label) for index, code in enumerate(["MO", "TU", "WE", "TH", "FR", "SA", "SU"])
]


class Repeat(models.TextChoices):
    NONE = "", _("Does not repeat")
    DAILY = "DAILY", _("Every day")
    WEEKLY = "WEEKLY", _("Every week")
    MONTHLY = "MONTHLY", _("Every month")
    YEARLY = "YEARLY", _("Every year")


class AttendanceMode(models.TextChoices):
    """schema.org's ``eventAttendanceMode`` values, by their last word."""

    OFFLINE = "offline", _("At the venue")
    ONLINE = "online", _("Online")
    MIXED = "mixed", _("At the venue and online (hybrid)")


class RegistrationMode(models.TextChoices):
    SESSIONS = "sessions", _("Session by session")
    WHOLE = "whole", _("Whole programme only")
    EITHER = "either", _("Whole programme or session by session")


class WeekdaysFormField(forms.TypedMultipleChoiceField):
    def prepare_value(self, value):
        if isinstance(value, str):
            return [code for code in value.split(",") if code]
        return value


class WeekdaysField(models.CharField):
    """Weekday codes as iCalendar writes them, ``"TU,TH"``, chosen with checkboxes."""

    def formfield(self, **kwargs):
        return WeekdaysFormField(
            choices=WEEKDAYS,
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
            coerce=str,
        )

    def to_python(self, value):
        if isinstance(value, list | tuple):
            return ",".join(code for code, _label in WEEKDAYS if code in value)
        return value or ""

    def get_prep_value(self, value):
        return self.to_python(value)

    def value_from_object(self, obj):
        return self.to_python(super().value_from_object(obj))


class Schedule(models.Model):
    """The wall-clock dates of an event page, as its manager enters them (abstract)."""

    start_date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts at"))
    end_time = models.TimeField(_("ends at"))
    end_date = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("Only for an event over several days.")
    )
    capacity = models.PositiveIntegerField(
        _("seats"), default=30, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    price = models.DecimalField(
        _("price"),
        max_digits=9,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 for a free event."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    registration_closes_hours = models.PositiveIntegerField(
        _("registration closes (hours before)"),
        default=0,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_("0: people can register until the start."),
    )
    attendance_mode = models.CharField(
        _("how people attend"), max_length=10, choices=AttendanceMode.choices, default=AttendanceMode.OFFLINE
    )
    online_url = models.URLField(
        _("online link"), blank=True, help_text=_("Sent to registrants; required for an online or hybrid event.")
    )
    cancelled = models.BooleanField(
        _("cancelled"), default=False, help_text=_("Every registrant is told and refunded when you publish.")
    )
    cancel_reason = models.CharField(_("why it is cancelled"), max_length=300, blank=True, validators=[single_line])

    class Meta:
        abstract = True

    def clean_schedule(self, errors: dict) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last day must not be before the first.")
        if (
            self.start_time
            and self.end_time
            and (not self.end_date or self.end_date == self.start_date)
            and self.end_time <= self.start_time
        ):
            errors["end_time"] = _("The event must end after it starts.")
        if self.attendance_mode != AttendanceMode.OFFLINE and not self.online_url:
            errors["online_url"] = _("Give the link for an online or hybrid event.")
        if self.cancelled and not self.cancel_reason.strip():
            errors["cancel_reason"] = _("Tell registrants why the event is cancelled.")
        currency = (self.currency or "").upper()
        if len(currency) != 3 or not currency.isalpha():
            errors["currency"] = _("Use a three-letter ISO 4217 code such as EUR.")
        self.currency = currency

    def local_bounds(self) -> tuple[datetime, datetime]:
        """Naive wall-clock start and end of the first occurrence."""
        start = datetime.combine(self.start_date, self.start_time)
        end = datetime.combine(self.end_date or self.start_date, self.end_time)
        return start, end


class EventPermissionTester(ApprovalPermissionTester):
    """Only network admins delete an event that people may have registered for: a manager
    cancels it instead, which tells and refunds them."""

    def can_delete(self, ignore_bulk=False):
        if self.user.is_active and not self.user.is_superuser and "delete" not in self.permissions:
            return False
        return super().can_delete(ignore_bulk=ignore_bulk)


class EventPage(SingleLineTitle, Schedule, Page):  # noqa: DJ008 (Page's own __str__)
    """One event at a venue, once or repeating (every Tuesday at 18:30 until June, say)."""

    summary = models.CharField(_("summary"), max_length=300, blank=True, validators=[single_line])
    body = RichTextField(_("description"), blank=True, features=RICH_FEATURES)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    repeat = models.CharField(_("repeats"), max_length=10, choices=Repeat.choices, blank=True, default="")
    repeat_interval = models.PositiveSmallIntegerField(
        _("repeat every"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_("1: every week (or day, month…); 2: every other one."),
    )
    repeat_weekdays = WeekdaysField(
        _("on these days"),
        max_length=40,
        blank=True,
        help_text=_("Weekly events: the days; empty: the first date's day."),
    )
    repeat_until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty: repeats as far ahead as the agenda shows.")
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("image"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time"), FieldPanel("end_time")]),
                FieldPanel("end_date"),
            ],
            heading=_("Date and time (the venue's time zone)"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("repeat"), FieldPanel("repeat_interval")]),
                FieldPanel("repeat_weekdays"),
                FieldPanel("repeat_until"),
                InlinePanel("date_changes", label=_("Changed or cancelled date")),
            ],
            heading=_("Repeats"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("capacity"),
                FieldRowPanel([FieldPanel("price"), FieldPanel("currency")]),
                FieldPanel("registration_closes_hours"),
                FieldRowPanel([FieldPanel("attendance_mode"), FieldPanel("online_url")]),
            ],
            heading=_("Registration"),
        ),
        MultiFieldPanel([FieldPanel("cancelled"), FieldPanel("cancel_reason")], heading=_("Cancel the event")),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["venues.TiersLieuPage", "venues.TotemPage", "venues.SocialBusinessCenterPage"]
    subpage_types: list[str] = []
    template = "events/event_page.html"
    base_form_class = EventPageForm

    class Meta:
        verbose_name = pgettext_lazy("agenda", "event")
        verbose_name_plural = pgettext_lazy("agenda", "events")

    def permissions_for_user(self, user):
        return EventPermissionTester(user, self)

    @property
    def rule(self) -> str:
        """The RRULE the repeat fields say (without an end when ``repeat_until`` is empty)."""
        if not self.repeat:
            return ""
        parts = [f"FREQ={self.repeat}"]
        if self.repeat_interval and self.repeat_interval > 1:
            parts.append(f"INTERVAL={self.repeat_interval}")
        days = [code for code in (self.repeat_weekdays or "").split(",") if code]
        if self.repeat == Repeat.WEEKLY and days:
            parts.append(f"BYDAY={','.join(days)}")
        if self.repeat_until:
            parts.append(f"UNTIL={self.repeat_until:%Y%m%d}T235959")
        return ";".join(parts)

    def clean(self):
        super().clean()
        errors: dict = {}
        self.clean_schedule(errors)
        if isinstance(self.repeat_weekdays, list | tuple):
            self.repeat_weekdays = ",".join(self.repeat_weekdays)
        days = [code for code in (self.repeat_weekdays or "").split(",") if code]
        if self.repeat and self.start_date:
            if self.repeat_until and self.repeat_until < self.start_date:
                errors["repeat_until"] = _("The last repeat must not be before the first date.")
            if self.repeat == Repeat.WEEKLY and days and WEEKDAYS[self.start_date.weekday()][0] not in days:
                errors["repeat_weekdays"] = _(
                    "The first date is a %(day)s: tick that day too, or move the first date to one of the days ticked."
                ) % {"day": date_format(self.start_date, "l")}
        if self.repeat and self.end_date and self.end_date != self.start_date:
            errors["end_date"] = _("A repeating event fits in one day; make each day its own event.")
        if errors:
            raise ValidationError(errors)


class EventDateChange(Orderable):
    """One date of a repeating event moved or cancelled; the others stay as the rule says."""

    page = ParentalKey(EventPage, on_delete=models.CASCADE, related_name="date_changes")
    original_date = models.DateField(_("date as planned"))
    cancelled = models.BooleanField(pgettext_lazy("event date", "cancelled"), default=False)
    new_date = models.DateField(_("new date"), null=True, blank=True)
    new_start_time = models.TimeField(_("new start"), null=True, blank=True)
    new_end_time = models.TimeField(_("new end"), null=True, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("original_date"), FieldPanel("cancelled")]),
        FieldRowPanel([FieldPanel("new_date"), FieldPanel("new_start_time"), FieldPanel("new_end_time")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("changed date")

    def clean(self):
        if not self.cancelled and not (self.new_date or self.new_start_time or self.new_end_time):
            raise ValidationError(_("Cancel this date, or give its new date or times."))
        if self.new_start_time and self.new_end_time and self.new_end_time <= self.new_start_time:
            raise ValidationError({"new_end_time": _("The event must end after it starts.")})


class ProgrammePermissionTester(ApprovalPermissionTester):
    """A hub's team writes and submits its programmes; a network admin publishes them (Wagtail's
    moderation workflow): ``approval_permission`` withholds publish from the team
    (``core.moderation``), and deleting one is the network admins' call."""

    def can_delete(self, ignore_bulk=False):
        if self.user.is_active and not self.user.is_superuser and "delete" not in self.permissions:
            return False
        return super().can_delete(ignore_bulk=ignore_bulk)


class ProgrammePage(SingleLineTitle, Page):  # noqa: DJ008 (Page's own __str__)
    """An international programme: several sessions, at several venues, in several languages."""

    summary = models.CharField(_("summary"), max_length=300, blank=True, validators=[single_line])
    intro = RichTextField(_("introduction"), blank=True, features=RICH_FEATURES)
    image = models.ForeignKey(
        "wagtailimages.Image",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("image"),
    )
    registration_mode = models.CharField(
        _("registration"), max_length=10, choices=RegistrationMode.choices, default=RegistrationMode.EITHER
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("intro"),
        FieldPanel("image"),
        FieldPanel("registration_mode"),
        InlinePanel("sessions", label=_("Session"), min_num=1),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("intro")]

    parent_page_types = ["venues.SocialBusinessCenterPage"]
    subpage_types: list[str] = []
    template = "events/programme_page.html"
    #: Published by network admins only; a hub submits it for moderation (``core.moderation``).
    approval_permission = "events.publish_programme"
    copy_form_class = ApprovalCopyForm

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        permissions = [("publish_programme", _("Can publish programmes (network moderation)"))]

    def permissions_for_user(self, user):
        return ProgrammePermissionTester(user, self)


class ProgrammeSession(TranslatableMixin, Schedule, Orderable):
    """One session of a programme, at any venue of the network (its own, or another's).

    Translatable: wagtail-localize offers its title and description for translation and keeps
    the rest in step with the source. A session and its translations share ``translation_key``,
    which is also how the schedule finds the session's ``Event`` row (``Event.session_key``).
    ``locale`` is the page's (Wagtail fills it from the parental key on the first save).
    """

    page = ParentalKey(ProgrammePage, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200, validators=[single_line])
    description = models.TextField(_("description"), blank=True, validators=[multi_line])
    venue = models.ForeignKey("venues.VenuePage", on_delete=models.PROTECT, related_name="+", verbose_name=_("venue"))
    language = models.CharField(
        _("spoken language"), max_length=10, choices=settings.LANGUAGES, default="fr", blank=True
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("venue"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldRowPanel([FieldPanel("capacity"), FieldPanel("price"), FieldPanel("currency")]),
        FieldRowPanel([FieldPanel("language"), FieldPanel("registration_closes_hours")]),
        FieldRowPanel([FieldPanel("attendance_mode"), FieldPanel("online_url")]),
        FieldRowPanel([FieldPanel("cancelled"), FieldPanel("cancel_reason")]),
    ]

    #: wagtail-localize would translate every text field and let a translator override the
    #: venue or link; the schedule reads them from the source, so they are kept in step.
    override_translatable_fields = [
        SynchronizedField(name, overridable=False) for name in ("currency", "cancel_reason", "online_url", "venue")
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = pgettext_lazy("programme", "session")
        verbose_name_plural = pgettext_lazy("programme", "sessions")

    def __str__(self):
        return self.title

    def clean(self):
        errors: dict = {}
        self.clean_schedule(errors)
        if self.venue_id and VenuePage.objects.filter(pk=self.venue_id).exclude(origin="").exists():
            # A peer's venue is mirrored read-only: its sessions are its node's to publish.
            errors["venue"] = _("Choose a venue of this network: this one belongs to another node.")
        if errors:
            raise ValidationError(errors)


# ---------------------------------------------------------------------------------------------
# The published schedule
# ---------------------------------------------------------------------------------------------


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", pgettext_lazy("event status", "Scheduled")
    CANCELLED = "cancelled", pgettext_lazy("event status", "Cancelled")


class Event(models.Model):
    """One published event or programme session: what the agenda, feeds, API and registrations read.

    Times are UTC; ``timezone`` is the venue's. ``rule`` is the RRULE as published (an open rule
    is bounded at the horizon when synced); ``changes`` maps a ``RECURRENCE-ID`` (UTC ISO) to
    ``{"start", "end"}`` (UTC ISO) or ``{"cancelled": true}``. ``last_end`` is the series' last
    end (the horizon's for an open rule) so that a window query needs no expansion.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    #: The canonical (default-locale) page: an ``EventPage``, or the ``ProgrammePage`` of a session.
    #: Empty for an event mirrored from a peer node (``origin`` set; its pages are ``origin_urls``).
    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    #: Empty for our own events; the owning node's base URL for a mirrored one.
    origin = models.URLField(blank=True, editable=False, db_index=True)
    #: A mirrored event's page on its own node, per language.
    origin_urls = models.JSONField(default=dict, blank=True, editable=False)
    programme = models.ForeignKey(
        ProgrammePage, null=True, blank=True, on_delete=models.CASCADE, related_name="schedule"
    )
    #: ``ProgrammeSession.translation_key`` for a session; empty for an event page.
    session_key = models.UUIDField(null=True, blank=True)
    venue = models.ForeignKey("venues.VenuePage", on_delete=models.CASCADE, related_name="events")
    seats = models.OneToOneField(
        "bookings.Resource", on_delete=models.PROTECT, related_name="event", null=True, blank=True
    )
    #: ``{"fr": "…", "en": "…"}``: the title in every language the page is published in.
    titles = models.JSONField(default=dict)
    summaries = models.JSONField(default=dict)
    timezone = models.CharField(max_length=64)
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    rule = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    last_end = models.DateTimeField(db_index=True)
    capacity = models.PositiveIntegerField(default=30)
    price_minor = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, default="EUR")
    registration_closes_hours = models.PositiveIntegerField(default=0)
    attendance_mode = models.CharField(max_length=10, choices=AttendanceMode.choices, default=AttendanceMode.OFFLINE)
    online_url = models.URLField(blank=True)
    language = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    #: Published (the page is live); an unpublished event leaves the agenda and its feeds.
    live = models.BooleanField(default=True, db_index=True)
    #: iCalendar ``SEQUENCE``: grows by one on every change people can see.
    sequence = models.PositiveIntegerField(default=0)
    #: A hash of what ``sequence`` counts, to tell a change from a re-publish of the same thing.
    fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["live", "last_end", "start"])]
        constraints = [
            models.UniqueConstraint(fields=["page", "session_key"], name="event_one_row_per_session"),
            models.UniqueConstraint(
                fields=["page"], condition=models.Q(session_key__isnull=True), name="event_one_row_per_page"
            ),
        ]
        verbose_name = pgettext_lazy("agenda", "event")
        verbose_name_plural = pgettext_lazy("agenda", "events")

    def __str__(self):
        return self.title()

    def title(self, language: str | None = None) -> str:
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        return (
            self.titles.get(language[:2])
            or self.titles.get(settings.LANGUAGE_CODE)
            or next(iter(self.titles.values()), "")
        )

    def summary(self, language: str | None = None) -> str:
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        return self.summaries.get(language[:2]) or self.summaries.get(settings.LANGUAGE_CODE, "")

    @property
    def is_cancelled(self) -> bool:
        return self.status == EventStatus.CANCELLED

    @property
    def is_free(self) -> bool:
        return self.price_minor == 0

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


class Registration(models.Model):
    """Which occurrence a booking on an event's seats is for (its ``RECURRENCE-ID``, UTC)."""

    booking = models.OneToOneField("bookings.Booking", on_delete=models.CASCADE, related_name="registration")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    recurrence_id = models.DateTimeField()
    #: Set when the person registered for the whole programme at once.
    whole_programme = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["event", "recurrence_id"])]

    def __str__(self):
        return f"{self.event} {occurrence_key(self.recurrence_id)}"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Seat offered")
    ACCEPTED = "accepted", _("Registered")
    EXPIRED = "expired", _("Offer lapsed")
    LEFT = "left", _("Left the waitlist")
    CLOSED = "closed", _("Closed")


#: Entries that still hold a place in the queue.
WAITLIST_OPEN = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


class WaitlistEntry(models.Model):
    """A person waiting for a seat at one occurrence; first come, first offered.

    When a seat frees, the first waiting person gets it as a held booking (``offer``) that they
    confirm (or pay) before ``offer_expires_at``; otherwise the seat goes to the next one.
    """

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="waitlist")
    recurrence_id = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="waitlist_entries")
    status = models.CharField(max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING)
    offer = models.OneToOneField(
        "bookings.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="waitlist_entry"
    )
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default="fr")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["event", "recurrence_id", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "recurrence_id", "user"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="waitlist_once_per_person",
            )
        ]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")

    def __str__(self):
        return f"{self.event} {occurrence_key(self.recurrence_id)}: {self.user}"


class WaitlistTransition(models.Model):
    """The waitlist's audit trail: every status change of an entry, who made it, when and why
    (an ``AuditReason`` code: joined, left, offer made, lapsed, declined, accepted)."""

    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("waitlist transition")
        verbose_name_plural = _("waitlist transitions")

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


def occurrence_key(moment: datetime) -> str:
    """How a ``RECURRENCE-ID`` is written in ``Event.changes`` and URLs: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_occurrence_key(text: str) -> datetime | None:
    """The occurrence a key names, or ``None`` for a key that is unreadable or outside
    ``core.windows``' years (no date lives there, and its arithmetic would overflow)."""
    try:
        moment = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    return moment if windows.FIRST_YEAR <= moment.year <= windows.LAST_YEAR else None
