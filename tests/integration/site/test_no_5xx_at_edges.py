"""Every URL pattern of the URLconf, walked with edge values, never answers a server error.

The walk reads the patterns from the resolver (ours, Wagtail's admin and page routes, Django's
admin, the API, feeds, open data, payments; French and English), fills each path parameter with a
real id or slug, an id beyond 64 bits and junk, and sends GETs and POSTs with edge values: years 1
and 9999, ``month=9999-12``, ids past 64 bits, negatives, huge and non-UTF-8 strings, a JSON body
nested 1,000 levels deep. Our routes are visited as an anonymous visitor, a member and a venue
manager; each view is first watched to learn which query keys it reads (in each ``view`` of the
agenda too), and every edge value then goes to each of those keys alone, and to all keys at once.
Wagtail's and Django's admin routes are visited as a network admin, with a sample of edge values,
so that the walk stays under two minutes on a loaded machine. CSRF is not enforced (the test
client's default): what is under test is the view behind it.
"""

import random
import re
import time as time_module
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time, timedelta

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.urls.converters import IntConverter, StringConverter
from django.utils import translation
from django.utils.regex_helper import normalize
from wagtail.models import Page

from bookings import inventory
from bookings.models import Booking
from events import selectors as event_selectors
from events.services import programme_page_create
from tests.integration.bookings.test_admin_support import admin_in_english
from tests.support.factories import BookingFactory, EventPageFactory, UserFactory, VenueFactory, weekday_on_or_after
from venues.services import venue_manager_assign

HUGE = "99999999999999999999"
#: Query values at the edges: dates at years 1 and 9999, ids past 64 bits, negatives, junk.
EDGE_VALUES = [
    "0001-01-01",
    "9999-12-31",
    "9999-12",
    "0001-01-01T00:00:00+00:00",
    "9999-12-31T23:59:59-14:00",
    HUGE,
    "-1",
    "1e309",
    "x" * 3000,
    "%ff%fe%00%c3%28é",  # bytes that are not UTF-8 once decoded, a NUL, an accent
]
#: The values sent in every key at once (the others go one key at a time, to the keys a view reads).
ALL_KEYS_VALUES = ["0001-01-01", "9999-12-31T23:59:59-14:00", HUGE, "x" * 3000, EDGE_VALUES[-1]]
#: The values sent to one key at a time.
ONE_KEY_VALUES = ["0001-01-01", "9999-12-31", "9999-12", HUGE, "-1", "x" * 3000, EDGE_VALUES[-1]]
#: Keys read on every request (language, CSRF, the admin's shell), not the view's own.
IGNORED_KEYS = {"csrfmiddlewaretoken", "_changelist_filters", "language", "lang"}
#: Query parameters our views and the API read (the agenda, feeds, searches, admin filters…).
QUERY_KEYS = [
    "start",
    "end",
    "day",
    "month",
    "date",
    "week",
    "view",
    "q",
    "venue",
    "resource",
    "programme",
    "kind",
    "city",
    "near",
    "radius_km",
    "starts_after",
    "ends_before",
    "page",
    "p",
    "limit",
    "offset",
    "status",
    "when",
    "quantity",
    "part",
    "next",
    "from",
    "to",
    "price",
    "language",
]
#: Values of ``view`` that change which other parameters a page reads.
VIEWS = ["month", "week", "day", "list"]
#: Paths not walked: logging out would end the role's session mid-walk; Wagtail's ``failwhale``
#: raises on purpose (it shows the admin's error page).
SKIP = re.compile(r"log-?out|deconnexion|se-deconnecter|failwhale")
#: Our apps: their routes get every edge value; others' (Wagtail's, Django's admin) a sample.
OUR_APPS = {"bookings", "events", "venues", "cms", "core", "sites"}
NESTED_JSON = "[" * 1000 + "]" * 1000


@dataclass
class Route:
    template: str  # e.g. "admin/pages/%(page_id)s/edit/"
    params: list[str]
    converters: dict
    ours: bool = False


def _routes(patterns=None, prefix: str = "", converters: dict | None = None) -> list[Route]:
    """Every pattern under ``patterns`` (the URLconf by default), included ones too, as a
    ``%(name)s`` template with its parameters, in the active language."""
    routes = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        regex = prefix + entry.pattern.regex.pattern.removeprefix("^")
        known = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            routes += _routes(entry.url_patterns, regex.removesuffix("$"), known)
            continue
        ours = entry.lookup_str.split(".")[0] in OUR_APPS or entry.name == "wagtail_serve"
        for template, params in normalize(regex):
            routes.append(Route(template, list(params), known, ours))
    return routes


