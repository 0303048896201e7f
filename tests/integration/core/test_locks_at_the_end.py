"""``core.locking.locks_at_the_end``: a hot row's lock put off to the end of the work it guards.

The steps run after the block's body, in order, and at once outside a block; a step that refuses
undoes the whole block. Its use on an event's seats: tests/integration/events/test_seats_locked_last.py.
"""

import pytest
from django.contrib.auth import get_user_model

from core.errors import Conflict
from core.locking import lock_at_the_end, locks_at_the_end

pytestmark = pytest.mark.django_db


def test_steps_put_off_run_after_the_body_in_order_and_at_once_outside_a_block():
    seen = []
    with locks_at_the_end():
        lock_at_the_end(lambda: seen.append("first step"))
        seen.append("body")
        lock_at_the_end(lambda: seen.append("second step"))
        seen.append("body ends")
    assert seen == ["body", "body ends", "first step", "second step"]
    lock_at_the_end(lambda: seen.append("outside"))
    assert seen[-1] == "outside"


def test_a_step_that_refuses_undoes_the_block_and_the_next_block_starts_clean(make_user):
    def refuse():
        raise Conflict("full", code="no_room")

    with pytest.raises(Conflict), locks_at_the_end():
        make_user("written-then-undone")
        lock_at_the_end(refuse)
    assert not get_user_model().objects.filter(username="written-then-undone").exists()
    seen = []
    with locks_at_the_end():
        lock_at_the_end(lambda: seen.append("runs"))
    assert seen == ["runs"]
