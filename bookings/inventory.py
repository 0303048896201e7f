"""What can be booked, and when a venue is closed: the services that add, change and remove
resources and closures.

The admin's forms, the demo loaders and the tests all come through here, so a resource or a
closure is checked the same way whoever writes it: ``full_clean`` (a refusal is ``InvalidInput``
with every message), then the actor must manage the venue — the one it is at and, when it moves,
the one it goes to. ``actor=None`` is the system itself (the demo loaders, management commands),
which answers to nobody.

A resource is locked (``core.locking``) while it changes: a booking of a pooled resource checks
its capacity and rules under the same lock, so it sees the resource before the change or after
it, never half of it. A closure is written whole and nothing reads it under a lock, so it is not
locked.
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, ProtectedError
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, Closure, Resource, ResourceHours
from core.errors import InvalidInput, NotFound, PermissionDenied
from core.locking import lock_one
from venues.permissions import user_manages_venue

#: ``(weekday, opens, closes)`` rows of a resource's own weekly hours.
HoursRows = Iterable[tuple]


def _require_manager(actor, *venue_ids) -> None:
    if actor is not None and not all(user_manages_venue(actor, venue_id) for venue_id in venue_ids):
        raise PermissionDenied(_("Only this venue's managers may do that."))


def _checked(instance: Model, code: str) -> None:
    try:
        instance.full_clean()
    except ValidationError as exc:
        raise InvalidInput("; ".join(exc.messages), code=code) from exc


def _set_hours(resource: Resource, hours: HoursRows) -> None:
    for weekday, opens, closes in hours:
        ResourceHours.objects.create(resource=resource, weekday=weekday, opens=opens, closes=closes)


def resource_create(*, venue, actor=None, hours: HoursRows = (), **fields) -> Resource:
    """Add a checked resource to a venue's canonical page; ``hours`` are ``(weekday, opens, closes)`` rows."""
    _require_manager(actor, venue.pk)
    resource = Resource(venue=venue, **fields)
    _checked(resource, "invalid_resource")
    with transaction.atomic():
        resource.save()
        _set_hours(resource, hours)
    return resource


def resource_update(*, resource: Resource, actor, hours: HoursRows | None = None, **fields) -> Resource:
    """Change a resource's fields (and, when ``hours`` is given, replace its own weekly hours).

    A resource that has bookings stays at its venue: its bookings' history belongs there.
    """
    with transaction.atomic():
        locked = lock_one(resource)
        if locked is None:
            raise NotFound(_("This resource no longer exists."))
        venue = fields.get("venue", locked.venue)
        _require_manager(actor, locked.venue_id, venue.pk)
        if venue.pk != locked.venue_id and Booking.objects.filter(resource=locked).exists():
            raise InvalidInput(_("A resource that has bookings stays at its venue."), code="resource_has_bookings")
        for name, value in fields.items():
            setattr(locked, name, value)
        _checked(locked, "invalid_resource")
        locked.save()
        if hours is not None:
            ResourceHours.objects.filter(resource=locked).delete()
            _set_hours(locked, hours)
    return locked


def resource_delete(*, resource: Resource, actor) -> None:
    """Remove a resource nobody ever booked. One with bookings keeps its history: deactivate it instead."""
    if actor is None or not user_manages_venue(actor, resource.venue_id):
        raise PermissionDenied(_("Only this venue's managers may do that."))
    refusal = InvalidInput(
        _("This resource has bookings, so it cannot be deleted: untick “bookable” to stop new bookings instead."),
        code="resource_has_bookings",
    )
    try:
        with transaction.atomic():
            locked = lock_one(resource)
            if locked is None:
                return
            if Booking.objects.filter(resource=locked).exists():
                raise refusal
            locked.delete()
    except (ProtectedError, IntegrityError):
        raise refusal from None


def closure_create(
    *,
    venue,
    first_day: date,
    last_day: date | None = None,
    resource: Resource | None = None,
    yearly: bool = False,
    reason: str = "",
    actor=None,
) -> Closure:
    """Close a venue (or one of its resources) from ``first_day`` to ``last_day`` (one day by default)."""
    _require_manager(actor, venue.pk)
    closure = Closure(
        venue=venue,
        resource=resource,
        first_day=first_day,
        last_day=last_day or first_day,
        yearly=yearly,
        reason=reason,
    )
    _check_closure(closure)
    closure.save()
    return closure


def closure_update(*, closure: Closure, actor, **fields) -> Closure:
    """Change a closure's days, venue, resource or reason; an empty ``last_day`` means one day."""
    current = Closure.objects.filter(pk=closure.pk).first()  # as stored: ``closure`` may carry a form's changes
    if current is None:
        raise NotFound(_("This closure no longer exists."))
    _require_manager(actor, current.venue_id, fields.get("venue", current.venue).pk)
    for name, value in fields.items():
        setattr(current, name, value)
    current.last_day = current.last_day or current.first_day
    _check_closure(current)
    current.save()
    return current


def _check_closure(closure: Closure) -> None:
    if closure.resource is not None and closure.resource.venue_id != closure.venue_id:
        raise InvalidInput(_("This resource belongs to another venue."), code="invalid_closure")
    _checked(closure, "invalid_closure")
