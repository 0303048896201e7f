"""``peer_add``, ``peer_approve``, ``peer_list``, ``peer_suspend``, ``peer_resume``, ``peer_revoke``:
what they print and their exit codes."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from federation.models import Peer, PeerState
from tests.integration.federation.pairing_fixtures import loopback_allowed, other_node  # noqa: F401

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_add_prints_the_fingerprint_and_list_shows_the_peer(other_node):  # noqa: F811
    out = run("peer_add", other_node.url)
    assert "Pairing requested with Nœud partenaire" in out and other_node.fingerprint in out
    table = run("peer_list")
    header, rule, line = table.splitlines()
    for column in ("name", "url", "state", "their state", "fingerprint", "last success", "cursor/head", "lag"):
        assert column in header
    assert other_node.url in line and "requested" in line and "pending" in line and other_node.fingerprint in line
    [row] = json.loads(run("peer_list", "--json"))
    assert row["state"] == "requested" and row["cursor/head"] == "0/0"


def test_approve_suspend_resume_revoke(other_node):  # noqa: F811
    Peer.objects.create(
        url=other_node.url, name="B", key_id=other_node.key_id, public_key=other_node.public_pem, state="pending"
    )
    assert "approved" in run("peer_approve", other_node.url)
    assert "suspended" in run("peer_suspend", other_node.url + "/")
    assert "active again" in run("peer_resume", other_node.url)
    assert "revoked" in run("peer_revoke", other_node.url)
    assert Peer.objects.get().state == PeerState.REVOKED
    with pytest.raises(CommandError, match="cannot go from") as refused:
        run("peer_resume", other_node.url)
    assert refused.value.returncode == 1


def test_errors_are_readable_with_exit_codes(other_node, loopback_allowed):  # noqa: F811
    with pytest.raises(CommandError, match="No peer node at https://nowhere.example") as unknown:
        run("peer_approve", "nowhere.example")
    assert unknown.value.returncode == 1
    with pytest.raises(CommandError, match="link-local or metadata"):
        run("peer_add", "http://169.254.169.254")
    assert run("peer_list").startswith("No peer node yet")


def test_a_change_the_other_node_did_not_hear_exits_3(other_node):  # noqa: F811
    Peer.objects.create(
        url=other_node.url, name="B", key_id=other_node.key_id, public_key=other_node.public_pem, state="active"
    )
    other_node.state_answer = (500, {"detail": "boom"})
    with pytest.raises(CommandError, match="other node was not told") as partial:
        run("peer_suspend", other_node.url)
    assert partial.value.returncode == 3
    assert Peer.objects.get().state == PeerState.SUSPENDED
