"""``core.origins``: peers' names from the registry, the host when unknown, the original page in
the reader's language with fallbacks."""

import pytest
from django.utils import translation

from core import origins


@pytest.fixture
def registry():
    saved = origins._names
    origins.register(names=lambda: {"https://a.example": "Nœud A"})
    yield
    origins._names = saved


def test_a_known_peer_by_its_name_with_or_without_a_slash(registry):
    assert origins.origin_name("https://a.example") == "Nœud A"
    assert origins.origin_name("https://a.example/") == "Nœud A"


def test_an_unknown_peer_by_its_host(registry):
    assert origins.origin_name("https://b.example:8443") == "b.example:8443"


def test_our_own_objects(settings):
    settings.ESSAIM_NODE_NAME = "Ici"
    assert origins.origin_name("") == "Ici"
    assert origins.origin_label("") == ""
    assert origins.origin_url("") == settings.ESSAIM_NODE_URL
    assert origins.origin_url("https://a.example") == "https://a.example"


def test_the_label_is_translated(registry):
    with translation.override("en"):
        assert origins.origin_label("https://a.example") == "on Nœud A"


@pytest.mark.parametrize(
    ("urls", "language", "expected"),
    [
        ({"fr": "F", "en": "E"}, "en", "E"),
        ({"fr": "F", "en": "E"}, "en-gb", "E"),
        ({"fr": "F", "en": "E"}, "de", "F"),
        ({"en": "E"}, "fr", "E"),
        ({}, "fr", ""),
        ({"fr": "", "en": "E"}, "fr", "E"),
    ],
)
def test_the_original_page_in_the_readers_language(urls, language, expected):
    assert origins.localized_url(urls, language) == expected
