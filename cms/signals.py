"""What keeps the cached public pages current (``core.page_cache``): every write path that changes
what the home page, the directory, a venue's page or the agenda shows bumps a scope.

As in ``federation.signals``, model signals catch the services, Wagtail's generic forms, the
admins and cascading deletes alike; Wagtail's page signals cover publishing, unpublishing and
moves; ``core.signals.rows_changed`` the services that write through a queryset ``.update()``
(the geocoder, an unpublished event's seats). Bookings only change seats left (``SEATS``: the
directory stays cached); everything else is rarer and bumps ``PAGES``, which every entry shows.
Receivers are connected per model, so other models keep Django's fast delete.
"""

from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from bookings.models import Booking, Closure, Resource, ResourceHours
from core import page_cache
from core.signals import rows_changed
from events.models import Event, Registration
from venues.models import Amenity, Label


def pages_changed(sender, **kwargs):
    """A page published, unpublished, moved or deleted; a venue's inventory, an event, a label edited."""
    if not kwargs.get("raw"):  # fixtures load rows as they are
        page_cache.bump(page_cache.PAGES)


def seats_changed(sender, **kwargs):
    """A booking or registration made, confirmed, cancelled or expired: seats left change."""
    if not kwargs.get("raw"):
        page_cache.bump(page_cache.SEATS)


def connect() -> None:
    """Called from ``CmsConfig.ready`` (the models are loaded by then)."""
    page_published.connect(pages_changed, dispatch_uid="page-cache-published")
    page_unpublished.connect(pages_changed, dispatch_uid="page-cache-unpublished")
    post_page_move.connect(pages_changed, dispatch_uid="page-cache-moved")
    rows_changed.connect(pages_changed, dispatch_uid="page-cache-rows-changed")
    # A page's own saves are drafts until published (an editor's saves must not empty the cache).
    post_delete.connect(pages_changed, sender=Page, dispatch_uid="page-cache-deleted-page")
    for model in (PageViewRestriction, Site, Resource, ResourceHours, Closure, Event, Amenity, Label):
        label = model._meta.label_lower
        post_save.connect(pages_changed, sender=model, dispatch_uid=f"page-cache-saved-{label}")
        post_delete.connect(pages_changed, sender=model, dispatch_uid=f"page-cache-deleted-{label}")
    for model in (Booking, Registration):
        label = model._meta.label_lower
        post_save.connect(seats_changed, sender=model, dispatch_uid=f"page-cache-saved-{label}")
        post_delete.connect(seats_changed, sender=model, dispatch_uid=f"page-cache-deleted-{label}")
