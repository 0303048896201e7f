"""The demo network: the site, ~50 venues with real coordinates, and four demo accounts.

Loading is idempotent: venues are matched by slug, accounts by username, so ``make run`` can
call it on every start. The data lives in ``demo/data/venues.json`` (the partner network's in
``demo/data/partner/``, see ``demo.dataset``); nothing needs the network.
"""

import logging
from dataclasses import dataclass, field
from datetime import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.models import Locale
from wagtail.rich_text import RichText

from accounts.services import profiles as profile_services
from cms import services as cms_services
from demo import dataset
from venues import services as venue_services
from venues.models import VENUE_MODELS, Amenity, Label, VenuePage

logger = logging.getLogger(__name__)

#: The default network's accounts (``demo.dataset``); ``load_demo`` uses the current data set's.
ACCOUNTS = dataset.ACCOUNTS
HOME_FR, HOME_EN = dataset.HOME_FR, dataset.HOME_EN


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    existing: int = 0
    accounts: list[str] = field(default_factory=list)


def load_entries(limit: int | None = None, data: dataset.DemoSet | None = None) -> list[dict]:
    entries = (data or dataset.current()).read("venues.json")
    return entries[:limit] if limit else entries


def _fields(entry: dict, language: str) -> dict:
    """The page fields of one demo entry, in the given language for the texts."""
    model = VENUE_MODELS[entry["kind"]]
    fields = {
        "title": entry["name"],
        "slug": entry["slug"],
        "summary": entry.get(f"summary_{language}", ""),
        "body": [("paragraph", RichText(f"<p>{entry.get(f'description_{language}', '')}</p>"))],
    }
    shared = [
        "street_address",
        "postcode",
        "city",
        "region",
        "country",
        "latitude",
        "longitude",
        "timezone",
        "wheelchair_accessible",
        "accessibility",
        "email",
        "phone",
        "website",
    ]
    kind_fields = [f.name for f in model._meta.get_fields() if getattr(f, "model", None) is model and f.concrete]
    for name in shared + [name for name in kind_fields if name in entry]:
        if name in entry:
            fields[name] = entry[name]
    return fields


def load_demo(*, limit: int | None = None, translate: bool = True, data: dataset.DemoSet | None = None) -> DemoReport:
    """The site, the venues of ``data`` (default: ``ESSAIM_DEMO``'s) and its accounts."""
    data = data or dataset.current()
    report = DemoReport()
    tree = cms_services.site_setup(
        home_fields=data.home_fr,
        translations={"en": {"home": data.home_en, "directory": {"title": "Venues", "slug": "venues"}}}
        if translate
        else None,
    )
    amenities = {row.code: row for row in Amenity.objects.all()}
    labels = {row.code: row for row in Label.objects.all()}
    existing = set(VenuePage.objects.filter(locale=tree.directory.locale).values_list("slug", flat=True))
    english = Locale.objects.filter(language_code="en").first()
    for entry in load_entries(limit, data):
        if entry["slug"] in existing:
            report.existing += 1
            continue
        with transaction.atomic():  # each venue whole or not at all; a rerun picks up the rest
            _load_venue(entry, tree, amenities, labels, english if translate else None)
        report.created.append(entry["slug"])
    report.accounts = _accounts(tree, data.accounts)
    return report


def _load_venue(entry: dict, tree, amenities: dict, labels: dict, english) -> None:
    venue = venue_services.venue_create(
        directory=tree.directory,
        model=VENUE_MODELS[entry["kind"]],
        amenities=[amenities[code] for code in entry.get("amenities", [])],
        labels=[labels[code] for code in entry.get("labels", [])],
        opening_hours=[
            (day, time.fromisoformat(opens), time.fromisoformat(closes))
            for day, opens, closes in entry.get("opening_hours", [])
        ],
        **_fields(entry, "fr"),
    )
    if english is not None and entry.get("summary_en"):  # some partner venues are in French only
        english_fields = _fields(entry, "en")
        venue_services.venue_translate(
            venue=venue, language="en", summary=english_fields["summary"], body=english_fields["body"]
        )


def _accounts(tree, accounts: dict) -> list[str]:
    User = get_user_model()
    names = []
    for username, spec in accounts.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=spec["email"], is_staff=spec.get("superuser", False))
            user.is_superuser = spec.get("superuser", False)
            user.set_password(spec["password"])
            user.save()
        profile_services.email_mark_verified(user)
        if "manages" in spec:
            venue = VenuePage.objects.filter(slug=spec["manages"], locale=tree.directory.locale).first()
            if venue is not None:
                venue_services.venue_manager_assign(venue=venue.specific, user=user)
        if "manages_kind" in spec:
            model = VENUE_MODELS[spec["manages_kind"]]
            for venue in model.objects.filter(locale=tree.directory.locale):
                venue_services.venue_manager_assign(venue=venue, user=user)
        if spec.get("superuser"):
            user.groups.add(Group.objects.get(name=cms_services.NETWORK_ADMINS))
        names.append(username)
    return names
