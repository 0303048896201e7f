"""Two real nodes on loopback (``tests.support.nodes``): A serves the default demo network, B the
partner network. B pairs with A through the operator commands, mirrors A's venues, events and
availability, and books A's resources through A's own rules; A refuses whatever is not signed by
a peer it knows.

Written against the public contract (DESIGN.md) and the operator commands only.
"""

from __future__ import annotations

import subprocess
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.nodes import Node, wait_for

pytestmark = pytest.mark.twonode


# -- the harness itself --------------------------------------------------------------------------


def test_both_nodes_answer_with_their_own_identity(two_nodes):
    a, b = two_nodes
    info_a, info_b = a.node_info(), b.node_info()
    assert (info_a["url"], info_b["url"]) == (a.url, b.url)
    assert (info_a["name"], info_b["name"]) == (a.name, b.name)
    assert info_a["api_version"] == info_b["api_version"] == "1"
    assert info_a["key_id"] != info_b["key_id"] and info_a["public_key"] != info_b["public_key"]
    assert info_a["key_id"].startswith(a.url + "#")


def test_each_node_serves_its_own_demo_network(two_nodes):
    a, b = two_nodes
    # Each node's own venues (once paired, by another test of the session, each also mirrors the other's).
    own_a = [venue for venue in a.venues() if venue["origin"] == a.url]
    venues_b = [venue for venue in b.venues() if venue["origin"] == b.url]
    countries_a = {venue["country"] for venue in own_a}
    assert countries_a == {"FR"}
    assert {venue["country"] for venue in venues_b} >= {"CA", "SN", "CI", "BF", "BJ", "TG"}
    assert len(venues_b) == 12
    assert {venue["timezone"] for venue in venues_b} >= {"America/Toronto", "Africa/Dakar", "Africa/Abidjan"}
    assert not {venue["slug"] for venue in own_a} & {venue["slug"] for venue in venues_b}
    assert b.events(), "the partner network has an agenda"
    # Each node's demo accounts are its own.
    assert a.token("entrepreneur") and b.token("entrepreneur")
    assert b.post("/api/v1/auth/token/", json={"username": "admin", "password": "admin-demo"}).status_code != 200


def test_manage_runs_against_the_node_database(two_nodes):
    a, b = two_nodes
    code = (
        "from venues.models import VenuePage;"
        "print(VenuePage.objects.filter(country='SN', locale__language_code='fr').count())"
    )
    assert int(a.shell(code).split()[-1]) == 0
    assert int(b.shell(code).split()[-1]) == 2


# -- pairing and mirrors -------------------------------------------------------------------------


def origins(node: Node, **params) -> dict[str, set[str]]:
    """Venue names by origin, as ``/api/v1/venues/`` says."""
    seen: dict[str, set[str]] = {}
    for venue in node.venues(**params):
        seen.setdefault(venue["origin"], set()).add(venue["name"])
    return seen


def test_pairing_shows_each_side_the_other(paired_nodes):
    a, b = paired_nodes
    listed_a, listed_b = a.manage("peer_list"), b.manage("peer_list")
    assert b.url in listed_a and a.url in listed_b
    assert "active" in listed_a.lower() and "active" in listed_b.lower()


def test_b_shows_a_venues_with_their_origin(paired_nodes):
    a, b = paired_nodes
    own_a = {venue["name"] for venue in a.venues() if venue["origin"] == a.url}
    seen = origins(b)
    assert seen[a.url] == own_a
    assert len(seen[b.url]) == 12
    # A does not mirror B: only B pulled (B asked to pair).
    assert set(origins(a)) == {a.url}


def test_b_shows_a_events_and_a_near_search_finds_them(paired_nodes):
    a, b = paired_nodes
    titles_a = {event["title"] for event in a.events()}
    titles_b = {event["title"] for event in b.events()}
    assert titles_a and titles_a <= titles_b
    lyon = b.venues(near="45.764,4.8357", radius_km=30)
    assert lyon and {venue["origin"] for venue in lyon} == {a.url}


