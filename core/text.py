"""Which characters text may hold, and how writers make any stored text safe to carry.

Single-line fields (titles, names, cities, address lines) refuse every control character:
C0 (tab and line breaks included), DEL, C1 (NEL too), the Unicode line and paragraph separators
(U+2028, U+2029) and lone surrogates. Multi-line fields (descriptions, notes) keep tab and line
breaks and refuse the rest. ``core.validators`` turns these sets into Django validators.

Writers (iCalendar, e-mail) do not trust that: rows written before the validators, or by an
``update()``, may hold anything. ``multi_line`` is the documented replacement they apply: every
line break (CR LF, CR, LF, VT, FF, NEL, U+2028, U+2029) becomes LF, tab stays, every other
control character and lone surrogate is dropped. ``one_line`` then makes each LF or tab a space.

Pure: no Django (the iCalendar writer uses it).
"""

from __future__ import annotations

import re

#: Line breaks in any of their spellings: written as one LF by ``multi_line``.
BREAKS = "\r\n\x0b\x0c\x85\u2028\u2029"
#: Control characters that are neither tab nor a line break: dropped by ``multi_line``.
CONTROLS = "".join(chr(c) for c in [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0x85), *range(0x86, 0xA0)])
SURROGATES = "".join(chr(c) for c in range(0xD800, 0xE000))

#: What a single-line field refuses, and what a multi-line field refuses.
NOT_IN_LINE = re.compile(f"[\t{re.escape(BREAKS + CONTROLS)}\ud800-\udfff]")
NOT_IN_TEXT = re.compile(f"[{re.escape(CONTROLS)}\ud800-\udfff]")

_MULTI_LINE = str.maketrans({**dict.fromkeys(BREAKS, "\n"), **dict.fromkeys(CONTROLS + SURROGATES)})
_ONE_LINE = str.maketrans({**dict.fromkeys(BREAKS + "\t", " "), **dict.fromkeys(CONTROLS + SURROGATES)})


def multi_line(value: str) -> str:
    """``value`` with every line break as LF and no other control character (tab kept)."""
    return value.replace("\r\n", "\n").translate(_MULTI_LINE)


def one_line(value: str) -> str:
    """``value`` on one line: line breaks and tabs become spaces (CR LF one space), other
    control characters are dropped. For e-mail headers and other single-line outputs."""
    return value.replace("\r\n", "\n").translate(_ONE_LINE)


def first_bad(value: str, *, lines: bool = False) -> str | None:
    """The first character a single-line field (or a multi-line one, ``lines=True``) refuses."""
    found = (NOT_IN_TEXT if lines else NOT_IN_LINE).search(value)
    return found.group() if found else None
