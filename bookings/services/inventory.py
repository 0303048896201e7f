"""Resources and closures (moving to ``bookings.inventory``; kept here unchanged until then)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, Closure, Resource, ResourceHours
from core.errors import InvalidInput, PermissionDenied
from venues.permissions import user_manages_venue


def resource_create(*, venue, hours=(), **fields) -> Resource:
    """Add a checked resource to a venue's canonical page; ``hours`` are ``(weekday, opens, closes)`` rows."""
    resource = Resource(venue=venue, **fields)
    try:
        resource.full_clean()
    except ValidationError as exc:
        raise InvalidInput("; ".join(exc.messages), code="invalid_resource") from exc
    with transaction.atomic():
        resource.save()
        for weekday, opens, closes in hours:
            ResourceHours.objects.create(resource=resource, weekday=weekday, opens=opens, closes=closes)
    return resource


def closure_create(*, venue, first_day, last_day=None, resource=None, yearly=False, reason="") -> Closure:
    closure = Closure(
        venue=venue,
        resource=resource,
        first_day=first_day,
        last_day=last_day or first_day,
        yearly=yearly,
        reason=reason,
    )
    try:
        closure.full_clean()
    except ValidationError as exc:
        raise InvalidInput("; ".join(exc.messages), code="invalid_closure") from exc
    closure.save()
    return closure


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
            locked = Resource.objects.select_for_update().filter(pk=resource.pk).first()
            if locked is None:
                return
            if Booking.objects.filter(resource=locked).exists():
                raise refusal
            locked.delete()
    except (ProtectedError, IntegrityError):
        raise refusal from None
