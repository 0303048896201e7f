"""Creating event and programme pages (the demo, tests, imports) through Wagtail's own revision
and publish path, so the schedule is published exactly as when a manager presses "Publish"."""

from __future__ import annotations

from django.utils.text import slugify

from events.models import EventDateChange, EventPage, ProgrammePage, ProgrammeSession
from events.services.schedule import schedule_check


def event_page_create(*, venue, changes=(), publish: bool = True, user=None, **fields) -> EventPage:
    """Add an event page under ``venue`` (a canonical venue page) and publish it like the admin does.

    ``changes`` are ``EventDateChange`` field dicts; ``fields`` are ``EventPage`` fields.
    """
    fields.setdefault("slug", None)
    page = EventPage(**{k: v for k, v in fields.items() if v is not None or k != "slug"})
    if not page.slug:
        page.slug = slugify(page.title)[:80] or "evenement"
    page.live = publish
    page.date_changes = [EventDateChange(**change) for change in changes]
    schedule_check(page, venue_timezone=venue.specific.timezone, date_changes=list(page.date_changes.all()))
    venue.add_child(instance=page)
    revision = page.save_revision(user=user)
    if publish:
        revision.publish(user=user)
        page.refresh_from_db()
    return page


def programme_page_create(*, hub, sessions, publish: bool = True, user=None, **fields) -> ProgrammePage:
    """Add a programme under a social business centre; ``sessions`` are ``ProgrammeSession`` field dicts."""
    page = ProgrammePage(**fields)
    page.slug = page.slug or slugify(page.title)[:80]
    page.live = publish
    # In the given order, as the editor's inline panel numbers them (unnumbered rows have no order).
    page.sessions = [ProgrammeSession(**{"sort_order": index, **session}) for index, session in enumerate(sessions)]
    hub.add_child(instance=page)
    revision = page.save_revision(user=user)
    if publish:
        revision.publish(user=user)
        page.refresh_from_db()
    return page
