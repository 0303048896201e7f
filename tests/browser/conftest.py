"""Browser tests: Debian's Chromium (headless) driven by Playwright against pytest-django's live server.

How the pieces fit:

- The live server (``live_server``, session-scoped) runs Django in a thread of this process and
  shares the test database; pytest-django makes every test that uses it transactional, so data
  made in the test is committed and visible to the server.
- Transactional tests end with a flush of every table, which would also wipe the rows migrations
  made (Wagtail's root page and locale, the amenity and label vocabulary…). Each browser test
  therefore asks for ``django_db_serialized_rollback``, which puts serialised rows back before the
  test. Those rows are a snapshot taken once per session by ``_db_snapshots``: the migrated
  database plus the site tree and the small ``NETWORK`` of venues, made with the same services as
  the shared fixtures (``site_setup``, ``venue_create``). Restoring that snapshot takes a fraction
  of a second where making the pages again (revisions, publishing, teams) took two or three.
  After the last browser test, ``_migrated_rows_back`` puts the *migrated* rows back and gives
  the connection its original snapshot again, so the transactional tests that run later
  (pytest-django runs transactional tests last) find the database as migrated.
- Playwright's sync API leaves an asyncio loop *running* in the main thread for the whole
  session. Two consequences:
  * Django refuses ORM calls when it sees a running loop; ``DJANGO_ALLOW_ASYNC_UNSAFE`` lifts
    that. It is set for the whole process because the Playwright session outlives these tests
    (transactional tests in other folders run after them, still under the loop).
  * Django keeps its connections in a thread-critical ``asgiref.local.Local``, which switches to
    a context-variable storage as soon as a loop runs: from then on the main thread gets a fresh
    connection object, without the ``_test_serialized_contents`` that serialized rollback looks
    for (it was set on the object that created the database), and every test after the first
    would start from an empty database. ``_db_snapshots`` runs after Playwright started and sets
    it on the connection the tests actually use; ``_migrated_rows_back`` closes both objects'
    connections, or PostgreSQL refuses to drop the test database at the end.
- pytest-socket (``--allow-hosts=127.0.0.1,::1`` in pyproject) needs nothing here: the server
  *binds* a socket (allowed), Chromium is another process that pytest-socket cannot see, and
  Playwright talks to its driver over pipes. No ``enable_socket`` is used.
- Chromium may only reach the live server: every other request (map tiles from
  tile.openstreetmap.org, Wagtail's Gravatar avatars, anything else) is aborted and recorded in
  ``blocked_requests``.
- Every page a browser test opens reports its Content-Security-Policy violations (the
  ``securitypolicyviolation`` event and Chromium's "Content Security Policy" console errors) to
  ``csp_violations``; a test whose pages broke the policy fails at teardown.
- Every page a browser test opens is checked with axe-core (``axe_violations``): axe is added to
  each top-level document by an init script (so the page's CSP does not apply), runs once the page
  has loaded, and again at the end of the test on each page still open whose DOM changed since.
  A serious or critical violation fails the test at teardown, naming the rule, its impact, the
  page and the elements. Contexts made with ``java_script_enabled=False`` are not checked, nor
  pages of other origins than the live server's (a test's stand-in for another site).
- Screenshots for humans go to /tmp/essaim-shots/ (``shot`` fixture); nothing asserts on them.
"""

import functools
import json
import os
import statistics
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from playwright.sync_api import Error as PlaywrightError
from wagtail.models import Page

from sites.celery import app as celery_app
from tests.browser.support import ENTREPRENEUR, PASSWORD
from tests.support.factories import UserFactory, VenueFactory, site_tree
from venues.models import VenuePage

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SHOTS = Path("/tmp/essaim-shots")
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    """Replaces pytest-playwright's own ``base_url`` (a method fixture that pytest 9 warns about)."""
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


def _creator_connection(alias):
    """The connection object of the main thread's own (loop-less) storage: the one that created
    the test database when Playwright's loop was not running yet; ``None`` if there is none."""
    try:
        thread_storage = object.__getattribute__(connections._connections, "_storage")
    except AttributeError:  # asgiref or Django internals changed
        return None
    return getattr(thread_storage, alias, None)


def _serialized_contents(alias, django_db_blocker):
    """The migrated content Django serialised when it created the test database for ``alias``."""
    here = connections[alias]
    contents = getattr(here, "_test_serialized_contents", None)
    if contents is None:
        contents = getattr(_creator_connection(alias), "_test_serialized_contents", None)
    if contents is None:
        # Not found (internals changed?): serialise now; before the first browser test the
        # database is as migrated, since non-transactional tests roll back and run first.
        with django_db_blocker.unblock():
            contents = here.creation.serialize_db_to_string()
    return contents


