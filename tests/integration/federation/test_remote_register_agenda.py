"""The agenda on the booker's node: a peer's event date with seats left offers "Register from
here"; logged out, the click leads to the log-in and back to the agenda; logged in, it registers
through the event's node."""

from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from federation.models import Peer, PeerState, RemoteBooking
from tests.integration.federation.test_remote_bookings_pages import fake  # noqa: F401
from tests.support.factories import UserFactory
from tests.support.mirrors import PEER, mirror_event, mirror_venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def mirrored_date(site_tree):
    Peer.objects.create(url=PEER, name="Nœud A", key_id="a#1", public_key="x", state=PeerState.ACTIVE)
    start = (timezone.now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return mirror_event(mirror_venue(PEER, title="Lieu miroir"), start=start)


def _form(client):
    soup = BeautifulSoup(client.get("/agenda/").content, "html.parser")
    return soup.select_one("form.event-register")


def test_a_mirrored_date_offers_registering_from_here(client, mirrored_date):
    form = _form(client)
    assert form is not None and form["action"] == f"/reservations/inscription-ailleurs/{mirrored_date.pk}/"
    logged_out = client.post(
        form["action"], {"recurrence_id": form.select_one("[name=recurrence_id]")["value"], "next": "/agenda/"}
    )
    assert logged_out.status_code == 302 and "next=/agenda/" in logged_out["Location"]


def test_registering_from_the_agenda_goes_through_the_event_node(client, fake, mirrored_date):  # noqa: F811
    fake.answers = {"holds": (201, {"status": "held"}), "confirm": (200, {"status": "confirmed"})}
    user = UserFactory(username="dana")
    client.force_login(user)
    form = _form(client)
    answer = client.post(form["action"], {"recurrence_id": form.select_one("[name=recurrence_id]")["value"]})
    assert answer.status_code == 302
    booking = RemoteBooking.objects.get(user=user)
    assert booking.event_id == mirrored_date.pk and booking.recurrence_id == mirrored_date.start