def _real_id(template: str, world: dict) -> int:
    for word, key in (
        ("resource", "resource"),
        ("reserver/", "resource"),
        ("book/", "resource"),
        ("booking", "booking"),
        ("programme", "programme"),
        ("event", "event"),
        ("agenda", "event"),
        ("user", "member"),
        ("group", "group"),
    ):
        if word in template:
            return world[key]
    return world["venue"]


def _fill(route: Route, world: dict) -> list[str]:
    """Paths for one route: real values, then an id past 64 bits and junk in turn."""
    if not route.params:
        return ["/" + route.template]

    def value(name: str, edge: str | None) -> str:
        converter = route.converters.get(name)
        if edge == "huge" and (converter is None or isinstance(converter, IntConverter | StringConverter)):
            return HUGE
        if edge == "junk":
            return "%FF%00" + "x" * 300 if not isinstance(converter, IntConverter) else "0"
        if name == "fmt":
            return "csv"
        if name == "reference":
            return world["reference"]
        if name in {"secret", "token"}:
            return world["feed_secret"] if name == "secret" else "junk.token"
        if name in {"slug", "key"} or not isinstance(converter, IntConverter):
            if route.template.startswith("feeds/programmes"):
                return world["programme_slug"]
            if name == "key":
                return world["occurrence"]
            return world["venue_slug"] if name == "slug" else str(_real_id(route.template, world))
        return str(_real_id(route.template, world))

    paths = []
    for edge in (None, "huge", "junk"):
        try:
            paths.append("/" + route.template % {name: value(name, edge) for name in route.params})
        except (TypeError, ValueError):
            continue
    return paths


def _world() -> dict:
    """Two venues (one a hub), a manager, a member with a booking, an event and a programme."""
    venue = VenueFactory(title="Lieu des bords", slug="lieu-des-bords")
    hub = VenueFactory(kind="social_business_center", title="Hub des bords", slug="hub-des-bords", city="Dakar")
    manager = admin_in_english(UserFactory(username="edge-manager"))
    venue_manager_assign(venue=venue, user=manager)
    member = UserFactory(username="edge-member")
    room = inventory.resource_create(venue=venue, name="Salle", kind="room", horizon_days=365)
    booking = BookingFactory(user=member, resource=room)
    event_page = EventPageFactory(venue=venue, title="Apéro des bords")
    day = weekday_on_or_after(date.today() + timedelta(days=10), 2)
    programme = programme_page_create(
        hub=hub,
        title="Programme des bords",
        slug="programme-des-bords",
        sessions=[{"title": "Session", "venue": venue, "start_date": day, "start_time": time(9), "end_time": time(12)}],
    )
    event = event_selectors.event_for_page(event_page)
    pages = [page.url for page in Page.objects.live().specific() if page.url and page.depth > 1]
    return {
        "venue": venue.pk,
        "venue_slug": venue.slug,
        "manager": manager,
        "member_user": member,
        "member": member.pk,
        "group": 1,
        "resource": room.pk,
        "booking": booking.pk,
        "reference": Booking.objects.get(pk=booking.pk).reference,
        "feed_secret": "no-such-secret",
        "event": event.pk,
        "pages": pages,
        "occurrence": "20300101T090000Z",
        "programme": programme.pk,
        "programme_slug": programme.slug,
    }


@dataclass(frozen=True)
class Call:
    role: str
    method: str
    path: str
    query: tuple = ()
    body: object = None  # a dict (form-encoded) or a str (JSON)


def _paths(route: Route, world: dict) -> list[str]:
    if route.template in {"%(_0)s", "en/%(_0)s"}:  # Wagtail's page routes: the live pages
        prefix = route.template.removesuffix("%(_0)s")
        return [f"/{prefix}{page.lstrip('/')}" for page in world["pages"]] + [f"/{prefix}{'x' * 300}/"]
    return _fill(route, world)


def _deep_role(route: Route) -> str:
    """The role that reaches furthest into a route: the manager in the admin, the member elsewhere."""
    if route.template.startswith("django-admin/"):
        return "admin"
    return "manager" if route.template.startswith(("admin/", "documents/")) else "member"


@contextmanager
def _recording_reads():
    """The query and form keys a view reads (``QueryDict.get`` and friends) while it runs."""
    read: set[str] = set()
    originals = {name: getattr(QueryDict, name) for name in ("get", "getlist", "__getitem__", "__contains__")}

    def recorder(original):
        def method(self, key, *args, **kwargs):
            read.add(key)
            return original(self, key, *args, **kwargs)

        return method

    for name, original in originals.items():
        setattr(QueryDict, name, recorder(original))
    try:
        yield read
    finally:
        for name, original in originals.items():
            setattr(QueryDict, name, original)


