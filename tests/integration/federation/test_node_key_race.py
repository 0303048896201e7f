"""Web processes starting together on a database without a key make one key, not one each: a
process that signed with the key it made while another's became "the first" would be refused by
every peer (README "Running more web processes and workers")."""

import pytest

from federation import keys
from federation.models import NodeKey
from tests.support.races import POSTGRES_ONLY, at_once

pytestmark = POSTGRES_ONLY


def test_processes_starting_together_share_one_key():
    NodeKey.objects.all().delete()
    rows = at_once(*[keys._stored_key] * 8)
    assert not [row for row in rows if isinstance(row, Exception)], rows
    assert {row.key_id for row in rows} == set(NodeKey.objects.values_list("key_id", flat=True))
    assert NodeKey.objects.count() == 1


@pytest.fixture(autouse=True)
def _forget_cached_identity():
    keys.forget()
    yield
    keys.forget()
