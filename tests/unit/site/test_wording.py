"""Wording that depends on the language's grammar: plurals that follow their number, day names in
a sentence and as a label, "free" as a slot's state and as a price; and our catalogue leaving
Django's and Wagtail's own words alone."""

import gettext as gettext_module
import re
from datetime import date
from pathlib import Path

import django
import pytest
from django.apps import apps
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.translation import gettext, pgettext

from bookings.rule_texts import rule_message
from venues.vocabulary import WeekDay

OUR_APPS = ("sites", "cms", "venues", "bookings", "events", "federation")


@pytest.mark.parametrize(
    ("code", "params", "english"),
    [
        ("too_long", {"minutes": 1}, "A booking lasts at most 1 minute."),
        ("too_long", {"minutes": 240}, "A booking lasts at most 240 minutes."),
        ("beyond_horizon", {"days": 1}, "Bookings open at most 1 day ahead."),
        ("per_day_limit", {"limit": 1}, "You already have 1 booking of this resource that day, the most allowed."),
        ("per_week_limit", {"limit": 2}, "You already have 2 bookings of this resource that week, the most allowed."),
    ],
)
def test_rule_messages_agree_with_their_number(code, params, english):
    with translation.override("en"):
        assert rule_message(code, **params) == english


def test_rule_messages_agree_with_their_number_in_french():
    with translation.override("fr"):
        one, two = rule_message("per_day_limit", limit=1), rule_message("per_day_limit", limit=2)
        assert one.replace("1", "2") != two  # the noun changes with the number, not only the figure
        assert "(s)" not in one + two
        assert rule_message("too_soon", minutes=1) != rule_message("too_soon", minutes=2).replace("2", "1")


def test_a_rule_without_its_number_still_reads():
    with translation.override("en"):
        assert rule_message("too_soon") == "Book at least %(minutes)s minutes ahead."
        assert rule_message("check_in_window") == "Check-in opens an hour before the start and closes at the end."


def test_day_names_lowercase_in_dates_capitalised_as_labels():
    """Our catalogue's weekday labels (hours tables) must not replace Django's day names in dates."""
    with translation.override("fr"):
        assert formats.date_format(date(2026, 3, 4), "l j F Y") == "mercredi 4 mars 2026"
        assert WeekDay.WEDNESDAY.label == pgettext("weekday", "Wednesday") != "mercredi"
        assert WeekDay.WEDNESDAY.label[0].isupper()
    with translation.override("en"):
        assert formats.date_format(date(2026, 3, 4), "l j F Y") == "Wednesday 4 March 2026"
        assert WeekDay.WEDNESDAY.label == "Wednesday"


def test_free_slot_and_free_price_are_two_words_in_french():
    slot = {"state": "free", "remaining": 1}
    with translation.override("fr"):
        state = render_to_string("bookings/includes/slot_state.html", {"slot": slot, "is_pool": False})
        assert state == pgettext("slot state", "Free") != gettext("Free")
    with translation.override("en"):
        assert render_to_string("bookings/includes/slot_state.html", {"slot": slot, "is_pool": False}) == "Free"


def _catalogue(localedir) -> dict:
    try:
        return gettext_module.translation("django", localedir, languages=["fr"])._catalog
    except FileNotFoundError:
        return {}


#: Words of ours that knowingly replace the frameworks' French (the log-in pages speak as our site does).
RENAMED_ON_PURPOSE = {
    "Log in",
    "Log in again",
    "Logged out",
    "Page not found",
    "Download CSV",
    "Today",
    "Time",
    # wagtail-localize's "Locales" are the languages of the content, not regions ("Régions").
    "Locales",
    "{} locales",
}


#: "un(e)", "créé(e)", "sûr(e)", "page(s)": the frameworks' French that ours may reword.
WRITTEN_FOR_BOTH_GENDERS = re.compile(r"\((e|s|es|le|la|elle)\)")


def test_our_catalogue_leaves_the_frameworks_words_alone():
    """``LOCALE_PATHS`` come before every app's catalogue: a word of ours that Django or Wagtail also
    translate replaces their translation everywhere, admin included ("Modifier" buttons would read
    "Changement"). Such a word takes a context (``pgettext``), unless the change is meant."""
    ours = _catalogue(settings.LOCALE_PATHS[0])
    theirs: dict[str, set[str]] = {}
    framework_dirs = [Path(django.__file__).parent / "conf" / "locale"]
    framework_dirs += [Path(app.path) / "locale" for app in apps.get_app_configs() if not app.name.startswith(OUR_APPS)]
    for localedir in framework_dirs:
        for msgid, msgstr in _catalogue(localedir).items():
            theirs.setdefault(msgid, set()).add(msgstr)
    renamed = {
        msgid
        for msgid, msgstr in ours.items()
        if msgid
        and msgid in theirs
        and msgstr not in theirs[msgid]
        # Wagtail's labels with "(e)" a manager sees, written again for no gender in particular
        and not any(WRITTEN_FOR_BOTH_GENDERS.search(text) for text in theirs[msgid])
    }
    assert renamed == RENAMED_ON_PURPOSE
