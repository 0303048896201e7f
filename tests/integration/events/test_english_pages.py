"""English readers read English where a translation exists, and French fragments are marked
``lang="fr"`` where it does not (screen readers pronounce them right)."""

import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from wagtail.models import Locale

from bookings import display_names
from events import selectors, services
from venues.services import venue_translate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    translation.activate("fr")
    yield
    translation.activate("fr")


def en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def translate_event(page, title):
    venue_translate(venue=page.get_parent().specific, language="en")
    english = page.copy_for_translation(Locale.objects.get(language_code="en")).specific
    english.title = title
    english.save_revision().publish()
    return english


def register(event, user):
    occurrence = selectors.upcoming(event, now=datetime.now(UTC))[0]
    return services.registration_create(user=user, event=event, recurrence_id=occurrence.recurrence_id)


def place_cells(html: str) -> list[str]:
    return re.findall(r'<td data-label="[^"]+">(<span[^>]*>[^<]*</span>)', html)


def test_english_my_bookings_shows_english_event_titles(client, make_venue, make_event, make_user):
    """English "My bookings" listed "Apéro des entrepreneurs" although "Entrepreneurs' drinks" existed."""
    venue = make_venue()
    page, event = make_event(venue, title="Apéro des entrepreneurs", slug="apero")
    translate_event(page, "Entrepreneurs' drinks")
    _other, untranslated = make_event(venue, title="Permanence juridique", slug="permanence")
    user = make_user()
    register(event, user)
    register(untranslated, user)
    client.force_login(user)

    english = client.get(en("bookings:mine")).content.decode()
    cells = place_cells(english)
    assert "<span>Entrepreneurs&#x27; drinks</span>" in cells
    assert "Apéro des entrepreneurs" not in english
    assert '<span lang="fr">Permanence juridique</span>' in cells  # no English page: French, marked

    french = client.get("/reservations/").content.decode()
    assert "<span>Apéro des entrepreneurs</span>" in place_cells(french)
    assert "<span>Permanence juridique</span>" in place_cells(french)


def test_a_bookings_page_names_the_event_in_english_too(client, make_event, make_user):
    page, event = make_event(title="Apéro des entrepreneurs")
    translate_event(page, "Entrepreneurs' drinks")
    user = make_user()
    booking = register(event, user)
    client.force_login(user)
    html = client.get(en("bookings:detail", booking.reference)).content.decode()
    assert "<span>Entrepreneurs&#x27; drinks</span> (event seats)" in html


def test_bookings_asks_the_registry_not_the_events_app():
    """``bookings`` sits below ``events``: the events app fills the registry when it starts."""
    assert selectors.seat_names in display_names._NAMERS


def test_venue_texts_in_english_when_translated(client, make_venue):
    venue = make_venue(
        summary="Un coworking coopératif.",
        accessibility="Immeuble canut avec escaliers.",
        opening_hours_note="Fermé en août.",
    )
    english = venue_translate(
        venue=venue,
        language="en",
        summary="A cooperative coworking space.",
        accessibility="A silk weavers' building with stairs.",
        opening_hours_note="Closed in August.",
    )
    html = client.get(english.url).content.decode()
    assert '<p class="lead">A cooperative coworking space.</p>' in html
    assert '<p data-testid="accessibility-note">A silk weavers&#x27; building with stairs.</p>' in html
    assert '<p data-testid="hours-note">Closed in August.</p>' in html
    assert "Immeuble canut" not in html and "Fermé en août" not in html


def test_untranslated_venue_texts_are_marked_french(client, make_venue):
    """The accessibility note showed in French inside a page marked ``lang="en"``."""
    venue = make_venue(
        summary="Un coworking coopératif.",
        accessibility="Immeuble canut avec escaliers.",
        opening_hours_note="Fermé en août.",
    )
    english = venue_translate(venue=venue, language="en")
    html = client.get(english.url).content.decode()
    assert '<html lang="en"' in html
    assert '<p class="lead" lang="fr">Un coworking coopératif.</p>' in html
    assert '<p lang="fr" data-testid="accessibility-note">Immeuble canut avec escaliers.</p>' in html
    assert '<p lang="fr" data-testid="hours-note">Fermé en août.</p>' in html
    french = client.get(venue.url).content.decode()
    assert '<p data-testid="accessibility-note">Immeuble canut avec escaliers.</p>' in french
    assert '<p class="lead">Un coworking coopératif.</p>' in french


def test_resource_descriptions_are_marked_french_on_english_pages(client, make_resource):
    resource = make_resource(description="Un poste fixe avec écran, au calme.")
    venue_translate(venue=resource.venue.specific, language="en")
    french_url = reverse("bookings:resource", args=[resource.pk])
    english = client.get(en("bookings:resource", resource.pk)).content.decode()
    assert '<p lang="fr" data-testid="resource-description">Un poste fixe avec écran, au calme.</p>' in english
    french = client.get(french_url).content.decode()
    assert '<p data-testid="resource-description">Un poste fixe avec écran, au calme.</p>' in french


def test_untranslated_event_titles_in_english_lists_are_marked(client, make_venue, make_event):
    venue = make_venue()
    page, _event = make_event(venue, title="Apéro des entrepreneurs", slug="apero")
    translate_event(page, "Entrepreneurs' drinks")
    make_event(venue, title="Permanence juridique", slug="permanence")
    html = client.get(en("events:agenda")).content.decode()
    assert re.search(r'<a href="[^"]+" lang="fr">Permanence juridique</a>', html)
    assert re.search(r'<a href="/en/[^"]+">Entrepreneurs&#x27; drinks</a>', html)


@pytest.mark.parametrize(
    ("page", "fragment", "expected"),
    [("fr", "fr", ""), ("en", "fr", ' lang="fr"'), ("en", "en", ""), ("en", "", ""), ("fr", "en", ' lang="en"')],
)
def test_lang_attr_marks_only_the_other_language(page, fragment, expected):
    with translation.override(page):
        out = Template("{% load essaim_lang %}<p{{ lang|lang_attr }}>").render(Context({"lang": fragment}))
    assert out == f"<p{expected}>"