_WEEK = [(day, "09:00", "18:00") for day in range(5)]
#: A small network: 3 tiers-lieux, 1 totem, 2 social business centres (one in Dakar).
NETWORK = {
    "ruche": (
        "tiers_lieu",
        {
            "title": "La Ruche des Pentes",
            "slug": "la-ruche-des-pentes",
            "street_address": "12 montée de la Grande-Côte",
            "postcode": "69001",
            "city": "Lyon",
            "latitude": 45.7700,
            "longitude": 4.8290,
            "summary": "Coworking et fab lab sur les pentes de la Croix-Rousse.",
            "amenities": ("wifi", "meeting_rooms", "fab_lab"),
            "opening_hours": _WEEK,
        },
    ),
    "villefranche": (
        "tiers_lieu",
        {
            "title": "Le Grenier de Villefranche",
            "slug": "grenier-villefranche",
            "city": "Villefranche-sur-Saône",
            "postcode": "69400",
            "latitude": 45.9897,
            "longitude": 4.7186,
        },
    ),
    "stetienne": (
        "tiers_lieu",
        {
            "title": "La Fabrique stéphanoise",
            "slug": "fabrique-stephanoise",
            "city": "Saint-Étienne",
            "postcode": "42000",
            "latitude": 45.4397,
            "longitude": 4.3872,
        },
    ),
    "grenoble": (
        "totem",
        {
            "title": "Totem Grenoble Alpes",
            "slug": "totem-grenoble",
            "city": "Grenoble",
            "postcode": "38000",
            "latitude": 45.1885,
            "longitude": 5.7245,
            "french_tech_community": "French Tech in the Alps",
        },
    ),
    "villeurbanne": (
        "social_business_center",
        {
            "title": "Centre social business Villeurbanne",
            "slug": "sbc-villeurbanne",
            "city": "Villeurbanne",
            "postcode": "69100",
            "latitude": 45.7719,
            "longitude": 4.8902,
        },
    ),
    "dakar": (
        "social_business_center",
        {
            "title": "Dakar Social Business Hub",
            "slug": "dakar-hub",
            "street_address": "Route de la Corniche Ouest",
            "city": "Dakar",
            "country": "SN",
            "latitude": 14.6928,
            "longitude": -17.4467,
            "timezone": "Africa/Dakar",
            "amenities": ("wifi", "cafe"),
            "opening_hours": [(day, "08:30", "17:00") for day in range(6)],
        },
    ),
}


def _make_network():
    """The site tree and ``NETWORK``, by the factories (as ``site_tree`` and ``make_venue`` do):
    France and Paris time unless said, opening hours only where given."""
    directory = site_tree().directory
    for kind, spec in NETWORK.values():
        VenueFactory(**({"kind": kind, "directory": directory, "opening_hours": ()} | spec))


@pytest.fixture(scope="session")
def _db_snapshots(django_db_setup, django_db_blocker, playwright):
    """Once per session, after Playwright started its loop: the migrated rows, then the network's.

    The connection's ``_test_serialized_contents`` becomes the network's snapshot, so that each
    browser test (serialized rollback) starts with the site and its venues already there.
    """
    migrated = {alias: _serialized_contents(alias, django_db_blocker) for alias in connections}
    connection = connections["default"]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_db_blocker.unblock():
            if Page.get_first_root_node() is None:  # a transactional test flushed the tables before us
                connection.creation.deserialize_db_from_string(migrated["default"])
            _make_network()
            network = connection.creation.serialize_db_to_string()
    finally:
        celery_app.conf.task_always_eager = eager
    connection._test_serialized_contents = network
    return {"migrated": migrated, "network": network}


@pytest.fixture(autouse=True)
def _browser_db(_db_snapshots, django_db_serialized_rollback, live_server):
    """Every browser test: transactional (live server), starting from the network's snapshot."""


@pytest.fixture(scope="package", autouse=True)
def _migrated_rows_back(_db_snapshots, django_db_blocker):
    """After the last browser test (whose flush left the tables empty): the migrated rows again."""
    yield
    with django_db_blocker.unblock():
        for alias, contents in _db_snapshots["migrated"].items():
            connection = connections[alias]
            connection._test_serialized_contents = contents
            if not ContentType.objects.using(alias).exists():
                connection.creation.deserialize_db_from_string(contents)
            # Leave no session open on PostgreSQL, or the test database cannot be dropped at the
            # end: neither this connection nor the one that created the database (see above).
            connection.close()
            creator = _creator_connection(alias)
            if creator is not None and creator is not connection:
                creator.close()


