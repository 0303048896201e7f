"""Nudges: a signed ``POST /federation/v1/notify`` makes us pull at once; our own commits nudge
every active peer; the beat task and ``manage.py sync_peers`` pull the peers that are due."""

import datetime
import io
import json
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from federation import outbox, tasks
from federation.models import Peer, PeerState
from tests.integration.federation import sync_support
from tests.integration.federation.sync_support import new_uid, sign_request_with, venue_data

pytestmark = pytest.mark.django_db
fake_peer, peer = sync_support.fake_peer, sync_support.peer  # fixtures


def _signed_notify(client, fake_peer, settings, **extra):
    body = b"{}"
    headers = sign_request_with(
        fake_peer.key,
        fake_peer.key_id,
        "POST",
        settings.ESSAIM_NODE_URL + "/federation/v1/notify",
        body=body,
        headers={"Content-Type": "application/json"},
    )
    return client.post("/federation/v1/notify", data=body, content_type="application/json", headers=headers)


def test_a_signed_nudge_pulls_the_peer(client, fake_peer, peer, settings, django_capture_on_commit_callbacks):
    fake_peer.add("venue", new_uid(), venue_data())
    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_notify(client, fake_peer, settings)
    assert response.status_code == 202
    assert json.loads(response.content) == {"status": "scheduled"}
    assert "Signature" in response.headers  # our answer is signed
    assert fake_peer.requests[0][1].startswith("/federation/v1/changes?after=0")
    assert Peer.objects.get(pk=peer.pk).cursor == 1


def test_an_unsigned_nudge_is_refused(client, peer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/federation/v1/notify", data=b"{}", content_type="application/json")
    assert response.status_code == 401
    assert json.loads(response.content)["code"] == "bad_signature"
    assert callbacks == []


def test_a_replayed_nudge_is_refused(client, fake_peer, peer, settings):
    body = b"{}"
    headers = sign_request_with(
        fake_peer.key, fake_peer.key_id, "POST", settings.ESSAIM_NODE_URL + "/federation/v1/notify", body=body
    )
    first = client.post("/federation/v1/notify", data=body, content_type="application/json", headers=headers)
    again = client.post("/federation/v1/notify", data=body, content_type="application/json", headers=headers)
    assert (first.status_code, again.status_code) == (202, 401)


def test_a_suspended_peer_is_not_pulled_on_its_nudge(client, fake_peer, peer, settings):
    Peer.objects.filter(pk=peer.pk).update(state=PeerState.SUSPENDED)
    response = _signed_notify(client, fake_peer, settings)
    assert response.status_code == 403


def test_our_commits_nudge_every_active_peer(fake_peer, peer, django_capture_on_commit_callbacks):
    Peer.objects.create(url="http://127.0.0.1:9", key_id="x", public_key=fake_peer.public_pem, state="suspended")
    with django_capture_on_commit_callbacks(execute=True):
        outbox.record("venue", uuid.uuid4(), {"kind": "tiers_lieu"})
    assert ("POST", "/federation/v1/notify") in fake_peer.requests
    assert Peer.objects.get(pk=peer.pk).last_error == ""


def test_a_nudge_that_fails_is_noted_never_raised(fake_peer, peer, django_capture_on_commit_callbacks):
    fake_peer.close()
    with django_capture_on_commit_callbacks(execute=True):
        outbox.record("venue", uuid.uuid4(), {"kind": "tiers_lieu"})
    peer.refresh_from_db()
    assert peer.last_error.startswith("Nudge:") and peer.failures == 0


def test_the_beat_task_pulls_the_peers_that_are_due(fake_peer, peer, monkeypatch):
    later = Peer.objects.create(
        url="http://127.0.0.1:9",
        key_id="y",
        public_key=fake_peer.public_pem,
        state=PeerState.ACTIVE,
        next_retry_at=timezone.now() + datetime.timedelta(minutes=5),
    )
    started = []
    monkeypatch.setattr(tasks.sync_peer_task, "delay", started.append)
    assert tasks.sync_peers_task() == 1
    assert started == [peer.pk] and later.pk not in started


def test_the_sync_task_pulls_one_peer(fake_peer, peer):
    fake_peer.add("venue", new_uid(), venue_data())
    assert tasks.sync_peer_task(peer.pk) == "applied 1"
    assert tasks.sync_peer_task(10_000) == "not active"


def test_the_command_prints_each_peer(fake_peer, peer):
    fake_peer.add("venue", new_uid(), venue_data())
    out = io.StringIO()
    call_command("sync_peers", stdout=out)
    assert f"{peer.url}: applied 1 (1 changed), cursor 1, head 1, error: —" in out.getvalue()

    fake_peer.mode = "down"
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("sync_peers", peer.url, stdout=out)
    assert "HTTP 503" in out.getvalue()
    with pytest.raises(CommandError, match="No peer"):
        call_command("sync_peers", "https://nobody.example")


def test_the_beat_schedules_the_sync(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["federation-sync-peers"]
    assert entry == {"task": "federation.tasks.sync_peers_task", "schedule": 60.0}
