"""``core.savepoints``: no savepoint where a refusal ends the transaction, one everywhere else."""

import json
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.services.tokens import api_token_create
from bookings.models import Booking
from core import savepoints
from core.errors import Conflict
from core.models import IdempotencyRecord
from tests.support.factories import next_weekday_at

pytestmark = pytest.mark.django_db


def _savepoints(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" in q["sql"].upper()]


def _write(user, key: str) -> None:
    IdempotencyRecord.objects.create(user=user, key=key, fingerprint="f")


def test_nested_block_is_a_savepoint_by_default(make_user):
    """Outside ``refusals_end_the_transaction`` a caller may catch the refusal and go on writing."""
    user = make_user()
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured, pytest.raises(Conflict), savepoints.atomic():
            _write(user, "gone")
            raise Conflict("taken", code="no_room")
        _write(user, "kept")  # the enclosing transaction is still usable
    assert _savepoints(captured)
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["kept"]


def test_no_savepoint_where_a_refusal_ends_the_transaction(make_user):
    user = make_user()
    with pytest.raises(Conflict), transaction.atomic(), savepoints.refusals_end_the_transaction():
        _write(user, "before")
        with CaptureQueriesContext(connection) as captured, savepoints.atomic():
            _write(user, "inside")
            raise Conflict("taken", code="no_room")
    assert _savepoints(captured) == []
    assert not IdempotencyRecord.objects.exists()  # the whole block is rolled back
    with savepoints.atomic():  # the flag ends with its block: a real savepoint again (Django lists None for none)
        assert transaction.get_connection().savepoint_ids[-1] is not None


def test_an_idempotent_booking_opens_no_savepoint_and_a_refusal_is_still_recorded(client, make_resource, make_user):
    room = make_resource(name="Room")
    user = make_user()
    token = api_token_create(user=user, name="t")[1]
    start = next_weekday_at(room, 10)
    body = {"resource": room.pk, "start": start.isoformat(), "end": start.replace(hour=11).isoformat()}

    def post(key):
        return client.post(
            "/api/v1/bookings/",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Token {token}",
            HTTP_IDEMPOTENCY_KEY=key,
        )

    with CaptureQueriesContext(connection) as captured:
        assert post(str(uuid.uuid4())).status_code == 201
    # Inside pytest-django's test transaction the key's reservation and the view's own transaction
    # are savepoints (two pairs); the booking service inside opens none (it did: a third pair).
    assert len(_savepoints(captured)) == 4
    key = str(uuid.uuid4())
    refused = post(key)
    assert refused.status_code == 409, refused.content
    assert Booking.objects.count() == 1
    assert IdempotencyRecord.objects.get(key=key).status_code == 409
    again = post(key)
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (409, "true")
