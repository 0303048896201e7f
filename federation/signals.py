"""The outbox's producers: every write path that changes what peers mirror records a change here.

Model signals catch the services, Wagtail's generic create/edit/delete forms and cascading deletes
alike (``post_save``/``post_delete`` run inside the writer's transaction). Wagtail's page signals
cover publishing, unpublishing and moves of venue pages, and ``core.signals.rows_changed`` the
services that write through a queryset ``.update()`` (the geocoder, an unpublished event's seats),
and ``calendars.signals.blocks_changed`` an outside calendar's import of busy times.
Receivers are connected per model: a receiver for every sender would take Django's fast
(signal-less) delete away from every other model."""

from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from bookings.models import Booking, Closure, Resource, ResourceHours
from calendars.models import ExternalCalendar
from calendars.signals import blocks_changed
from core.signals import rows_changed
from events.models import Event
from federation import producers
from venues.models import VenuePage


def venue_published(sender, instance, **kwargs):
    if isinstance(instance, VenuePage):
        producers.venue_changed(instance, with_resources=True)


def venue_unpublished(sender, instance, **kwargs):
    # Wagtail also sends this just before deleting a live page, with the row still live: the
    # deletion's own receiver writes the tombstone then.
    if isinstance(instance, VenuePage):
        producers.venue_changed(instance, with_resources=True)


def page_moved(sender, instance, **kwargs):
    """A move changes the URLs of the page and of every venue and event page below it."""
    pages = instance.get_descendants(inclusive=True)
    producers.venues_changed(VenuePage.objects.filter(pk__in=pages.values("pk")).values_list("pk", flat=True))
    producers.events_changed(Event.objects.filter(page__in=pages.values("pk"), origin=""))


def venue_deleted(sender, instance, **kwargs):
    producers.venue_deleted(instance)


def resource_saved(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures load rows as they are
        return
    producers.resource_changed(instance)


def resource_deleted(sender, instance, **kwargs):
    producers.resource_deleted(instance)


def resource_hours_changed(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures load rows as they are
        return
    producers.resource_part_changed(instance.resource_id)


def closure_changed(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures load rows as they are
        return
    producers.closure_changed(instance)


def event_saved(sender, instance, raw=False, **kwargs):
    if raw:  # fixtures load rows as they are
        return
    producers.event_changed(instance)


def event_deleted(sender, instance, **kwargs):
    producers.event_deleted(instance)


def booking_saved(sender, instance, raw=False, update_fields=None, created=False, **kwargs):
    if raw or (created and producers.written_with_insert(instance)):
        return  # a new booking's entries were written by its own INSERT (``producers.booking_rider``)
    producers.booking_changed(instance, update_fields=update_fields)


def booking_deleted(sender, instance, **kwargs):
    producers.booking_changed(instance, deleted=True)


def queryset_updated(sender, pks, **kwargs):
    if sender is Resource:
        producers.resources_changed(pks)
    elif isinstance(sender, type) and issubclass(sender, VenuePage):
        producers.venues_changed(pks)
    elif sender is Event:
        producers.events_changed(Event.objects.filter(pk__in=pks))
    elif sender is Booking:
        for booking in Booking.objects.filter(pk__in=pks).select_related("resource"):
            producers.booking_changed(booking)


def outside_blocks_changed(sender, calendar, written=(), deleted=(), **kwargs):
    producers.outside_blocks_changed(calendar.source, written, deleted)


page_published.connect(venue_published, dispatch_uid="federation-venue-published")
page_unpublished.connect(venue_unpublished, dispatch_uid="federation-venue-unpublished")
post_page_move.connect(page_moved, dispatch_uid="federation-page-moved")
# The venue table's own rows: deleted after a kind's (``TiersLieuPage``) and before ``Page``'s, so
# the other translations read whole while this one is already gone.
post_delete.connect(venue_deleted, sender=VenuePage, dispatch_uid="federation-venue-deleted")
post_save.connect(resource_saved, sender=Resource, dispatch_uid="federation-resource-saved")
post_delete.connect(resource_deleted, sender=Resource, dispatch_uid="federation-resource-deleted")
post_save.connect(resource_hours_changed, sender=ResourceHours, dispatch_uid="federation-hours-saved")
post_delete.connect(resource_hours_changed, sender=ResourceHours, dispatch_uid="federation-hours-deleted")
post_save.connect(closure_changed, sender=Closure, dispatch_uid="federation-closure-saved")
post_delete.connect(closure_changed, sender=Closure, dispatch_uid="federation-closure-deleted")
post_save.connect(event_saved, sender=Event, dispatch_uid="federation-event-saved")
post_delete.connect(event_deleted, sender=Event, dispatch_uid="federation-event-deleted")
post_save.connect(booking_saved, sender=Booking, dispatch_uid="federation-booking-saved")
post_delete.connect(booking_deleted, sender=Booking, dispatch_uid="federation-booking-deleted")
rows_changed.connect(queryset_updated, dispatch_uid="federation-rows-changed")
blocks_changed.connect(outside_blocks_changed, sender=ExternalCalendar, dispatch_uid="federation-outside-blocks")