VENUE_ON_A = """
from venues.models import TiersLieuPage, VenueIndexPage
from venues import services
directory = VenueIndexPage.objects.filter(locale__language_code='fr').first()
venue = services.venue_create(directory=directory, model=TiersLieuPage, title={title!r}, slug={slug!r},
    city='Annecy', country='FR', latitude=45.8992, longitude=6.1294, timezone='Europe/Paris',
    opening_hours=[])
print(venue.pk)
"""


def test_a_venue_published_on_a_appears_on_b_after_the_nudge(paired_nodes):
    a, b = paired_nodes
    a.shell(VENUE_ON_A.format(title="Le Lac Numérique", slug="le-lac-numerique"))
    # No sync_peers: A's nudge (POST /federation/v1/notify on commit) makes B pull at once.
    wait_for(lambda: "Le Lac Numérique" in origins(b).get(a.url, set()), timeout=10)


RESOURCE_ON_A = """
from django.contrib.auth import get_user_model
from bookings import inventory
from bookings.models import Resource
from venues.models import VenuePage
admin = get_user_model().objects.get(username='admin')
venue = VenuePage.objects.get(slug={slug!r}, locale__language_code='fr')
if {delete!r}:
    inventory.resource_delete(resource=Resource.objects.get(venue=venue, name={name!r}), actor=admin)
else:
    inventory.resource_create(venue=venue, actor=admin, name={name!r}, kind='desk', currency='EUR')
"""


def test_an_unpublished_venue_and_a_deleted_resource_disappear_from_b(paired_nodes):
    a, b = paired_nodes
    slug, name = "la-fabrique-de-la-vallee", "Poste éphémère"
    venue = next(v for v in a.venues() if v["slug"] == slug)
    mirror = next(v for v in b.venues() if v["name"] == venue["name"] and v["origin"] == a.url)
    a.shell(RESOURCE_ON_A.format(slug=slug, name=name, delete=False))
    wait_for(lambda: name in _resource_names(b, mirror["id"]), timeout=10)
    a.shell(RESOURCE_ON_A.format(slug=slug, name=name, delete=True))
    wait_for(lambda: name not in _resource_names(b, mirror["id"]), timeout=10)
    a.shell(
        f"from venues.models import VenuePage;[page.unpublish() for page in VenuePage.objects.filter(slug={slug!r})]"
    )
    wait_for(lambda: venue["name"] not in origins(b).get(a.url, set()), timeout=10)


def _resource_names(node: Node, venue_id) -> set[str]:
    data = node.get("/api/v1/resources/", params={"venue": venue_id, "limit": 200}).json()
    return {row["name"] for row in (data["results"] if isinstance(data, dict) else data)}


EVENT_MOVE_ON_A = """
import datetime
from events.models import EventPage
page = EventPage.objects.filter(locale__language_code='fr', live=True, repeat='WEEKLY').order_by('pk').first()
page = page.get_latest_revision_as_object()
page.start_time = datetime.time(page.start_time.hour + 1, page.start_time.minute)
page.end_time = datetime.time(page.end_time.hour + 1, page.end_time.minute)
page.save_revision().publish()  # the people registered get an e-mail (console): print a marker after it
print("TITLE:" + page.title)
"""


def test_an_event_moved_on_a_moves_on_b(paired_nodes):
    a, b = paired_nodes
    output = a.shell(EVENT_MOVE_ON_A)
    title = next(line for line in output.splitlines() if line.startswith("TITLE:")).removeprefix("TITLE:")
    on_a = next(event for event in a.events() if event["title"] == title)
    wait_for(
        lambda: any(e["title"] == title and e["start"] == on_a["start"] for e in b.events()),
        timeout=10,
        message=f"{title} not moved on B",
    )


# -- booking across ------------------------------------------------------------------------------


def day_ahead(tz: str, days: int = 3) -> datetime:
    """A weekday ``days`` or more ahead in ``tz``, at midnight there."""
    day = datetime.now(ZoneInfo(tz)).date() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(tz))


#: Resources made on A for these tests (free, no approval, by slots), so that no demo price, rule or
#: booking decides a scenario: ``name → kind``.
FEDERATED = {"Salle fédérée": "room", "Bureau fédéré": "desk"}
FEDERATED_VENUE = "la-ruche-des-pentes"

