"""The content-line primitives of iCalendar (RFC 5545) that every part of the writer shares:
TEXT escaping (3.3.11), parameter values (3.2, RFC 6868), URI values (3.3.13) and line folding at
75 octets (3.1). Stored text may hold any character (see ``core.text``): nothing written here can
end a line or start a property. Pure: no Django.
"""

from __future__ import annotations

from core import text

#: TEXT (3.3.11) holds no control character but tab: every line break (``core.text.BREAKS``)
#: is written ``\\n``, the other controls and lone surrogates are dropped (``core.text.multi_line``).
_ESCAPES = str.maketrans(
    {
        **dict.fromkeys(text.BREAKS, "\\n"),
        **dict.fromkeys(text.CONTROLS + text.SURROGATES),
        "\\": "\\\\",
        ";": "\\;",
        ",": "\\,",
    }
)


def escape_text(value: str) -> str:
    """TEXT values (3.3.11): backslash, semicolon and comma escaped, line breaks as ``\\n``, no
    other control character (stored text may hold any: see ``core.text``)."""
    return value.replace("\r\n", "\n").translate(_ESCAPES)


def fold(line: str) -> str:
    """Fold one content line at 75 octets, continuation lines starting with a space (3.1)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(raw):
        end = min(start + limit, len(raw))
        while end < len(raw) and (raw[end] & 0xC0) == 0x80:  # never cut inside a character
            end -= 1
        parts.append(raw[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines lose one octet to the leading space
    return "\r\n ".join(parts)


#: Parameter values: RFC 6868's ``^^`` and ``^'`` for ``^`` and ``"``. Parameters carry names
#: (``CN``), which are single lines: a line break or tab is a space (``core.text.one_line``; RFC
#: 6868's ``^n`` would show as such in the clients that do not know it), other controls dropped.
#: A backslash is written U+FF3C (＼): RFC 5545 gives it no meaning in a parameter, but icalendar
#: reads ``\\,`` ``\\;`` ``\\:`` there as escapes and ical.js every TEXT escape, so no
#: spelling of a backslash reads back the same in both.
_PARAMETER = str.maketrans(
    {
        **dict.fromkeys(text.BREAKS + "\t", " "),
        **dict.fromkeys(text.CONTROLS + text.SURROGATES),
        "^": "^^",
        '"': "^'",
        "\\": "\uff3c",
    }
)


def parameter(value: str) -> str:
    """A parameter value, always quoted (3.2), escaped by RFC 6868, on one line."""
    return '"' + value.replace("\r\n", "\n").translate(_PARAMETER) + '"'


#: What could end or break a URI value's line (3.3.13): percent-encoded.
_URI = str.maketrans({c: "".join(f"%{b:02X}" for b in c.encode()) for c in " \t" + text.BREAKS + text.CONTROLS})


def uri(value: str) -> str:
    """A URI value (``URL``, ``mailto:``) as stored, with spaces and control characters
    percent-encoded so that no stored text can end the line."""
    if value.isascii() and value.isprintable() and " " not in value:  # the usual case: nothing to do
        return value
    return value.translate(_URI).encode("utf-8", "replace").decode("utf-8")
