"""Public pages from the cache (``core.page_cache``): no query on a hit, in French and English;
publishing, unpublishing, moving, deleting and seats taken invalidate; logged-in visitors never
get or fill an entry; a form in a cached page still posts (its CSRF token is the visitor's)."""

import contextlib
import json
import re
from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from wagtail.models import Page

from bookings.models import Closure, Resource
from core import page_cache
from core.page_cache import STATUS_HEADER
from events import presentation, selectors
from events.models import Event, EventDateChange
from events.services import registration_create
from venues.models import MirrorIndexPage
from venues.services import venue_translate

pytestmark = pytest.mark.django_db

#: Invalidations happen when a change commits (``core.page_cache.bump``): these tests let it commit.
COMMITS = pytest.mark.django_db(transaction=True, serialized_rollback=True)

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


@pytest.fixture
def venue(make_venue):
    return make_venue(title="La Ruche des Pentes")


@pytest.fixture
def english_venue(venue):
    return venue_translate(venue=venue, language="en")


def _urls(site_tree, venue, english_venue) -> dict[str, str]:
    directory_en = site_tree.directory.get_translation(english_venue.locale)
    return {
        "home fr": "/",
        "home en": "/en/",
        "directory fr": site_tree.directory.url,
        "directory en": directory_en.url,
        "venue fr": venue.url,
        "venue en": english_venue.url,
        "agenda fr": "/agenda/",
        "agenda en": "/en/agenda/",
    }


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def test_every_public_page_is_served_with_no_query_on_a_hit(
    client, site_tree, venue, english_venue, make_event, django_assert_num_queries
):
    make_event(venue, title="Apéro des entrepreneurs")
    for name, url in _urls(site_tree, venue, english_venue).items():
        first = _get(client, url)
        assert first[STATUS_HEADER] == "miss", name
        with django_assert_num_queries(0):
            second = _get(client, url)
        assert second[STATUS_HEADER] == "hit", name
        assert second.content == first.content, name
        assert second["Content-Type"] == first["Content-Type"]
        assert second["Content-Language"] == first["Content-Language"] == name[-2:]
        assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
        assert "'nonce-" not in second["Content-Security-Policy"]


def test_head_is_answered_from_the_entry(client, site_tree, django_assert_num_queries):
    _get(client, "/")
    with django_assert_num_queries(0):
        response = client.head("/")
    assert response.status_code == 200 and response[STATUS_HEADER] == "hit"


def test_a_query_the_page_does_not_key_on_is_answered_fresh(client, site_tree):
    _get(client, "/agenda/?page=1")
    assert _get(client, "/agenda/?page=1")[STATUS_HEADER] == "hit"
    for url in ("/agenda/?kind=totem", "/agenda/?page=1&x=2", "/?utm_source=x"):
        assert STATUS_HEADER not in client.get(url)
        assert STATUS_HEADER not in client.get(url), f"{url} is never stored"


@COMMITS
def test_publishing_a_venue_shows_at_once(client, site_tree, venue):
    for url in (venue.url, site_tree.directory.url):
        _get(client, url)
    venue.title = "La Ruche des Pentes, 2e étage"
    venue.save_revision().publish()
    for url in (venue.url, site_tree.directory.url):
        response = _get(client, url)
        assert response[STATUS_HEADER] == "miss"
        assert "2e étage" in response.content.decode()


@COMMITS
def test_unpublishing_a_venue_removes_it(client, site_tree, venue):
    url = venue.url
    _get(client, url)
    assert "La Ruche des Pentes" in _get(client, site_tree.directory.url).content.decode()
    venue.unpublish()
    assert client.get(url).status_code == 404
    assert "La Ruche des Pentes" not in _get(client, site_tree.directory.url).content.decode()


@COMMITS
def test_moving_a_venue_frees_its_old_address(client, site_tree, venue):
    url = venue.url
    _get(client, url)
    elsewhere = site_tree.directory.add_child(instance=MirrorIndexPage(title="Partenaires", slug="partenaires"))
    venue.move(elsewhere, pos="last-child")
    venue.refresh_from_db()
    moved = client.get(url)
    assert moved.status_code == 301 and moved["Location"] == venue.url, "Wagtail's redirect, not the old page"
    assert _get(client, venue.url)[STATUS_HEADER] == "miss"


@COMMITS
def test_deleting_a_venue_removes_its_page(client, site_tree, venue):
    url = venue.url
    _get(client, url)
    Page.objects.get(pk=venue.pk).delete()
    assert client.get(url).status_code == 404


@COMMITS
def test_a_registration_updates_the_seats_left_everywhere(client, site_tree, venue, make_event, make_user):
    _page, event = make_event(venue, title="Apéro des entrepreneurs")
    occurrence = selectors.upcoming(event, now=event.start, limit=1)[0]
    three, two = (escape(presentation.seats_label(remaining=n, cancelled=False)) for n in (3, 2))
    urls = (venue.url, "/", "/agenda/")
    for url in urls:
        _get(client, url)
        assert three in _get(client, url).content.decode(), url
    registration_create(user=make_user(), event=event, recurrence_id=occurrence.recurrence_id, quantity=1)
    for url in urls:
        html = _get(client, url).content.decode()
        assert two in html and three not in html, url


def test_a_booking_leaves_the_directory_cached(client, site_tree, venue, make_event, make_user):
    _page, event = make_event(venue)
    _get(client, site_tree.directory.url)
    occurrence = selectors.upcoming(event, now=event.start, limit=1)[0]
    registration_create(user=make_user(), event=event, recurrence_id=occurrence.recurrence_id)
    assert _get(client, site_tree.directory.url)[STATUS_HEADER] == "hit"


