"""Public pages for anonymous visitors, served from the cache with no SQL at all.

The home page, the directory, a venue's page and the agenda are what most visitors and crawlers
ask for; the same HTML goes to every anonymous visitor. ``PageCacheMiddleware`` sits early (before
the sessions, the CSP nonce and Wagtail's routing touch anything) and answers a hit from one cache
round trip. What makes this safe:

- **Opt-in.** Only a view that calls ``cache_this_page`` is stored; everything else (event pages
  with the visitor's registration, booking pages, the admin) is never touched.
- **Anonymous only.** A request carrying a session or a messages cookie, or an ``Authorization``
  header, is neither served from the cache nor stored: a logged-in visitor's header bar or a
  flash message never reaches another visitor. A response that sets any cookie but the CSRF one
  is not stored either.
- **Generations.** Each entry records the generation numbers of the scopes it shows (``PAGES``:
  every public page, their venues, resources and events; ``SEATS``: seats left, changed by every
  booking). A change bumps its scope once its transaction commits (a page rendered from the old
  rows while the transaction ran holds the old number, so it cannot be stored as current); an entry whose
  numbers differ from the current ones is a miss. The generations are read with the entry, in
  the same round trip, and read *before* a miss is rendered, so a change made while rendering
  leaves the new entry stale from birth, never wrong. ``ESSAIM_PAGE_CACHE_SECONDS`` bounds what
  no write announces (time passing, a hold that lapses unseen).
- **CSRF.** A page may hold a form (the agenda's "register from here" for a peer's event): its
  token is cut out of the stored HTML and each hit gets the visitor's own, with Django's CSRF
  middleware setting the cookie as on any page.
- **Failing open.** The cache unreachable (Redis down), pages are rendered as without it and
  writes go on: a bump that fails is logged, and the entries it missed live out their TTL.
- **Headers.** The headers inner middleware set (CSP, X-Frame-Options, Vary, Content-Language)
  are stored with the body and replayed together. A response whose CSP names a nonce is not
  stored: a nonce served twice is no nonce.

Why two scopes and not one per venue: a key per venue would need the venue before routing (a
query, or a second round trip for a path-to-venue map), and what invalidates a venue's page
(its events' seats, a page published in the tree, the directory's title in its breadcrumb) is
mostly shared with the network pages anyway. Bookings are the frequent writes; only the pages
that show seats depend on ``SEATS``, so a booking leaves the directory cached.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token

logger = logging.getLogger(__name__)

#: The scopes an entry can depend on (their generation numbers are cache keys).
PAGES = "pages"
SEATS = "seats"
SCOPES = (PAGES, SEATS)
_GENERATION_KEYS = {scope: f"essaim:page-cache:generation:{scope}" for scope in SCOPES}

#: Paths that are never pages (no lookup: an API call must not pay a cache round trip).
SKIPPED_PREFIXES = (
    "/api/",
    "/admin/",
    "/django-admin/",
    "/static/",
    "/media/",
    "/documents/",
    "/feeds/",
    "/federation/",
    "/.well-known/",
    "/payments/",
)
#: A query value a page may key on: a short number (``?page=3``). Anything else is not stored, so
#: a crawler cannot fill the cache with one entry per made-up query.
_KEYED_VALUE = re.compile(r"\d{1,4}")
#: Django's CSRF hidden input; its value is cut out of stored HTML and filled in per visitor.
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')
_CSRF_PLACEHOLDER = b"\x00essaim-csrf\x00"
_PLACEHOLDER = re.compile(re.escape(_CSRF_PLACEHOLDER))
#: The cookie Django's cookie message storage uses (not a setting).
_MESSAGES_COOKIE = "messages"
#: Set on the request by ``cache_this_page``; read by the middleware.
_MARK = "_essaim_page_cache"
_LOOKUP = "_essaim_page_cache_lookup"
#: Says whether an answer came from the cache (benchmarks and tests read it; it names no visitor).
STATUS_HEADER = "X-Essaim-Cache"


@dataclass(frozen=True)
class _Mark:
    scopes: tuple[str, ...]
    keyed: frozenset[str]


@dataclass
class _Lookup:
    key: str
    generations: dict[str, int]


def cache_this_page(request, *, seats: bool = False, keyed: tuple[str, ...] = ()) -> None:
    """Let the middleware store this GET's answer for anonymous visitors.

    ``seats``: the page shows seats left (every booking invalidates it). ``keyed``: the query
    parameters the page varies on (a short number each, such as ``page``); a request with any
    other parameter is answered fresh and not stored.
    """
    scopes = (PAGES, SEATS) if seats else (PAGES,)
    setattr(request, _MARK, _Mark(scopes=scopes, keyed=frozenset(keyed)))


class _Bumps:
    """The scopes a transaction changed, bumped once it commits (registered with ``on_commit``, so
    Django drops it on rollback): a registration that changes seats twice bumps them once."""

    def __init__(self):
        self.scopes: set[str] = set()
        self.ran = False

    def __call__(self):
        self.ran = True  # a test that runs the hooks of a transaction still open leaves it listed
        _bump(sorted(self.scopes))


def bump(*scopes: str) -> None:
    """Invalidate every entry that shows these scopes once the transaction commits (at once outside
    one), each scope once per transaction. Not before: a page rendered from the old rows while
    the transaction runs is stored under the old number, which the commit's bump makes stale."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump(scopes)
        return
    pending = next(
        (func for _sids, func, _robust in connection.run_on_commit if isinstance(func, _Bumps) and not func.ran), None
    )
    if pending is None:
        pending = _Bumps()
        transaction.on_commit(pending, robust=True)
    pending.scopes.update(scopes)


