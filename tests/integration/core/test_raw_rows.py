"""``core.raw_models.insert_row`` and ``update_row`` store what ``save()`` stores."""

import pytest

from core.models import IdempotencyRecord
from core.raw_models import insert_row, update_row

pytestmark = pytest.mark.django_db

BODY = {"id": 41, "note": "Près de la fenêtre", "nested": [1, None, {"ok": True}], "amount": "12.50"}


def _stored(pk) -> dict:
    return {k: v for k, v in IdempotencyRecord.objects.filter(pk=pk).values().get().items() if k not in {"id", "key"}}


def test_insert_and_update_store_what_save_stores(make_user):
    user = make_user()
    by_hand = insert_row(IdempotencyRecord(user=user, key="a", fingerprint="f" * 64))
    by_orm = IdempotencyRecord.objects.create(user=user, key="b", fingerprint="f" * 64)
    assert not by_hand._state.adding and by_hand.pk != by_orm.pk
    mine, theirs = _stored(by_hand.pk), _stored(by_orm.pk)
    assert abs((mine.pop("created_at") - theirs.pop("created_at")).total_seconds()) < 60
    assert mine == theirs == {"user_id": user.pk, "fingerprint": "f" * 64, "status_code": None, "body": None}

    for record in (by_hand, by_orm):
        record.status_code, record.body = 201, BODY
    update_row(by_hand, ["status_code", "body"])
    by_orm.save(update_fields=["status_code", "body"])
    mine, theirs = _stored(by_hand.pk), _stored(by_orm.pk)
    assert mine.pop("created_at") <= theirs.pop("created_at")  # untouched by either update
    assert mine == theirs
    assert IdempotencyRecord.objects.get(pk=by_hand.pk).body == BODY
