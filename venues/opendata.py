"""Open data: the directory as CSV, JSON and GeoJSON under the Licence Ouverte / Open Licence 2.0.

One list of columns (``COLUMNS``) drives the three files and the Table Schema published beside
them (``/open-data/schema.json``), the format schema.data.gouv.fr uses, so a public data portal
can validate and take the files as they are.
"""

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag

from core.formatting import csv_safe
from venues import selectors

LICENCE = "Licence Ouverte / Open Licence 2.0 (Etalab)"
LICENCE_URL = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
LICENCE_ID = "etalab-2.0"


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Table Schema type
    description: str
    example: str = ""


COLUMNS = [
    Column("id", "integer", "Identifiant du lieu sur ce nœud (stable).", "42"),
    Column("slug", "string", "Identifiant lisible, utilisé dans les adresses web.", "la-ruche-des-pentes"),
    Column("name", "string", "Nom du lieu.", "La Ruche des Pentes"),
    Column("kind", "string", "Type : tiers_lieu, totem ou social_business_center.", "tiers_lieu"),
    Column("summary", "string", "Présentation courte.", ""),
    Column("street_address", "string", "Numéro et voie.", "12 rue des Tanneurs"),
    Column("postcode", "string", "Code postal.", "69001"),
    Column("city", "string", "Commune.", "Lyon"),
    Column("region", "string", "Région.", "Auvergne-Rhône-Alpes"),
    Column("country", "string", "Pays, code ISO 3166-1 alpha-2.", "FR"),
    Column("latitude", "number", "Latitude WGS 84 (degrés décimaux).", "45.7676"),
    Column("longitude", "number", "Longitude WGS 84 (degrés décimaux).", "4.8344"),
    Column("timezone", "string", "Fuseau horaire IANA des horaires du lieu.", "Europe/Paris"),
    Column("labels", "string", "Labels du réseau, séparés par « ; ».", "ecosysteme_champion"),
    Column("amenities", "string", "Équipements, codes séparés par « ; ».", "wifi;meeting_rooms"),
    Column("opening_hours", "string", "Horaires au format OpenStreetMap opening_hours.", "Mo-Fr 09:00-19:00"),
    Column("wheelchair_accessible", "boolean", "Accès de plain-pied (true/false).", "true"),
    Column("website", "string", "Site web du lieu.", ""),
    Column("email", "string", "Courriel de contact.", ""),
    Column("phone", "string", "Téléphone.", ""),
    Column("url", "string", "Page du lieu sur le réseau.", ""),
    Column("origin", "string", "Adresse du nœud Essaim qui publie le lieu.", ""),
    Column("updated_at", "datetime", "Dernière publication (ISO 8601, UTC).", ""),
]
FIELDNAMES = [column.name for column in COLUMNS]
#: Text columns: in the CSV their formula-like values are neutralised (``csv_safe``, as the admin's CSVs).
TEXT_COLUMNS = [column.name for column in COLUMNS if column.type == "string"]
#: What the Table Schema and the open-data page say of it: a CSV opened in a spreadsheet must not
#: run a formula that a venue's manager typed as its summary or name.
CSV_FORMULA_NOTE = (
    "Dans le CSV, un texte qui commence par =, +, -, @, une tabulation ou un retour chariot est "
    "précédé d'une apostrophe (') pour qu'un tableur ne l'exécute pas comme une formule ; "
    "les fichiers JSON et GeoJSON donnent le texte tel quel."
)
OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]


def osm_opening_hours(rows: list[tuple[int, str, str]]) -> str:
    """Opening hours in OpenStreetMap's syntax: days with the same hours share a rule."""
    by_day: dict[int, list[str]] = {}
    for weekday, opens, closes in sorted(rows):
        by_day.setdefault(weekday, []).append(f"{opens}-{closes}")
    rules: list[tuple[list[int], str]] = []
    for weekday in sorted(by_day):
        spans = ",".join(by_day[weekday])
        if rules and rules[-1][1] == spans and rules[-1][0][-1] == weekday - 1:
            rules[-1][0].append(weekday)
        else:
            rules.append(([weekday], spans))
    parts = []
    for days, spans in rules:
        day = OSM_DAYS[days[0]] if len(days) == 1 else f"{OSM_DAYS[days[0]]}-{OSM_DAYS[days[-1]]}"
        parts.append(f"{day} {spans}")
    return "; ".join(parts)


