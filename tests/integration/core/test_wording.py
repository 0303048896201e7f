"""French wording the managers and visitors read: the catalogue's typography, labels written for
their gender and number, the price filter, the rooms' capacity and the managers' list of desks
and rooms (an event's seats are not one of them)."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from bookings import inventory
from bookings.admin.forms import ClosureForm, ResourceFilterSet, managed_resources
from events.forms_public import PRICE_CHOICES
from tests.integration.bookings.test_admin_support import build_world, load_world
from venues import vocabulary

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po"
#: What may touch a colon: format placeholders, URLs and URL patterns, tags and code samples.
NOT_WORDS = re.compile(
    r"<code>.*?</code>|%\([^)]*\)[sdif]|%[sdif]|\{[^}]*\}|<[a-z]+:[a-z_]+>|[a-z][a-z0-9+.-]*:(?://|[^\s]*@)\S*|::",
    re.S,
)
LETTER_COLON = re.compile(r"[^\W\d_]:")


def translations(entry) -> list[str]:
    return [entry.msgstr, *entry.msgstr_plural.values()]


@pytest.fixture(scope="module")
def catalogue():
    return [entry for entry in polib.pofile(str(CATALOGUE)) if not entry.obsolete and entry.translated()]


def test_no_french_colon_without_its_space(catalogue):
    hits = [
        (entry.linenum, text)
        for entry in catalogue
        for text in translations(entry)
        if LETTER_COLON.search(NOT_WORDS.sub(" ", text))
    ]
    assert hits == []


def test_the_scan_would_see_a_missing_space():
    assert LETTER_COLON.search(NOT_WORDS.sub(" ", "Lieu: %(venue)s"))
    assert not LETTER_COLON.search(NOT_WORDS.sub(" ", "Lieu : %(venue)s, voir https://exemple.fr/a"))


def test_no_en_dash_gender_or_number_in_brackets(catalogue):
    """No "(e)", "(s)", "un(e)", "créé(e)": a label is written for its gender, a count with ngettext."""
    hits = [text for entry in catalogue for text in translations(entry) if re.search(r"\((e|s|es|le|elle)\)", text)]
    assert hits == []


@pytest.mark.parametrize(
    ("msgid", "plural"),
    [
        ("Add %(model_name)s", None),
        ("Created", None),
        ("Locked", None),
        ("Unlocked", None),
        ("Published", None),
        ("%(model_name)s '%(object)s' created.", None),
        ("%(model_name)s '%(object)s' updated.", None),
        ("%(model_name)s '%(object)s' deleted.", None),
        ("Are you sure you want to delete this %(model_name)s?", None),
        ("Are you sure you want to delete this page?", None),
        ("No %(model_name)s match your query.", None),
        ("Used %(usage_count)s time", "Used %(usage_count)s times"),
    ],
)
def test_wagtails_labels_the_managers_see_are_reworded(msgid, plural):
    with translation.override("fr"):
        text = translation.ngettext(msgid, plural, 2) if plural else translation.gettext(msgid)
    assert text != msgid and not re.search(r"\((e|s)\)", text), text


def test_price_filter_and_totem_labels():
    with translation.override("fr"):
        assert [str(label) for _, label in PRICE_CHOICES][1:] == ["Gratuit", "Payant"]
        assert str(dict(vocabulary.KINDS)[vocabulary.KIND_TOTEM]) == "Totem French Tech"
    with translation.override("en"):
        assert str(PRICE_CHOICES[2][1]) == "Paid"


@pytest.fixture
def world(db):
    world = load_world(build_world())
    world.big_room = inventory.resource_create(venue=world.a, name="Grande salle", kind="room", seats=17)
    world.seats = inventory.resource_create(
        venue=world.a, name="Apéro des entrepreneurs", kind="event_seats", capacity=25
    )
    return world


def in_french(user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "fr"
    profile.save(update_fields=["preferred_language"])


def test_rooms_show_how_many_people_they_hold(client, world):
    client.force_login(world.manager_a)
    english = client.get(reverse("booking_resources:index")).content.decode()
    assert "Up to 17 people" in english and "4 desks" in english
    in_french(world.manager_a)
    french = client.get(reverse("booking_resources:index")).content.decode()
    assert "Jusqu&#x27;à 17 personnes" in french or "Jusqu'à 17 personnes" in french
    assert "Ajouter une ressource" in french and "(e)" not in french


def test_event_seats_stay_out_of_the_managers_desks_and_rooms(client, world, rf):
    client.force_login(world.manager_a)
    listing = client.get(reverse("booking_resources:index")).content.decode()
    assert "Grande salle" in listing and "Apéro des entrepreneurs" not in listing
    request = rf.get("/")
    request.user = world.manager_a
    kinds = dict(ResourceFilterSet(request=request, queryset=None).filters["kind"].extra["choices"])
    assert "event_seats" not in kinds and {"desk", "desk_pool", "room"} <= set(kinds)
    assert world.seats not in managed_resources(world.manager_a)
    assert world.big_room in managed_resources(world.manager_a)
    closure = ClosureForm(for_user=world.manager_a)
    assert world.seats not in closure.fields["resource"].queryset
    form = client.get(reverse("booking_resources:add")).content.decode()
    assert 'value="event_seats"' not in form and 'value="room"' in form
