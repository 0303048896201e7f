"""What a venue page shows, computed from the page's data alone: hours table, profile, JSON-LD.

No clock and no queries beyond the venue's own relations, so page rendering stays predictable.
"""

import json

from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.localized import LocalText
from venues import vocabulary

SCHEMA_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def opening_hours_table(rows) -> list[tuple[str, list]]:
    """Seven rows, Monday first: ``(day name, [(opens, closes), …])``; an empty list is closed."""
    spans: dict[int, list] = {day: [] for day in range(7)}
    for row in sorted(rows, key=lambda r: (r.weekday, r.opens)):
        spans[row.weekday].append((row.opens, row.closes))
    if not any(spans.values()):
        return []
    return [(vocabulary.WeekDay(day).label, spans[day]) for day in range(7)]


#: The venue's own words, written again in each translation (the rest are facts of the canonical page).
TRANSLATED_TEXTS = ("summary", "accessibility", "opening_hours_note")


def texts(page, facts) -> dict[str, LocalText]:
    """The venue's words in this page's language where its translation has them, else the
    canonical page's, each with its language (the page marks the ones not in its own). A field a
    translation still holds as the original was copied, not translated."""
    language = page.locale.language_code
    found = {}
    for name in TRANSLATED_TEXTS:
        own, original = getattr(page, name), getattr(facts, name)
        if page.pk == facts.pk or (own and own != original):
            found[name] = LocalText(own, language)
        else:
            found[name] = LocalText(original, settings.LANGUAGE_CODE)
    return found


def profile(venue) -> list[tuple[str, str]]:
    """The fields proper to the venue's kind, as (label, value) pairs for a definition list."""
    kind = venue.KIND
    items: list[tuple[str, str]] = []
    if kind == vocabulary.KIND_TIERS_LIEU:
        items = [
            (_("Category"), venue.get_category_display()),
            (_("Ecosystem"), venue.ecosystem),
            (_("Operator"), venue.operator),
        ]
    elif kind == vocabulary.KIND_TOTEM:
        items = [
            (_("French Tech community"), venue.french_tech_community),
            (_("Start-ups hosted"), "" if venue.startups_hosted is None else str(venue.startups_hosted)),
        ]
    elif kind == vocabulary.KIND_SOCIAL_BUSINESS_CENTER:
        items = [
            (_("Host organisation"), venue.host_organisation),
            (_("Working languages"), ", ".join(venue.working_language_codes)),
            (_("Partner networks"), "\n".join(venue.partner_network_list)),
        ]
    return [(label, value) for label, value in items if value]


def jsonld(*, venue, facts, url: str, hours) -> str:
    """schema.org ``Place`` for search engines, ready to put in a ``<script>`` element."""
    data = {
        "@context": "https://schema.org",
        "@type": "Place",
        "name": venue.title,
        "url": url,
        "description": venue.summary or None,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": facts.street_address or None,
            "postalCode": facts.postcode or None,
            "addressLocality": facts.city,
            "addressRegion": facts.region or None,
            "addressCountry": facts.country.code,
        },
        "telephone": facts.phone or None,
        "email": facts.email or None,
        "sameAs": facts.website or None,
        "isAccessibleForFree": None,
        "amenityFeature": [
            {"@type": "LocationFeatureSpecification", "name": str(amenity), "value": True}
            for amenity in facts.amenities.all()
        ]
        or None,
        "openingHoursSpecification": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": f"https://schema.org/{SCHEMA_DAYS[row.weekday]}",
                "opens": f"{row.opens:%H:%M}",
                "closes": f"{row.closes:%H:%M}",
            }
            for row in hours
        ]
        or None,
    }
    if facts.has_coordinates:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": facts.latitude, "longitude": facts.longitude}
    data = {key: value for key, value in data.items() if value is not None}
    data["address"] = {key: value for key, value in data["address"].items() if value is not None}
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308 - escaped above
