"""Which demo network ``load_demo`` loads: the default French network, or the partner network
(``ESSAIM_DEMO=partner``) that a second node on the same machine serves, so that after pairing
the two nodes mirror different venues rather than the same ones twice.

A data set is a folder of JSON files read by the same loaders (``demo.network``, ``demo.events``,
``demo.programmes``), its demo accounts and its home page texts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DATA = Path(__file__).resolve().parent / "data"

#: The default network's accounts, printed in README.md. Never use these passwords anywhere real.
ACCOUNTS = {
    "admin": {"password": "admin-demo", "email": "admin@essaim.localhost", "superuser": True},
    "manager": {"password": "manager-demo", "email": "manager@essaim.localhost", "manages": "la-ruche-des-pentes"},
    "hub": {"password": "hub-demo", "email": "hub@essaim.localhost", "manages_kind": "social_business_center"},
    "entrepreneur": {"password": "entrepreneur-demo", "email": "entrepreneur@essaim.localhost"},
}

#: The partner network's accounts: the same names (so the README's steps read the same on both
#: nodes), other passwords (a session of one node is no use on the other anyway).
PARTNER_ACCOUNTS = {
    "admin": {"password": "admin-partner", "email": "admin@partner.essaim.localhost", "superuser": True},
    "manager": {
        "password": "manager-partner",
        "email": "manager@partner.essaim.localhost",
        "manages": "atelier-mile-end",
    },
    "hub": {
        "password": "hub-partner",
        "email": "hub@partner.essaim.localhost",
        "manages_kind": "social_business_center",
    },
    "entrepreneur": {"password": "entrepreneur-partner", "email": "entrepreneur@partner.essaim.localhost"},
}

HOME_FR = {
    "tagline": "Réservez un bureau, une salle ou une place à un événement dans les tiers-lieux, "
    "les totems French Tech et les social business centres du réseau.",
    "intro": "<p>Essaim ouvre les lieux du réseau aux entrepreneurs de l'innovation sociale : "
    "trouvez un lieu près de chez vous, réservez, venez travailler et rencontrer son écosystème.</p>",
}
HOME_EN = {
    "title": "Essaim — the third places network",
    "tagline": "Book a desk, a room or an event seat in the network's tiers-lieux, French Tech totems "
    "and social business centres.",
    "intro": "<p>Essaim opens the network's venues to social-innovation entrepreneurs: find a venue "
    "near you, book, come and work, and meet its ecosystem.</p>",
}

PARTNER_HOME_FR = {
    "tagline": "Les tiers-lieux et centres d'affaires sociales du Québec et d'Afrique de l'Ouest : "
    "réservez un poste, une salle ou une place à un événement, de Montréal à Cotonou.",
    "intro": "<p>Le réseau partenaire relie Montréal, Québec, Dakar, Abidjan, Ouagadougou, Cotonou et "
    "Lomé. Apparié à d'autres nœuds Essaim, il montre aussi leurs lieux : réservez-les d'ici.</p>",
}
PARTNER_HOME_EN = {
    "title": "Essaim — the partner network",
    "tagline": "Third places and social business centres in Québec and West Africa: book a desk, a room "
    "or an event seat, from Montréal to Cotonou.",
    "intro": "<p>The partner network links Montréal, Québec City, Dakar, Abidjan, Ouagadougou, Cotonou "
    "and Lomé. Paired with other Essaim nodes, it shows their venues too: book them from here.</p>",
}


@dataclass(frozen=True)
class DemoSet:
    name: str
    folder: Path
    accounts: dict = field(hash=False)
    home_fr: dict = field(hash=False)
    home_en: dict = field(hash=False)
    #: A hint ``load_demo`` prints after loading (which environment this demo expects).
    hint: str = ""

    def read(self, name: str):
        return json.loads((self.folder / name).read_text(encoding="utf-8"))


SETS = {
    "": DemoSet("default", DATA, ACCOUNTS, HOME_FR, HOME_EN),
    "partner": DemoSet(
        "partner",
        DATA / "partner",
        PARTNER_ACCOUNTS,
        PARTNER_HOME_FR,
        PARTNER_HOME_EN,
        hint="partner network loaded: name this node, e.g. ESSAIM_NODE_NAME='Essaim Québec–Afrique de l'Ouest', "
        "and give it its own ESSAIM_NODE_URL (http://127.0.0.1:8001 beside node A)",
    ),
}


def current() -> DemoSet:
    """The data set ``ESSAIM_DEMO`` names (empty: the default network)."""
    return by_name(settings.ESSAIM_DEMO)


@cache
def by_name(name: str) -> DemoSet:
    key = "" if name in ("", "default") else name
    if key not in SETS:
        raise ImproperlyConfigured(f"ESSAIM_DEMO={name!r}: expected '' (the default network) or 'partner'.")
    return SETS[key]
