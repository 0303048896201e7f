"""Private calendar feeds: a person's, and a venue team's; each a secret URL, made on first use and
replaced on request (the old URL stops working at once)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from bookings.models import CalendarFeed, VenueFeed, new_feed_secret
from venues.permissions import user_manages_venue


def calendar_feed_ensure(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_regenerate(*, user) -> CalendarFeed:
    """A new secret: the old feed URL stops working at once."""
    feed = calendar_feed_ensure(user=user)
    feed.secret = new_feed_secret()
    feed.save(update_fields=["secret", "created_at"])
    return feed


def _check_manager(venue, actor) -> None:
    """The team feed names every booker: only the venue's managers (network admins: all) reach it."""
    if not user_manages_venue(actor, venue.pk):
        raise PermissionDenied(_("Only this venue's managers may do that."))


def venue_feed_ensure(*, venue, actor) -> VenueFeed:
    """The venue team's feed, made on first use."""
    _check_manager(venue, actor)
    feed, _created = VenueFeed.objects.get_or_create(venue=venue)
    return feed


def venue_feed_regenerate(*, venue, actor) -> VenueFeed:
    """A new secret for the venue team's feed: the old URL stops working at once (a member left,
    the address leaked)."""
    _check_manager(venue, actor)
    with transaction.atomic():
        feed, created = VenueFeed.objects.select_for_update().get_or_create(venue=venue)
        if not created:
            feed.secret = new_feed_secret()
            feed.save(update_fields=["secret", "created_at"])
    return feed
