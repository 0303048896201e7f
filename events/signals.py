"""Wiring: a published or unpublished event or programme page updates the schedule; seats that
come free in the booking engine go to the waitlist (through a task, after the commit)."""

from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from bookings.signals import units_released
from events.models import Event, EventPage, ProgrammePage
from events.services import event_sync, event_unpublish
from events.tasks import seats_released_task


@receiver(page_published)
def schedule_on_publish(sender, instance, revision=None, **kwargs):
    if isinstance(instance, EventPage | ProgrammePage):
        event_sync(page=instance, actor=getattr(revision, "user", None))


@receiver(page_unpublished)
def schedule_on_unpublish(sender, instance, **kwargs):
    if isinstance(instance, EventPage | ProgrammePage):
        event_unpublish(page=instance)


@receiver(units_released)
def waitlist_on_release(sender, booking_id, resource_id, start, **kwargs):
    if Event.objects.filter(seats_id=resource_id).exists():
        seats_released_task.delay(booking_id, resource_id)
