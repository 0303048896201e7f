"""Attach, change and remove outside calendars (the admin and ``manage.py calendar_add`` call these)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import BusyBlock, Resource
from calendars import addresses
from calendars.models import ExternalCalendar
from venues.permissions import user_manages_venue


def _check(*, actor, venue, resource, resources) -> None:
    if actor is not None and not user_manages_venue(actor, venue.pk):
        raise PermissionDenied(_("Only this venue's managers may do that."))
    if venue.origin:
        raise ValidationError(_("This venue belongs to another node: its calendars are kept there."))
    if resource is not None and resource.venue_id != venue.pk:
        raise ValidationError({"resource": _("This resource belongs to another venue.")})
    if resource is not None and resources:
        raise ValidationError({"resources": _("Choose resources only for a calendar of the whole venue.")})
    if any(r.venue_id != venue.pk for r in resources):
        raise ValidationError({"resources": _("Every resource chosen must belong to this venue.")})


def fetch_soon(calendar: ExternalCalendar) -> None:
    """Fetch the calendar once the transaction commits (a Celery task; at once in eager mode)."""
    from calendars.tasks import calendar_fetch_task  # noqa: PLC0415 (tasks import the services)

    calendar_id = calendar.pk
    transaction.on_commit(lambda: calendar_fetch_task.delay(calendar_id))


@transaction.atomic
def calendar_add(
    *,
    venue,
    address: str,
    resource: Resource | None = None,
    resources: list[Resource] | tuple = (),
    name: str = "",
    all_day_blocks: bool = False,
    actor=None,
    queue_fetch: bool = True,
) -> ExternalCalendar:
    """A new calendar for ``resource``, or for the whole ``venue`` (its ``resources``, or all); it
    is fetched at once after the commit (``queue_fetch=False``: the caller fetches it itself, as
    ``manage.py calendar_add`` does to print the outcome). ``actor`` (None for scripts) must manage
    the venue."""
    _check(actor=actor, venue=venue, resource=resource, resources=resources)
    url = addresses.normalise(address)
    calendar = ExternalCalendar.objects.create(
        venue=venue,
        resource=resource,
        name=name.strip(),
        address_sealed=addresses.seal(url),
        address_hint=addresses.mask(url),
        all_day_blocks=all_day_blocks,
        created_by=actor if getattr(actor, "pk", None) else None,
        next_fetch_at=timezone.now(),
    )
    if resources:
        calendar.resources.set(resources)
    if queue_fetch:
        fetch_soon(calendar)
    return calendar


@transaction.atomic
def calendar_update(
    calendar: ExternalCalendar,
    *,
    actor=None,
    address: str | None = None,
    name: str | None = None,
    all_day_blocks: bool | None = None,
    resources: list[Resource] | None = None,
    enabled: bool | None = None,
) -> ExternalCalendar:
    """Change what was given. A new address or option is fetched again at once, without the old
    validators (the same bytes may now mean other busy times)."""
    _check(actor=actor, venue=calendar.venue, resource=calendar.resource, resources=resources or ())
    refetch = False
    if address is not None and address.strip():
        url = addresses.normalise(address)
        calendar.address_sealed, calendar.address_hint = addresses.seal(url), addresses.mask(url)
        refetch = True
    if name is not None:
        calendar.name = name.strip()
    if all_day_blocks is not None and all_day_blocks != calendar.all_day_blocks:
        calendar.all_day_blocks, refetch = all_day_blocks, True
    if enabled is not None:
        calendar.enabled = enabled
        refetch = refetch or enabled
    if resources is not None and {r.pk for r in resources} != set(calendar.resources.values_list("pk", flat=True)):
        calendar.resources.set(resources)
        refetch = True
    if refetch:
        calendar.http_etag = calendar.http_last_modified = calendar.body_hash = ""
        calendar.next_fetch_at = timezone.now()
    calendar.save()
    if refetch and calendar.enabled:
        fetch_soon(calendar)
    return calendar


@transaction.atomic
def calendar_delete(calendar: ExternalCalendar, *, actor=None) -> None:
    """Remove the calendar and the busy times it wrote (they free the resources at once)."""
    from calendars.signals import blocks_changed  # noqa: PLC0415

    _check(actor=actor, venue=calendar.venue, resource=calendar.resource, resources=())
    blocks = BusyBlock.objects.filter(source=calendar.source)
    gone = list(blocks.values_list("resource_id", "uid"))
    blocks.delete()
    if gone:
        blocks_changed.send(sender=ExternalCalendar, calendar=calendar, written=[], deleted=gone)
    calendar.delete()