@pytest.fixture
def network():
    """``{key: venue}`` for ``NETWORK``, fresh from the database (the snapshot put them there)."""
    pages = {page.slug: page for page in VenuePage.objects.filter(locale__language_code="fr").specific()}
    return {key: pages[spec["slug"]] for key, (_kind, spec) in NETWORK.items()}


@pytest.fixture
def blocked_requests():
    return []


#: Runs in every frame before the page's own scripts (Playwright init scripts are not subject to the CSP).
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.essaimCspViolation(
    `${e.effectiveDirective} refused ${e.blockedURI || "inline"} on ${document.location.href}` +
    ` (${e.sourceFile || "?"}:${e.lineNumber}): ${e.sample || ""}`
  );
});
"""


@pytest.fixture
def csp_violations():
    """The CSP violations of every page the test's browser contexts opened; none allowed."""
    found = []
    yield found
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)


AXE_SOURCE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
#: Parts of pages axe leaves out: only what is not ours and cannot be fixed here, each with its reason.
AXE_EXCLUDE = [
    # Wagtail's date-time picker (the vendored jQuery xdsoft plugin): its month arrows and "today"
    # are icon-only buttons with no name; the field itself is labelled and typed dates work.
    ".xdsoft_datetimepicker",
    # Draftail's editable area (Wagtail's rich text): Wagtail labels the field but not the editor's
    # role="textbox" inside it.
    ".public-DraftEditor-content",
]
#: Pages axe skips: Swagger UI (drf-spectacular-sidecar's bundle) at the API docs, whose colours,
#: nested controls and missing lang are the bundle's own (developers' page, not the product's).
AXE_SKIP_PATHS = ("/api/v1/docs/",)
#: Per-page axe run times (ms), for the summary at the end of the session.
AXE_TIMINGS: list[float] = []

#: The init script's tail, after axe's source: runs axe on load (top-level documents only) and
#: keeps a flag of DOM changes since, so that the end-of-test check skips unchanged pages.
_AXE_RUNNER = """
(() => {
  if (window.top !== window || !window.axe) { return; }
  const options = {resultTypes: ["violations"]};
  const context = {exclude: %(exclude)s};
  let running = Promise.resolve(null);
  let changed = true;
  const serious = (result) => result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 8).map((n) => ({
      target: n.target.join(" "),
      summary: (n.failureSummary || "").split("\\n").slice(1, 3).map((line) => line.trim()).join("; "),
    }))}));
  window.essaimAxeRun = () => {
    running = running.catch(() => null).then(async () => {
      changed = false;
      // Let finite animations end first (Wagtail's messages fade in: white text on a colour still
      // pale halfway), for one second at most.
      const ending = document.getAnimations()
        .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => null));
      await Promise.race([Promise.all(ending), new Promise((resolve) => setTimeout(resolve, 1000))]);
      const started = performance.now();
      const result = await window.axe.run(context.exclude.length ? context : document, options);
      return {url: location.href, ms: performance.now() - started, violations: serious(result)};
    });
    return running;
  };
  // At the end of a test: once the run under way (if any) has ended, whether the DOM changed since.
  window.essaimAxeChanged = () => running.catch(() => null).then(() => changed);
  window.addEventListener("load", () => {
    new MutationObserver(() => { changed = true; }).observe(document.documentElement,
      {subtree: true, childList: true, attributes: true, characterData: true});
    setTimeout(() => window.essaimAxeRun().then(window.essaimAxeReport, (e) => window.essaimAxeReport(
      {url: location.href, ms: 0, violations: [], error: String(e)})), 0);
  });
})();
"""


_CHANGED_SINCE_CHECK = "() => window.essaimAxeChanged ? window.essaimAxeChanged() : false"


@functools.cache
def _axe_init_script() -> str:
    return (
        "if (window.top === window) {\n"
        + AXE_SOURCE.read_text(encoding="utf-8")
        + "\n}\n"
        + _AXE_RUNNER % {"exclude": json.dumps(AXE_EXCLUDE)}
    )