@COMMITS
def test_logged_in_visitors_never_get_nor_fill_an_entry(client, site_tree, make_user):
    anonymous = Client()
    _get(anonymous, "/")
    assert _get(anonymous, "/")[STATUS_HEADER] == "hit"
    client.force_login(make_user())
    for _ in range(2):
        response = _get(client, "/")
        assert STATUS_HEADER not in response
        assert f'action="{reverse("account_logout")}"' in response.content.decode(), "their own header bar"
    # Their own page is not stored either: after a change, the next anonymous visit is a miss.
    site_tree.home.save_revision().publish()
    _get(client, "/")
    assert _get(anonymous, "/")[STATUS_HEADER] == "miss"


def test_a_form_in_a_cached_page_posts_with_the_visitors_own_token(site_tree, venue, make_event):
    """The agenda's "register from here" (a peer's event) holds a CSRF token: each visitor gets
    their own, with its cookie, and the form posts (an anonymous visitor is sent to log in)."""
    _page, event = make_event(venue, title="Atelier du réseau")
    Event.objects.filter(pk=event.pk).update(origin="https://peer.example")
    Resource.objects.filter(pk=event.seats_id).update(origin="https://peer.example")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    assert TOKEN.search(_get(first, "/agenda/").content.decode())
    response = _get(second, "/agenda/")
    assert response[STATUS_HEADER] == "hit"
    html = response.content.decode()
    form = re.search(r'<form class="event-register" method="post" action="([^"]+)">', html)
    token = TOKEN.search(html)
    assert form and token
    assert response.cookies["csrftoken"].value, "the hit sets the visitor's CSRF cookie"
    posted = second.post(form.group(1), {"csrfmiddlewaretoken": token.group(1), "recurrence_id": "x", "next": "/"})
    assert posted.status_code == 302 and posted["Location"].startswith(reverse("account_login"))
    # A visitor whose cookie is already set keeps its secret (Django sends it again, as on any page).
    secret = response.cookies["csrftoken"].value
    again = _get(second, "/agenda/")
    assert again[STATUS_HEADER] == "hit" and again.cookies["csrftoken"].value == secret
    posted = second.post(form.group(1), {"csrfmiddlewaretoken": TOKEN.search(again.content.decode()).group(1)})
    assert posted.status_code == 302
    forged = Client(enforce_csrf_checks=True)
    forged.cookies["csrftoken"] = "x" * 32
    assert forged.post(form.group(1), {"csrfmiddlewaretoken": token.group(1)}).status_code == 403


def test_switched_off_nothing_is_stored(client, site_tree, settings):
    settings.ESSAIM_PAGE_CACHE = False
    _get(client, "/")
    assert STATUS_HEADER not in _get(client, "/")


@COMMITS
def test_editing_a_resource_or_a_closure_shows_at_once(client, venue, make_resource):
    room = make_resource(venue, name="Salle Lumière")
    assert "Salle Lumière" in _get(client, venue.url).content.decode()
    assert _get(client, venue.url)[STATUS_HEADER] == "hit"
    room.name = "Salle Soleil"
    room.save()
    html = _get(client, venue.url).content.decode()
    assert "Salle Soleil" in html and "Salle Lumière" not in html
    assert _get(client, venue.url)[STATUS_HEADER] == "hit"
    Closure.objects.create(venue=venue, first_day=date(2030, 12, 24), last_day=date(2030, 12, 26))
    assert _get(client, venue.url)[STATUS_HEADER] == "miss"


@COMMITS
def test_cancelling_an_event_date_shows_at_once(client, venue, make_event):
    page, event = make_event(venue, title="Apéro des entrepreneurs")
    when = escape(presentation.seats_label(remaining=0, cancelled=True))
    assert when not in _get(client, "/agenda/").content.decode()
    page.date_changes.add(EventDateChange(original_date=event.start.date(), cancelled=True))
    page.save_revision().publish()
    response = _get(client, "/agenda/")
    assert response[STATUS_HEADER] == "miss" and when in response.content.decode()


def test_a_transaction_bumps_each_scope_once_at_its_commit(monkeypatch, django_capture_on_commit_callbacks):
    """A registration changes seats twice (its booking, its registration): one bump, at the commit;
    none for a transaction rolled back; at once outside a transaction."""
    bumped = []
    monkeypatch.setattr(page_cache, "_bump", lambda scopes: bumped.append(tuple(scopes)))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        page_cache.bump(page_cache.SEATS)
        page_cache.bump(page_cache.SEATS, page_cache.PAGES)
        assert bumped == []
    assert bumped == [(page_cache.PAGES, page_cache.SEATS)]
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        transaction.atomic(),
        contextlib.suppress(RuntimeError),
        transaction.atomic(),  # a savepoint, rolled back
    ):
        page_cache.bump(page_cache.PAGES)
        raise RuntimeError("rolled back")
    assert callbacks == [] and len(bumped) == 1


@COMMITS
def test_home_map_is_cached_and_follows_publishing(client, make_venue):
    """The network map is cached; publishing, moving or unpublishing a venue shows at once."""

    def markers():
        html = client.get("/").content.decode()
        found = re.search(r'<script id="map-points" type="application/json">(.*?)</script>', html, re.S)
        return {p["name"] for p in json.loads(found.group(1))}

    first = make_venue(title="Carte A")
    assert "Carte A" in markers()
    make_venue(title="Carte B")
    assert {"Carte A", "Carte B"} <= markers()
    first.unpublish()
    assert "Carte A" not in markers()