def rows(request) -> list[dict]:
    """One flat dict per venue, in ``COLUMNS`` order; the same data as the directory."""
    venues = selectors.venues_prefetch(list(selectors.own_venues_queryset().order_by("pk")))
    hours = selectors.opening_hours_by_venue([venue.pk for venue in venues])
    result = []
    for venue in venues:
        result.append(
            {
                "id": venue.pk,
                "slug": venue.slug,
                "name": venue.title,
                "kind": selectors.venue_kind_for_content_type(venue.content_type_id),
                "summary": venue.summary,
                "street_address": venue.street_address,
                "postcode": venue.postcode,
                "city": venue.city,
                "region": venue.region,
                "country": venue.country.code,
                "latitude": venue.latitude,
                "longitude": venue.longitude,
                "timezone": venue.timezone,
                "labels": ";".join(sorted(label.code for label in venue.labels.all())),
                "amenities": ";".join(sorted(amenity.code for amenity in venue.amenities.all())),
                "opening_hours": osm_opening_hours(hours.get(venue.pk, [])),
                "wheelchair_accessible": venue.wheelchair_accessible,
                "website": venue.website,
                "email": venue.email,
                "phone": venue.phone,
                "url": request.build_absolute_uri(venue.get_url(request)),
                "origin": settings.ESSAIM_NODE_URL,
                "updated_at": (venue.last_published_at or venue.first_published_at or timezone.now()).isoformat(),
            }
        )
    return result


def table_schema() -> dict:
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "name": "essaim-lieux",
        "title": "Lieux du réseau Essaim (tiers-lieux, totems French Tech, social business centres)",
        "description": CSV_FORMULA_NOTE,
        "licenses": [{"name": LICENCE_ID, "title": LICENCE, "path": LICENCE_URL}],
        "fields": [
            {"name": c.name, "type": c.type, "description": c.description, "example": c.example} for c in COLUMNS
        ],
        "primaryKey": ["id"],
        "missingValues": [""],
    }


def render(fmt: str, data: list[dict]) -> tuple[str, str]:
    generated = timezone.now().isoformat()
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=FIELDNAMES, lineterminator="\r\n")
        writer.writeheader()
        for row in data:
            texts = {name: csv_safe(row[name]) for name in TEXT_COLUMNS}
            accessible = "true" if row["wheelchair_accessible"] else "false"
            writer.writerow({**row, **texts, "wheelchair_accessible": accessible})
        return buffer.getvalue(), "text/csv; charset=utf-8"
    meta = {
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "source": settings.ESSAIM_NODE_URL,
        "generated_at": generated,
    }
    if fmt == "json":
        return json.dumps(
            {**meta, "schema": "/open-data/schema.json", "venues": data}, ensure_ascii=False
        ), "application/json"
    if fmt == "geojson":
        features = [
            {
                "type": "Feature",
                "id": row["id"],
                "geometry": (
                    {"type": "Point", "coordinates": [row["longitude"], row["latitude"]]}
                    if row["latitude"] is not None
                    else None
                ),
                "properties": row,
            }
            for row in data
        ]
        body = {"type": "FeatureCollection", **meta, "features": features}
        return json.dumps(body, ensure_ascii=False), "application/geo+json"
    if fmt == "schema.json":
        return json.dumps(table_schema(), ensure_ascii=False, indent=2), "application/json"
    raise ValueError(fmt)


def response(request, fmt: str) -> HttpResponse:
    """The file, with an ETag over its data so that harvesters can ask "changed since?"."""
    data = rows(request) if fmt != "schema.json" else []
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
    etag = quote_etag(f"{fmt}-{digest}")
    updated = max((row["updated_at"] for row in data), default=None)
    # Whole seconds: HTTP dates have no fractions, so an If-Modified-Since could never match otherwise.
    last_modified = int(datetime.fromisoformat(updated).timestamp()) if updated else None
    # Django's conditional logic: weak validators and lists of ETags, If-Modified-Since.
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        not_modified["ETag"] = etag
        return not_modified
    body, content_type = render(fmt, data)
    result = HttpResponse(body, content_type=content_type)
    result["ETag"] = etag
    result["Access-Control-Allow-Origin"] = "*"
    result["Link"] = f'<{LICENCE_URL}>; rel="license"'
    if last_modified:
        result["Last-Modified"] = http_date(last_modified)
    if fmt != "schema.json":
        result["Content-Disposition"] = f'inline; filename="essaim-venues.{fmt}"'
    return result