def _bump(scopes) -> None:
    for scope in scopes:
        key = _GENERATION_KEYS[scope]
        try:
            if hasattr(cache, "incr_or_start"):  # Redis (core.redis_cache): one round trip
                cache.incr_or_start(key, time.time_ns())
                continue
            try:
                cache.incr(key)
            except ValueError:  # never set, or evicted: any new number differs from what entries hold
                cache.add(key, time.time_ns(), None)
        except Exception:
            # A booking must not fail because the cache is unreachable; its pages live out their TTL.
            logger.warning("page cache: could not invalidate %s", scope, exc_info=True)


def kept_until_changed(key: str, load, *, scope: str = PAGES):
    """``load()``'s value, kept under ``key`` until ``scope`` is next bumped or the TTL passes: for
    data that the writes which bump the pages change too (a resource's hours and closures, read by
    every booking). The generation is read with the entry and before ``load`` runs, as for pages,
    so a value loaded while a change commits is stale from birth, never current. The cache
    unreachable or refusing, ``load()`` every time."""
    try:
        found = cache.get_many([key, *_GENERATION_KEYS.values()])
        number = _current_generations(found)[scope]
    except Exception:
        logger.warning("page cache: lookup of %s failed, loaded fresh", key, exc_info=True)
        return load()
    entry = found.get(key)
    if number is not None and entry is not None and entry[0] == number:
        return entry[1]
    value = load()
    if number is not None:
        try:
            cache.set(key, (number, value), settings.ESSAIM_PAGE_CACHE_SECONDS)
        except Exception:
            logger.warning("page cache: could not store %s", key, exc_info=True)
    return value


def _enabled() -> bool:
    return settings.ESSAIM_PAGE_CACHE


def _anonymous(request) -> bool:
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME not in cookies
        and _MESSAGES_COOKIE not in cookies
        and "HTTP_AUTHORIZATION" not in request.META
    )


def _key(request) -> str:
    query = sorted(parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True))
    raw = f"{request.scheme}://{request.get_host()}{request.path}?{query!r}"
    return "essaim:page-cache:page:" + hashlib.sha256(raw.encode()).hexdigest()


def _current_generations(found: dict) -> dict[str, int]:
    """The scopes' numbers from ``found`` (one ``get_many``), starting the missing ones."""
    missing = [scope for scope in SCOPES if found.get(_GENERATION_KEYS[scope]) is None]
    for scope in missing:
        cache.add(_GENERATION_KEYS[scope], time.time_ns(), None)
    if missing:
        found = {**found, **cache.get_many([_GENERATION_KEYS[scope] for scope in missing])}
    return {scope: found.get(_GENERATION_KEYS[scope]) for scope in SCOPES}


class PageCacheMiddleware:
    """Answers anonymous GET/HEAD of opted-in pages from the cache; stores their 200 answers."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not (
            _enabled()
            and request.method in ("GET", "HEAD")
            and not request.path.startswith(SKIPPED_PREFIXES)
            and _anonymous(request)
        ):
            return self.get_response(request)
        key = _key(request)
        try:
            found = cache.get_many([key, *_GENERATION_KEYS.values()])
            entry = found.get(key)
            generations = _current_generations(found)
        except Exception:
            logger.warning("page cache: lookup failed, page rendered fresh", exc_info=True)
            return self.get_response(request)
        if None in generations.values():  # the cache keeps nothing (full, or refusing): no entry can be checked
            return self.get_response(request)
        if entry is not None and all(generations[scope] == number for scope, number in entry["generations"].items()):
            return self._replay(request, entry)
        setattr(request, _LOOKUP, _Lookup(key=key, generations=generations))
        response = self.get_response(request)
        if request.method == "GET" and self._storable(request, response):
            try:
                self._store(request, response)
            except Exception:
                logger.warning("page cache: could not store %s", request.path, exc_info=True)
            else:
                response[STATUS_HEADER] = "miss"
        return response

    def _storable(self, request, response) -> bool:
        mark = getattr(request, _MARK, None)
        if mark is None or response.status_code != 200 or response.streaming:
            return False
        for name, values in request.GET.lists():
            if name not in mark.keyed or len(values) != 1 or not _KEYED_VALUE.fullmatch(values[0]):
                return False
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return False
        if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
            return False
        control = response.get("Cache-Control", "").lower()
        if "private" in control or "no-store" in control or "no-cache" in control:
            return False
        return "'nonce-" not in response.get("Content-Security-Policy", "")

    def _store(self, request, response) -> None:
        lookup: _Lookup = getattr(request, _LOOKUP)
        mark: _Mark = getattr(request, _MARK)
        body, tokens = _CSRF_INPUT.subn(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", response.content)
        headers = [
            (name, value)
            for name, value in response.items()
            if name.lower() not in ("content-length", "set-cookie", STATUS_HEADER.lower())
        ]
        entry = {
            "generations": {scope: lookup.generations[scope] for scope in mark.scopes},
            "headers": headers,
            "body": body,
            "csrf": bool(tokens),
        }
        cache.set(lookup.key, entry, settings.ESSAIM_PAGE_CACHE_SECONDS)

    def _replay(self, request, entry) -> HttpResponse:
        body = entry["body"]
        if entry["csrf"]:
            # The visitor's own token, from their cookie or a new one (the cookie set below), as
            # CsrfViewMiddleware does for any page that renders {% csrf_token %}.
            self.csrf.process_request(request)
            body = _PLACEHOLDER.sub(lambda _match: get_token(request).encode(), body)
        response = HttpResponse(body)
        for name, value in entry["headers"]:
            response[name] = value
        response[STATUS_HEADER] = "hit"
        if entry["csrf"]:
            self.csrf.process_response(request, response)
        return response
