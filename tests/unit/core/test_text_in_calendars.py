"""Any text in any field the iCalendar writer carries (summary, description, location, categories,
the organiser's and attendees' names, the calendar's name) gives a calendar that icalendar and
ical.js (Thunderbird's parser) read back intact, and no text adds a line of its own.

"Intact" allows only the documented replacement (``core.text``): in TEXT values every line break
is one LF and other control characters are dropped; in parameters (names) a line break or tab is a
space and a backslash U+FF3C. Many examples go to one node run (``tests/interop/read_text_icaljs.mjs``).
"""

import json
import re
import subprocess
from datetime import UTC, datetime

import icalendar
import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core import text
from core.ical_writer import Attendee, FeedEvent, calendar
from core.validators import multi_line, single_line
from tests.unit.test_ical_interop import ROOT, _icaljs_available, _need_icaljs

READER = ROOT / "tests" / "interop" / "read_text_icaljs.mjs"
START = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
#: What a calendar's lines may start with: anything else would be an injected line.
PROPERTIES = {
    *("BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "NAME", "X-WR-CALNAME", "REFRESH-INTERVAL"),
    *("X-PUBLISHED-TTL", "DESCRIPTION", "TZID", "COMMENT", "DTSTART", "DTEND", "TZNAME", "TZOFFSETFROM"),
    *("TZOFFSETTO", "UID", "DTSTAMP", "SEQUENCE", "SUMMARY", "STATUS", "LOCATION", "URL", "CATEGORIES"),
    *("ORGANIZER", "ATTENDEE"),
}
NASTY = "\r\n\t\x00\x0b\x0c\x1b\x7f\x85\x9b\u2028\u2029;,:\\\"'^ é😀\ufeff"
#: Any text but lone surrogates (Python cannot encode them), with the troublesome characters often.
texts = st.text(st.one_of(st.characters(exclude_categories=["Cs"]), st.sampled_from(NASTY)), max_size=40)
FIELDS = ("summary", "description", "location", "category", "organizer", "attendee", "name", "url")


def write(fields: dict) -> str:
    event = FeedEvent(
        uid="u1@test",
        sequence=0,
        summary=fields["summary"],
        description=fields["description"],
        location=fields["location"],
        # Free text last: ical.js splits ``CATEGORIES:a\\,b`` (a category ending with a backslash,
        # then another) wrongly, as if the comma were escaped. Essaim's categories are its own
        # vocabulary's words (the venue's kind), never such text.
        categories=("x", fields["category"]),
        organizer=fields["organizer"],
        organizer_email="venue@example.org",
        attendees=(Attendee(email="alice@example.org", name=fields["attendee"]),),
        url="https://example.org/" + fields["url"],
        start=START,
        end=START.replace(hour=10),
        tz="Europe/Paris",
        stamp=START,
    )
    return calendar([event], name=fields["name"], first_year=2026, last_year=2026, method="REQUEST")


def name(value: str) -> str:
    """A name as a parameter carries it: on one line, a backslash as U+FF3C (``ical_text._PARAMETER``)."""
    return text.one_line(value).replace("\\", "\uff3c")


def expected(fields: dict) -> dict:
    """What a reader must find: TEXT values as ``text.multi_line`` gives them, names as ``one_line``."""
    return {
        "summary": text.multi_line(fields["summary"]),
        "description": text.multi_line(fields["description"]),
        "location": text.multi_line(fields["location"]),
        "categories": ["x", text.multi_line(fields["category"])],
        "organizer": name(fields["organizer"]),
        "attendees": [name(fields["attendee"])],
        "name": text.multi_line(fields["name"]),
    }


def no_injected_line(body: str) -> None:
    assert body.endswith("\r\n") and "\r\n\r\n" not in body
    unfolded = body.replace("\r\n ", "")
    for line in unfolded.split("\r\n")[:-1]:
        assert "\r" not in line and "\n" not in line
        name = line.split(":", 1)[0].split(";", 1)[0]
        assert name in PROPERTIES, f"unexpected line {line!r}"


def unescape(value: str) -> str:
    """A TEXT value as RFC 5545 3.3.11 reads it."""
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], value)


def with_icalendar(body: str) -> dict:
    parsed = icalendar.Calendar.from_ical(body)
    [vevent] = parsed.walk("VEVENT")
    return {
        "summary": str(vevent["SUMMARY"]),
        "description": str(vevent["DESCRIPTION"]) if "DESCRIPTION" in vevent else "",
        "location": str(vevent["LOCATION"]) if "LOCATION" in vevent else "",
        "categories": [str(c) for c in vevent["CATEGORIES"].cats],
        "organizer": str(vevent["ORGANIZER"].params.get("CN", "")),
        "attendees": [str(vevent["ATTENDEE"].params.get("CN", ""))],
        "name": unescape(str(parsed["NAME"])),  # icalendar reads NAME as an unknown type
    }


def icaljs(bodies: list[str]) -> list[dict]:
    """What ical.js reads of each calendar, in one node run (``READER``)."""
    done = subprocess.run(
        ["node", str(READER)],
        input=json.dumps(bodies),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout)


def with_icaljs(bodies: list[str]) -> list[dict]:
    out = []
    for calendar_read in icaljs(bodies):
        assert "error" not in calendar_read, calendar_read
        [event] = calendar_read["events"]
        out.append(
            {
                "summary": event["summary"],
                "description": event["description"],
                "location": event["location"],
                "categories": event["categories"],
                "organizer": event["organizer"],
                "attendees": event["attendees"],
                "name": unescape(calendar_read["name"]),  # ical.js, too, reads NAME as an unknown type
            }
        )
    return out


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries(dict.fromkeys(FIELDS, texts)))
def test_icalendar_reads_any_text_back(fields):
    body = write(fields)
    no_injected_line(body)
    assert with_icalendar(body) == expected(fields)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.fixed_dictionaries(dict.fromkeys(FIELDS, texts)), min_size=100, max_size=100))
def test_icaljs_reads_any_text_back(batch):
    """A hundred calendars per node run, eight runs."""
    if not _icaljs_available():
        _need_icaljs()
    bodies = [write(fields) for fields in batch]
    assert with_icaljs(bodies) == [expected(fields) for fields in batch]


@pytest.mark.parametrize(
    "value",
    [
        "La Ruche\r\nX-INJECTED:yes\r\nBEGIN:VALARM",
        "a\nb",
        "a\rb",
        "tab\there",
        "nul\x00",
        "nel\x85",
        "ls\u2028",
        "\x7f",
    ],
)
def test_single_line_fields_refuse_control_characters(value):
    with pytest.raises(ValidationError) as raised:
        single_line(value)
    assert raised.value.code == "control_character"
    assert f"U+{ord(next(c for c in value if c in text.BREAKS + text.CONTROLS + chr(9))):04X}" in str(raised.value)


def test_multi_line_fields_keep_line_breaks_but_no_other_control():
    multi_line("Premier paragraphe.\r\n\r\nSecond,\ttabulé; fin\u2028ligne")
    single_line("La Ruche — tiers-lieu « coopératif » 😀")
    for bad in ("\x00", "\x1b[31m", "\x9b", "\x7f"):
        with pytest.raises(ValidationError) as raised:
            multi_line(f"texte{bad}")
        assert raised.value.code == "control_character"