class AxeViolations(list):
    """The serious and critical axe violations of a test's pages, one line each; none allowed.

    ``record(report)`` adds an in-page report ({url, ms, violations}); ``check(page)`` runs axe on
    a page now and records what it finds (tests may call it after changing a page)."""

    def __init__(self, origin: str):
        super().__init__()
        self.origin = origin
        self.seen = set()
        self.errors = []

    def record(self, report: dict) -> None:
        if not report["url"].startswith(self.origin + "/"):
            return  # not ours: another site the test visits (the stand-in ProConnect of the OIDC tests)
        if urlsplit(report["url"]).path.startswith(AXE_SKIP_PATHS):
            return
        if report.get("error"):
            self.errors.append(f"axe could not run on {report['url']}: {report['error']}")
            return
        AXE_TIMINGS.append(report["ms"])
        path = urlsplit(report["url"])
        where = path.path + (f"?{path.query}" if path.query else "")
        for violation in report["violations"]:
            for node in violation["nodes"]:
                key = (where, violation["id"], node["target"])
                if key in self.seen:
                    continue
                self.seen.add(key)
                self.append(
                    f"{violation['id']} ({violation['impact']}) on {where} at {node['target']!r}: "
                    f"{violation['help']}" + (f" — {node['summary']}" if node["summary"] else "")
                )

    def check(self, page) -> None:
        if page.is_closed() or not page.evaluate("() => typeof window.essaimAxeRun === 'function'"):
            return
        self.record(page.evaluate("() => window.essaimAxeRun()"))


@pytest.fixture
def axe_violations(live_server):
    """The serious or critical axe-core violations of every page of the live server the test's
    contexts opened."""
    found = AxeViolations(live_server.url)
    yield found
    problems = found.errors + list(found)
    assert not problems, (
        f"axe-core found {len(found)} serious or critical accessibility violation(s) "
        "(rule (impact) on page at element: what to fix; see https://dequeuniversity.com/rules/axe/):\n"
        + "\n".join(problems)
    )


BROWSER_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects
def pytest_collection_modifyitems(config, items):
    """Every test in tests/browser is a browser test, marked or not: one that forgot its marker ran
    in CI's parallel step, and Playwright's event loop, left running in that worker's thread, broke
    a later test's ``async_to_sync`` there."""
    for item in items:
        if BROWSER_DIR in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.browser)


def pytest_terminal_summary(terminalreporter):
    if AXE_TIMINGS:
        terminalreporter.write_line(
            f"axe-core: {len(AXE_TIMINGS)} page checks, median {statistics.median(AXE_TIMINGS):.0f} ms, "
            f"max {max(AXE_TIMINGS):.0f} ms"
        )


@pytest.fixture
def make_context(new_context, blocked_requests, csp_violations, axe_violations):
    """``make_context(**options)``: a browser context that can only reach the live server and
    reports the CSP violations and the serious accessibility violations (axe-core) of its pages."""
    contexts = []

    def on_violation(report: str) -> None:
        csp_violations.append(report)

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            csp_violations.append(f"console: {message.text}")

    def only_local(route):
        url = route.request.url
        if (urlsplit(url).hostname or "") in LOCAL_HOSTS or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked_requests.append(url)
            route.abort()

    def make(**options):
        ctx = new_context(**options)
        ctx.route("**/*", only_local)
        ctx.expose_function("essaimCspViolation", on_violation)
        ctx.add_init_script(_REPORT_CSP_VIOLATIONS)
        if options.get("java_script_enabled", True):
            ctx.expose_function("essaimAxeReport", axe_violations.record)
            ctx.add_init_script(_axe_init_script())
            contexts.append(ctx)
        ctx.on("console", on_console)
        ctx.set_default_timeout(10_000)
        return ctx

    yield make
    # The pages as the test left them: checked again where their DOM changed after the load check.
    for ctx in contexts:
        for page in ctx.pages:
            try:
                if not page.is_closed() and page.evaluate(_CHANGED_SINCE_CHECK):
                    axe_violations.check(page)
            except PlaywrightError as error:  # the page closed or navigated as the test ended
                if not any(word in str(error) for word in ("closed", "navigat", "destroyed")):
                    raise


@pytest.fixture
def context(make_context):
    return make_context()


@pytest.fixture
def shot(request):
    """``shot(page)`` saves a full-page screenshot to /tmp/essaim-shots/<test>[-<suffix>].png."""

    def take(page, suffix=""):
        SHOTS.mkdir(parents=True, exist_ok=True)
        name = request.node.name.replace("/", "_") + (f"-{suffix}" if suffix else "")
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def entrepreneur(settings):
    """Camille, who books in the browser tests (``support.log_in``); a fast hasher for the logins."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return UserFactory(username=ENTREPRENEUR, password=PASSWORD)
