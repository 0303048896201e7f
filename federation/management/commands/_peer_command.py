"""The shape shared by ``peer_add``, ``peer_approve``, ``peer_suspend``, ``peer_resume`` and
``peer_revoke``: one URL, one service, a readable line, and an exit code a script can test.

Exit codes: 0 done and the other node told; 1 refused (bad address, unknown peer, wrong state,
node unreachable before anything changed); 3 done here but the other node was not told."""

from django.core.management.base import BaseCommand, CommandError, no_translations

from core.errors import DomainError
from federation.peer_overview import key_fingerprint

NOT_TOLD = 3


class PeerCommand(BaseCommand):
    #: The service to call with ``url=``.
    service = None
    #: What to print when it worked, with ``{name}``, ``{url}``, ``{state}``, ``{fingerprint}``.
    done = ""

    def message(self, peer) -> str:
        return self.done

    def add_arguments(self, parser):
        parser.add_argument("url", help="the other node's base URL, e.g. https://essaim.example.org")

    @no_translations  # English, as the commands' own words
    def handle(self, *args, url, **options):
        try:
            result = type(self).service(url=url)
        except DomainError as error:
            raise CommandError(f"{error.message} [{error.code}]") from error
        peer = result.peer
        self.stdout.write(
            self.message(peer).format(
                name=peer.name or peer.url,
                url=peer.url,
                state=peer.state,
                their_state=peer.their_state or "—",
                fingerprint=key_fingerprint(peer.public_key),
            )
        )
        if result.problem:
            raise CommandError(f"Done here, but the other node was not told: {result.problem}", returncode=NOT_TOLD)
