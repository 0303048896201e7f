"""``manage.py load_demo``: the demo network (site, venues, accounts, resources, bookings, events).

Safe to run again."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo import network as demo
from demo.bookings import load_bookings_demo
from demo.events import load_events_demo
from demo.invitations import INVITED_EMAIL, load_invitation_demo
from federation import outbox
from venues.models import VENUE_MODELS


class Command(BaseCommand):
    help = (
        "Load the demo network: home page, directory, venues in French and English, demo accounts, "
        "each venue's resources, closures and bookings around today, and the agenda of the coming months."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=None, help="Load only the first N venues.")
        parser.add_argument("--no-translate", action="store_true", help="Skip the English translations.")

    def handle(self, *args, limit=None, no_translate=False, **options):
        report = demo.load_demo(limit=limit, translate=not no_translate)
        self.stdout.write(f"demo network: {len(report.created)} venues created, {report.existing} already there")
        entries = demo.load_entries(limit)
        bookings = load_bookings_demo(slugs=[entry["slug"] for entry in entries], managers=_managers(entries))
        self.stdout.write(
            f"demo bookings: {bookings.resources} resources, {bookings.closures} closures and "
            f"{bookings.bookings} bookings at {bookings.venues} venues, {bookings.skipped} already equipped"
        )
        started = time.perf_counter()
        events = load_events_demo()
        self.stdout.write(
            f"demo events: {events.events} events and {events.programmes} programme created "
            f"({events.registrations} registrations, {events.waiting} on waitlists, "
            f"{events.translations} translations), "
            f"{events.existing} already there, in {time.perf_counter() - started:.1f} s"
        )
        for username in report.accounts:
            self.stdout.write(f"  account {username} / {demo.ACCOUNTS[username]['password']}")
        invitation = load_invitation_demo()
        if invitation.link:
            self.stdout.write(f"  invitation for {INVITED_EMAIL}: {invitation.link}")
        elif invitation.existing:
            self.stdout.write(f"  invitation for {INVITED_EMAIL} pending (Invitations in the admin can resend it)")
        # The loaders insert in bulk, past the outbox's producers: publish the whole network once.
        self.stdout.write(f"federation change feed: {outbox.rebuild()} entries written")


def _managers(entries: list[dict]) -> dict:
    """Who checks people in at each demo venue: its demo manager account, else the admin."""
    users = {user.username: user for user in get_user_model().objects.filter(username__in=demo.ACCOUNTS)}
    managers = {}
    for entry in entries:
        chosen = users.get("admin")
        for username, spec in demo.ACCOUNTS.items():
            kind = spec.get("manages_kind")
            if username in users and (
                spec.get("manages") == entry["slug"] or (kind in VENUE_MODELS and kind == entry["kind"])
            ):
                chosen = users[username]
        managers[entry["slug"]] = chosen
    return managers
