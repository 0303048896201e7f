"""An outside calendar attached to a resource or a whole venue, and what its imports found.

The calendar's busy times are ``bookings.BusyBlock`` rows under the source ``calendar:<id>``
(``bookings.models.calendar_source``); this model keeps the address (sealed: ``addresses``), the
HTTP validators of the last answer, and the state the admin shows and the scheduler reads.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bookings.models import calendar_source


class Outcome(models.TextChoices):
    """How the last fetch ended."""

    NEW = "new", pgettext_lazy("calendar fetch", "Not fetched yet")
    IMPORTED = "imported", pgettext_lazy("calendar fetch", "Imported")
    UNCHANGED = "unchanged", pgettext_lazy("calendar fetch", "Unchanged")
    NOT_MODIFIED = "not_modified", pgettext_lazy("calendar fetch", "Not modified (304)")
    FAILED = "failed", pgettext_lazy("calendar fetch", "Failed")


class ErrorCode(models.TextChoices):
    """Why a fetch or an import failed, in words a venue manager understands (the admin shows the
    label; ``ExternalCalendar.error`` adds the detail)."""

    NOT_FOUND = "not_found", _("The address was not found (the calendar was deleted or its secret address renewed).")
    DENIED = "denied", _("The calendar's server refused access (the address is private or expired).")
    SERVER_ERROR = "server_error", _("The calendar's server failed; Essaim will try again.")
    NOT_A_CALENDAR = "not_a_calendar", _("The address does not give an iCalendar file.")
    TOO_LARGE = "too_large", _("The calendar is too large.")
    TOO_MANY = "too_many", _("The calendar has too many events or repetitions.")
    TIMED_OUT = "timed_out", _("The calendar's server did not answer in time.")
    UNREACHABLE = "unreachable", _("The calendar's server could not be reached.")
    REFUSED_ADDRESS = "refused_address", _("This address is not allowed (a private or local network address).")
    BAD_URL = "bad_url", _("This is not a valid calendar address.")
    TOO_MANY_REDIRECTS = "too_many_redirects", _("The address redirects too many times.")
    SECRET_LOST = "secret_lost", _("The address can no longer be read on this server: paste it again.")


class ExternalCalendar(models.Model):
    """One outside calendar. ``resource`` set: it blocks that resource. ``resource`` empty: it
    blocks the venue's ``resources`` chosen, or every resource of the venue when none is chosen."""

    venue = models.ForeignKey(
        "venues.VenuePage", on_delete=models.CASCADE, related_name="external_calendars", verbose_name=_("venue")
    )
    resource = models.ForeignKey(
        "bookings.Resource",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="external_calendars",
        verbose_name=_("resource"),
    )
    resources = models.ManyToManyField(
        "bookings.Resource",
        blank=True,
        related_name="+",
        verbose_name=_("resources blocked"),
        help_text=_("For a calendar of the whole venue: the resources it blocks (none chosen: all of them)."),
    )
    name = models.CharField(_("name"), max_length=120, blank=True)
    #: The address, sealed (``addresses.seal``); never shown, logged or sent anywhere but its server.
    address_sealed = models.TextField(editable=False)
    #: What may be shown of the address (``addresses.mask``).
    address_hint = models.CharField(max_length=200, editable=False)
    all_day_blocks = models.BooleanField(
        _("all-day events block the whole day"),
        default=False,
        help_text=_("Off by default: Google and Outlook put birthdays and holidays there."),
    )
    enabled = models.BooleanField(_("fetched"), default=True)

    # -- HTTP validators of the last good answer (a 304 costs one request) ---------------------
    http_etag = models.CharField(max_length=255, blank=True, editable=False)
    http_last_modified = models.CharField(max_length=64, blank=True, editable=False)
    #: SHA-256 of the last body imported: the same bytes again are not parsed again.
    body_hash = models.CharField(max_length=64, blank=True, editable=False)

    # -- state ---------------------------------------------------------------------------------
    last_outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.NEW, editable=False)
    last_fetch_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_fetch_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False)
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    #: When the venue's managers were told the calendar keeps failing (once per failing spell).
    failure_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    error_code = models.CharField(max_length=40, choices=ErrorCode.choices, blank=True, editable=False)
    #: The detail of the last error, in plain words, never containing the address.
    error = models.CharField(max_length=300, blank=True, editable=False)
    events_count = models.PositiveIntegerField(default=0, editable=False)
    intervals_count = models.PositiveIntegerField(default=0, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("outside calendar")
        verbose_name_plural = _("outside calendars")
        ordering = ["venue_id", "resource_id", "id"]

    def __str__(self):
        return self.name or self.address_hint

    @property
    def source(self) -> str:
        """``BusyBlock.source`` of this calendar's blocks."""
        return calendar_source(self.pk)


class CalendarConflict(models.Model):
    """A booking that an imported busy time overlaps. The busy time never cancels the booking: the
    venue's managers are told once (``notified_at``) and decide."""

    calendar = models.ForeignKey(ExternalCalendar, on_delete=models.CASCADE, related_name="conflicts")
    booking = models.ForeignKey("bookings.Booking", on_delete=models.CASCADE, related_name="+")
    #: ``BusyBlock.uid`` of the busy time (the outside event and occurrence).
    block_uid = models.CharField(max_length=255)
    start = models.DateTimeField()
    end = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "booking", "block_uid"], name="calendar_conflict_once")
        ]

    def __str__(self):
        return f"booking {self.booking_id} vs {self.block_uid}"
