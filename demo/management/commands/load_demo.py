"""``manage.py load_demo``: the demo network (site, venues, accounts, resources, bookings, events).

``ESSAIM_DEMO=partner`` (or ``--network partner``) loads the partner network (Québec and West
Africa) instead of the default French one: what a second node on the same machine serves.
Safe to run again."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from demo import dataset
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
        parser.add_argument(
            "--network",
            default=None,
            help="Which demo network: 'default' or 'partner' (default: the ESSAIM_DEMO setting).",
        )

    def handle(self, *args, limit=None, no_translate=False, network=None, **options):
        data = dataset.by_name(network) if network is not None else dataset.current()
        report = demo.load_demo(limit=limit, translate=not no_translate, data=data)
        self.stdout.write(
            f"demo network ({data.name}): {len(report.created)} venues created, {report.existing} already there"
        )
        entries = demo.load_entries(limit, data)
        bookings = load_bookings_demo(
            slugs=[entry["slug"] for entry in entries], managers=_managers(entries, data.accounts)
        )
        self.stdout.write(
            f"demo bookings: {bookings.resources} resources, {bookings.closures} closures and "
            f"{bookings.bookings} bookings at {bookings.venues} venues, {bookings.skipped} already equipped"
        )
        started = time.perf_counter()
        events = load_events_demo(data=data)
        self.stdout.write(
            f"demo events: {events.events} events and {events.programmes} programme created "
            f"({events.registrations} registrations, {events.waiting} on waitlists, "
            f"{events.translations} translations), "
            f"{events.existing} already there, in {time.perf_counter() - started:.1f} s"
        )
        for username in report.accounts:
            self.stdout.write(f"  account {username} / {data.accounts[username]['password']}")
        invitation = load_invitation_demo(data)
        if invitation.link:
            self.stdout.write(f"  invitation for {INVITED_EMAIL}: {invitation.link}")
        elif invitation.existing:
            self.stdout.write(f"  invitation for {INVITED_EMAIL} pending (Invitations in the admin can resend it)")
        # The loaders insert in bulk, past the outbox's producers: publish the whole network once.
        self.stdout.write(f"federation change feed: {outbox.rebuild()} entries written")
        if data.hint and settings.ESSAIM_NODE_NAME == "Essaim":
            self.stdout.write(f"  hint: {data.hint}")


def _managers(entries: list[dict], accounts: dict) -> dict:
    """Who checks people in at each demo venue: its demo manager account, else the admin."""
    users = {user.username: user for user in get_user_model().objects.filter(username__in=accounts)}
    managers = {}
    for entry in entries:
        chosen = users.get("admin")
        for username, spec in accounts.items():
            kind = spec.get("manages_kind")
            if username in users and (
                spec.get("manages") == entry["slug"] or (kind in VENUE_MODELS and kind == entry["kind"])
            ):
                chosen = users[username]
        managers[entry["slug"]] = chosen
    return managers
