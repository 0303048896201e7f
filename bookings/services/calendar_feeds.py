"""A person's calendar feed: its secret URL, made on first use and replaced on request."""

from __future__ import annotations

from bookings.models import CalendarFeed, new_feed_secret


def calendar_feed_ensure(*, user) -> CalendarFeed:
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


def calendar_feed_regenerate(*, user) -> CalendarFeed:
    """A new secret: the old feed URL stops working at once."""
    feed = calendar_feed_ensure(user=user)
    feed.secret = new_feed_secret()
    feed.save(update_fields=["secret", "created_at"])
    return feed