def _keys_read(routes: list[Route], world: dict, clients: dict) -> dict[str, dict[str, set[str]]]:
    """For each of our routes, the query keys its view reads: plain (``""``), and those it reads
    only in one ``view`` (the agenda reads ``month`` only with ``view=month``)."""
    keys = {}
    for route in routes:
        if not route.ours or route.template.startswith("en/") or SKIP.search(route.template):
            continue
        client, real = clients[_deep_role(route)], _paths(route, world)[0]
        found = {}
        for view in ("", *VIEWS):
            with _recording_reads() as read:
                client.get(f"{real}?view={view}" if view else real)
            found[view] = {key for key in read if isinstance(key, str)} - IGNORED_KEYS
        keys[route.template] = {view: found[view] - (found[""] if view else set()) for view in found}
    return keys


def _calls(routes: list[Route], world: dict, keys: dict, rng: random.Random) -> list[Call]:
    """For each route: its real path as every role, the other paths (an id past 64 bits, junk)
    as the role that reaches furthest into it; on our routes every edge value in every key the
    view reads, alone and with each ``view``, and in all keys at once; a sample elsewhere."""
    calls: list[Call] = []
    for route in routes:
        if SKIP.search(route.template):
            continue
        paths = _paths(route, world)
        english = route.template.startswith("en/")
        deep = _deep_role(route)
        if not route.ours:  # Wagtail's and Django's admin: as the network admin, who sees it all
            deep = "admin"
        roles = ["anonymous", "member", "manager"] if route.ours else [deep]
        real, others = paths[0], paths[1:]
        calls += [Call(role, "get", real) for role in ([deep] if english else roles)]
        calls += [Call(deep, "get", path) for path in others]
        if english:
            continue
        if not route.ours:
            if rng.random() < 0.15:
                value = rng.choice(EDGE_VALUES)
                calls.append(Call(deep, "get", real, tuple((key, value) for key in QUERY_KEYS)))
                calls.append(Call(deep, "post", real, body=dict.fromkeys(QUERY_KEYS, value)))
            continue
        read = keys.get(route.template, {})
        for value in ALL_KEYS_VALUES:
            calls.append(Call(deep, "get", real, tuple((key, value) for key in QUERY_KEYS)))
        for view, view_keys in read.items():
            prefix = (("view", view),) if view else ()
            for key in sorted(view_keys):
                calls += [Call(deep, "get", real, (*prefix, (key, value))) for value in ONE_KEY_VALUES]
        for role in roles:
            calls.append(Call(role, "post", real, body={key: rng.choice(EDGE_VALUES) for key in QUERY_KEYS}))
        calls.append(Call(deep, "post", real, body=NESTED_JSON))
    return calls


def _send(client: Client, call: Call):
    query = "&".join(f"{key}={value}" for key, value in call.query)
    path = f"{call.path}?{query}" if query else call.path
    if call.method == "get":
        return client.get(path)
    if isinstance(call.body, str):
        return client.post(path, call.body, content_type="application/json")
    return client.post(path, call.body)


@pytest.mark.django_db
# wagtail_localize's translations report paginates an unordered queryset: a warning in production,
# an error under this suite's ``filterwarnings = error``, and not what this test is about.
@pytest.mark.filterwarnings("ignore::django.core.paginator.UnorderedObjectListWarning")
def test_no_url_answers_a_server_error_at_the_edges(site_tree, network_admin, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": None, "booking": None}}
    world = _world()
    routes = []
    for language in ("fr", "en"):
        with translation.override(language):
            routes += [route for route in _routes() if route.template not in {r.template for r in routes}]
    clients = {role: Client(raise_request_exception=False) for role in ("anonymous", "member", "manager", "admin")}
    clients["member"].force_login(world["member_user"])
    clients["manager"].force_login(world["manager"])
    clients["admin"].force_login(network_admin)
    calls = _calls(routes, world, _keys_read(routes, world, clients), random.Random(12))
    # GETs first: a POST may delete or cancel what a GET would visit.
    calls.sort(key=lambda call: call.method != "get")
    failures = []
    started = time_module.monotonic()
    for call in calls:
        response = _send(clients[call.role], call)
        if response.status_code >= 500:
            error = response.exc_info[1] if response.exc_info else ""
            failures.append(
                f"{response.status_code} {call.role} {call.method.upper()} {call.path} {call.query[:2]} "
                f"{type(error).__name__}: {str(error)[:120]}"
            )
    print(f"{len(calls)} requests over {len(routes)} patterns in {time_module.monotonic() - started:.0f} s")
    assert not failures, "\n".join(sorted(set(failures)))