FEDERATED_ON_A = """
from django.contrib.auth import get_user_model
from bookings import inventory
from bookings.models import Resource
from venues.models import VenuePage
venue = VenuePage.objects.get(slug={venue!r}, locale__language_code='fr')
admin = get_user_model().objects.get(username='admin')
for name, kind in {resources!r}.items():
    if not Resource.objects.filter(venue=venue, name=name).exists():
        inventory.resource_create(venue=venue, actor=admin, name=name, kind=kind, currency='EUR', price_minor=0,
            booking_unit='slots', slot_minutes=30, min_minutes=30, max_minutes=480, lead_minutes=0,
            horizon_days=60, seats=4 if kind == 'room' else 1)
"""


@pytest.fixture(scope="session")
def federated(paired_nodes):
    """``(a, b)`` once A has the ``FEDERATED`` resources and B has pulled them."""
    a, b = paired_nodes
    a.shell(FEDERATED_ON_A.format(venue=FEDERATED_VENUE, resources=FEDERATED))
    b.manage("sync_peers")
    return a, b


def mirrored_resource(a: Node, b: Node, kind: str, *, venue_slug: str = FEDERATED_VENUE):
    """``(resource on A, its mirror on B)``: the ``FEDERATED`` resource of that kind."""
    name = next(name for name, of_kind in FEDERATED.items() if of_kind == kind)
    venue_a = next(v for v in a.venues() if v["slug"] == venue_slug)
    venue_b = next(v for v in b.venues() if v["origin"] == a.url and v["name"] == venue_a["name"])
    on_a = _listed(a.get("/api/v1/resources/", params={"venue": venue_a["id"], "limit": 200}).json())
    on_b = _listed(b.get("/api/v1/resources/", params={"venue": venue_b["id"], "limit": 200}).json())
    chosen = next(r for r in on_a if r["name"] == name)
    mirror = next(r for r in on_b if r["name"] == name)
    assert mirror["origin"] == a.url and chosen["origin"] == a.url
    return chosen, mirror


def _listed(data):
    return data["results"] if isinstance(data, dict) else data


def free_intervals(node: Node, resource_id, start, end) -> list[tuple[datetime, datetime, int]]:
    """``/api/v1/resources/{id}/availability/``'s ``free`` intervals, as datetimes."""
    start = start.isoformat() if isinstance(start, datetime) else start
    end = end.isoformat() if isinstance(end, datetime) else end
    answer = node.get(f"/api/v1/resources/{resource_id}/availability/", params={"start": start, "end": end})
    assert answer.status_code == 200, answer.text
    return [
        (datetime.fromisoformat(i["start"]), datetime.fromisoformat(i["end"]), i["remaining"])
        for i in answer.json()["free"]
    ]


def free_window(node: Node, resource_id, start: datetime, hours: int = 1) -> tuple[str, str]:
    """The first free ``hours`` of ``resource_id`` on ``node`` from ``start`` that day, as ISO strings."""
    intervals = free_intervals(node, resource_id, start, start + timedelta(days=1))
    for begin, end, _remaining in intervals:
        if end - begin >= timedelta(hours=hours):
            return begin.isoformat(), (begin + timedelta(hours=hours)).isoformat()
    raise AssertionError(f"no free {hours} h on {resource_id}: {intervals}")


def remaining(node: Node, resource_id, start: str, end: str) -> int:
    """Places left for the whole of ``start``–``end`` (0 when no free interval covers it)."""
    begin, finish = datetime.fromisoformat(start), datetime.fromisoformat(end)
    covering = [left for s, e, left in free_intervals(node, resource_id, start, end) if s <= begin and e >= finish]
    return min(covering, default=0)


def book(node: Node, resource_id, start: str, end: str, *, key: str, user: str = "entrepreneur") -> httpx.Response:
    return node.api(
        "POST",
        "/api/v1/bookings/",
        user=user,
        json={"resource": resource_id, "start": start, "end": end, "quantity": 1},
        headers={"Idempotency-Key": key},
    )


