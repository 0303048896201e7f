"""``core.api.json_depth``: how deeply a JSON text nests, strings aside (checked before parsing)."""

import json

from hypothesis import given
from hypothesis import strategies as st

from core.api import json_depth

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=20,
)


def _depth(value) -> int:
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    return 0


def test_brackets_inside_strings_do_not_count():
    assert json_depth('{"a": "[[[{{{\\"]]]"}') == 1
    assert json_depth("[" * 1000 + "]" * 1000) == 1000
    assert json_depth('"plain"') == 0


@given(JSON)
def test_the_depth_of_any_json_value(value):
    assert json_depth(json.dumps(value)) == _depth(value)
