"""``manage.py sync_peers [URL]``: pull every active peer's change feed now (or one peer's)."""

from django.core.management.base import BaseCommand, CommandError

from federation.models import Peer, PeerState
from federation.services.sync import sync_peer


class Command(BaseCommand):
    help = "Pull the change feed of every active peer (or of the peer at URL) and print the outcome."

    def add_arguments(self, parser):
        parser.add_argument("url", nargs="?", help="The peer's base URL; every active peer when left out.")

    def handle(self, *args, url=None, **options):
        if url:
            peers = list(Peer.objects.filter(url=url.rstrip("/")))
            if not peers:
                raise CommandError(f"No peer with the URL {url}.")
        else:
            peers = list(Peer.objects.filter(state=PeerState.ACTIVE))
            if not peers:
                self.stdout.write("No active peer.")
        failed = 0
        for peer in peers:
            result = sync_peer(peer)
            failed += not result.ok
            self.stdout.write(
                f"{peer.url}: applied {result.applied} ({result.changed} changed), "
                f"cursor {peer.cursor}, head {peer.head}, error: {result.error or '—'}"
            )
        if failed:
            raise CommandError(f"{failed} peer(s) could not be synchronised.")