def test_b_books_a_room_of_a(federated):
    a, b = federated
    room_a, room_b = mirrored_resource(a, b, "room")
    start, end = free_window(a, room_a["id"], day_ahead("Europe/Paris").replace(hour=9))
    assert remaining(a, room_a["id"], start, end) == 1 == remaining(b, room_b["id"], start, end)

    answer = book(b, room_b["id"], start, end, key="twonode-room-1")
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "confirmed"
    # A's availability shrank at once; B's mirror shows it busy after the nudge.
    assert remaining(a, room_a["id"], start, end) == 0
    wait_for(lambda: remaining(b, room_b["id"], start, end) == 0, timeout=5)
    # The booking is B's person's, in B's "my bookings", with A's status.
    mine = b.api("GET", "/api/v1/bookings/").json()
    mine = mine["results"] if isinstance(mine, dict) else mine
    assert any(row["start"] == answer.json()["start"] for row in mine)
    # A retry with the same key changes nothing.
    again = book(b, room_b["id"], start, end, key="twonode-room-1")
    assert again.status_code in (200, 201) and again.json()["id"] == answer.json()["id"]


def test_a_person_on_a_and_a_person_on_b_race_for_the_last_desk_and_one_wins(federated):
    a, b = federated
    desk_a, desk_b = mirrored_resource(a, b, "desk")
    start, end = free_window(a, desk_a["id"], day_ahead("Europe/Paris", days=5).replace(hour=8), hours=4)
    a.token(), b.token()  # log in before the race
    answers: dict[str, httpx.Response] = {}
    barrier = threading.Barrier(2)

    def on(node: Node, resource_id, label: str):
        barrier.wait(timeout=30)
        answers[label] = book(node, resource_id, start, end, key=f"twonode-race-{label}")

    threads = [
        threading.Thread(target=on, args=(a, desk_a["id"], "a")),
        threading.Thread(target=on, args=(b, desk_b["id"], "b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    codes = sorted(answer.status_code for answer in answers.values())
    assert codes == [201, 409], {label: (r.status_code, r.text[:300]) for label, r in answers.items()}
    loser = next(r for r in answers.values() if r.status_code == 409)
    assert loser.json()["code"] == "no_room"
    assert remaining(a, desk_a["id"], start, end) == 0
    wait_for(lambda: remaining(b, desk_b["id"], start, end) == 0, timeout=5)


HOLD_FROM_B = """
import json, uuid, httpx
from federation import signing
body = json.dumps({{"uid": str(uuid.uuid4()), "resource": {resource!r}, "start": {start!r}, "end": {end!r},
    "quantity": 1, "booker": {{"handle": "twonode-hold"}}}}).encode()
url = {url!r} + "/federation/v1/holds"
headers, nonce = signing.sign_request("POST", url, body=body,
    headers={{"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}})
answer = httpx.post(url, content=body, headers=headers, trust_env=False)
print(answer.status_code)
"""

# A's own sweep (its beat task), run as if its hold time had passed: the hold expires, and the
# busy interval's tombstone reaches B with the nudge.
EXPIRE_HOLDS_ON_A = """
from datetime import timedelta
from django.utils import timezone
from bookings.services.sweeps import hold_expire_all
print(hold_expire_all(now=timezone.now() + timedelta(hours=2)))
"""


def test_a_remote_hold_never_confirmed_expires_on_a(federated):
    a, b = federated
    room_a, room_b = mirrored_resource(a, b, "room")
    start, end = free_window(a, room_a["id"], day_ahead("Europe/Paris", days=6).replace(hour=9))
    uid = a.shell(f"from bookings.models import Resource; print(Resource.objects.get(pk={room_a['id']}).uid)")
    uid = uid.split()[-1]
    # B (its own key, from its shell) asks A for a hold and never confirms it.
    status = b.shell(HOLD_FROM_B.format(resource=uid, start=start, end=end, url=a.url)).split()[-1]
    assert status == "201"
    assert remaining(a, room_a["id"], start, end) == 0
    # Its time passes (the clock of A, as the hold sees it): the desk is free again, by itself.
    assert int(a.shell(EXPIRE_HOLDS_ON_A).split()[-1]) >= 1
    assert remaining(a, room_a["id"], start, end) == 1
    wait_for(lambda: remaining(b, room_b["id"], start, end) == 1, timeout=10)


# -- a peer that goes away -----------------------------------------------------------------------


def test_a_stopped_changed_and_restarted_b_catches_up(paired_nodes):
    a, b = paired_nodes
    with a.stopped():
        a.shell(VENUE_ON_A.format(title="La Halle de Chambéry", slug="la-halle-de-chambery"))
        a.shell(VENUE_ON_A.format(title="Le Refuge Numérique", slug="le-refuge-numerique"))
        with pytest.raises(subprocess.CalledProcessError):  # A is down: B says so (exit 1), records it, backs off
            b.manage("sync_peers", a.url)
        listed = b.manage("peer_list")
        assert "fail" in listed.lower() or "error" in listed.lower(), listed
    b.manage("sync_peers", a.url)  # an operator's pull does not wait for the backoff
    names = origins(b).get(a.url, set())
    assert {"La Halle de Chambéry", "Le Refuge Numérique"} <= names


# -- signatures ----------------------------------------------------------------------------------


@pytest.fixture
def throwaway_peer(paired_nodes, monkeypatch):
    """A key A knows as an active peer's (registered from A's shell); this process signs with it."""
    from cryptography.hazmat.primitives import serialization  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: PLC0415

    from federation import signing  # noqa: PLC0415
    from federation.keys import NodeIdentity, public_pem_of  # noqa: PLC0415

    a, _b = paired_nodes
    key = ed25519.Ed25519PrivateKey.generate()
    pem = public_pem_of(key)
    url = "http://127.0.0.1:9"  # nothing listens there: A never calls it back
    identity = NodeIdentity(f"{url}#throwaway", key, pem)
    a.shell(
        "from federation.models import Peer, PeerState;"
        f"Peer.objects.update_or_create(url={url!r}, defaults=dict(name='throwaway', key_id={identity.key_id!r},"
        f" public_key={pem!r}, state=PeerState.ACTIVE))"
    )
    monkeypatch.setattr(signing, "node_identity", lambda: identity)
    assert serialization.load_pem_public_key(pem.encode())
    return identity


def signed_get(a: Node, path: str) -> tuple[str, dict]:
    from federation import signing  # noqa: PLC0415

    url = a.url + path
    headers, _nonce = signing.sign_request("GET", url)
    return url, headers


def test_a_refuses_bad_wrong_expired_and_replayed_signatures(paired_nodes, throwaway_peer, monkeypatch):
    import time_machine  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ed25519  # noqa: PLC0415

    from federation import signing  # noqa: PLC0415
    from federation.keys import NodeIdentity  # noqa: PLC0415

    a, _b = paired_nodes
    path = "/federation/v1/changes?after=0&limit=10"

    url, headers = signed_get(a, path)
    good = httpx.get(url, headers=headers, trust_env=False)
    assert good.status_code == 200, good.text
    # Replayed: the same request (same nonce) a second time.
    assert httpx.get(url, headers=headers, trust_env=False).status_code == 401
    # Unsigned.
    assert httpx.get(url, trust_env=False).status_code == 401
    # A bad signature: one byte of it changed.
    url, headers = signed_get(a, path)
    signature = headers["Signature"]
    headers["Signature"] = signature[:-6] + ("A" if signature[-6] != "A" else "B") + signature[-5:]
    answer = httpx.get(url, headers=headers, trust_env=False)
    assert answer.status_code == 401 and answer.json()["code"] == "bad_signature"
    # The wrong key: another key claims the known key id.
    impostor = NodeIdentity(throwaway_peer.key_id, ed25519.Ed25519PrivateKey.generate(), throwaway_peer.public_pem)
    monkeypatch.setattr(signing, "node_identity", lambda: impostor)
    url, headers = signed_get(a, path)
    assert httpx.get(url, headers=headers, trust_env=False).status_code == 401
    monkeypatch.setattr(signing, "node_identity", lambda: throwaway_peer)
    # Expired: signed six minutes ago.
    with time_machine.travel(datetime.now(UTC) - timedelta(minutes=6), tick=False):
        url, headers = signed_get(a, path)
    assert httpx.get(url, headers=headers, trust_env=False).status_code == 401
    # Signed for another path than the one asked.
    url, headers = signed_get(a, path)
    assert httpx.get(url.replace("limit=10", "limit=11"), headers=headers, trust_env=False).status_code == 401


# -- a peer that sends garbage -------------------------------------------------------------------


class FakePeer:
    """A node that is not one: it answers node info and signs whatever page it is told to serve."""

    def __init__(self, identity, url: str):
        self.identity, self.url, self.page = identity, url, {}

    def handler(self):
        import json  # noqa: PLC0415
        from http.server import BaseHTTPRequestHandler  # noqa: PLC0415

        from federation import signing  # noqa: PLC0415

        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status: int, data: dict, *, sign: bool = True):
                body = json.dumps(data).encode()
                headers = {"Content-Type": "application/json"}
                nonce = _nonce_of(self.headers.get("Signature-Input", ""))
                if sign and nonce:
                    headers = signing.sign_answer(status, headers, body, request_nonce=nonce)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                if self.path.startswith("/.well-known/essaim"):
                    info = {
                        "software": "essaim",
                        "software_version": "0.1.0",
                        "api_version": "1",
                        "name": "Fake",
                        "url": fake.url,
                        "key_id": fake.identity.key_id,
                        "public_key": fake.identity.public_pem,
                        "key_algorithm": "ed25519",
                    }
                    return self._answer(200, info, sign=False)
                if self.path.startswith("/federation/v1/changes"):
                    return self._answer(200, fake.page)
                return self._answer(404, {"code": "not_found"})

            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                return self._answer(202, {})

        return Handler


def _nonce_of(signature_input: str) -> str:
    marker = 'nonce="'
    start = signature_input.find(marker)
    return signature_input[start + len(marker) : signature_input.find('"', start + len(marker))] if start >= 0 else ""


def test_a_malformed_page_leaves_b_mirror_as_it_was(paired_nodes, throwaway_peer):
    import uuid  # noqa: PLC0415
    from http.server import ThreadingHTTPServer  # noqa: PLC0415

    from tests.support.server import free_port  # noqa: PLC0415

    a, b = paired_nodes
    port = free_port()
    fake = FakePeer(throwaway_peer, f"http://127.0.0.1:{port}")
    good_venue = {
        "kind": "tiers_lieu",
        "titles": {"fr": "Lieu fantôme"},
        "summaries": {},
        "accessibility": {},
        "urls": {"fr": f"{fake.url}/lieux/lieu-fantome/"},
        "street_address": "",
        "postcode": "",
        "city": "Nulle-Part",
        "region": "",
        "country": "FR",
        "latitude": 45.0,
        "longitude": 5.0,
        "timezone": "Europe/Paris",
        "wheelchair_accessible": False,
        "email": "",
        "phone": "",
        "website": "",
        "opening_hours": [],
        "closures": [],
    }
    fake.page = {
        "changes": [
            {"position": 1, "kind": "venue", "uid": str(uuid.uuid4()), "deleted": False, "data": good_venue},
            {"position": 2, "kind": "venue", "uid": "not-a-uuid", "deleted": False, "data": {"titles": 42}},
        ],
        "next": 2,
        "head": 2,
        "more": False,
    }
    server = ThreadingHTTPServer(("127.0.0.1", port), fake.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        b.shell(
            "from federation.models import Peer, PeerState;"
            f"Peer.objects.update_or_create(url={fake.url!r}, defaults=dict(name='Fake',"
            f" key_id={throwaway_peer.key_id!r}, public_key={throwaway_peer.public_pem!r}, state=PeerState.ACTIVE))"
        )
        before = origins(b)
        with pytest.raises(subprocess.CalledProcessError):  # the page is refused: exit 1
            b.manage("sync_peers", fake.url)
        assert origins(b) == before  # the good entry of the page was not applied either
        state = b.shell(
            "from federation.models import Peer; p = Peer.objects.get(url=" + repr(fake.url) + ");"
            "print(p.cursor, bool(p.last_error), p.failures)"
        ).split()[-3:]
        assert state[0] == "0" and state[1] == "True", state
    finally:
        server.shutdown()
        server.server_close()
        b.shell(f"from federation.models import Peer; Peer.objects.filter(url={fake.url!r}).delete()")
        b.shell(f"from federation.models import Peer; Peer.objects.filter(url={fake.url!r}).delete()")
