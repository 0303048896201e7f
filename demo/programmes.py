"""The demo's international programme: Dakar's hub publishes a week of sessions at three venues
(itself, a Lyon tiers-lieu and Montréal's centre), translated to English with wagtail-localize.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource

from demo import dataset
from demo.registrations import write_registrations
from events import selectors
from events.models import ProgrammePage
from events.services import programme_page_create


def programme_spec(data: dataset.DemoSet | None = None) -> dict:
    """``{"slug", "hub", "title", "summary", "intro", "english", "sessions": [...]}`` of a data set."""
    return (data or dataset.current()).read("programme.json")


#: The default network's programme.
PROGRAMME = programme_spec(dataset.by_name(""))


def load_programme(venues: dict, english, people: list, now: datetime, report, *, spec: dict | None = None) -> bool:
    """The data set's international programme across three venues, translated, with registrations."""
    spec = spec or PROGRAMME
    hub = venues.get(spec["hub"])
    sessions = [session for session in spec["sessions"] if session["venue"] in venues]
    if hub is None or len(sessions) < len(spec["sessions"]):
        report.skipped.append(spec["slug"])
        return False
    if ProgrammePage.objects.filter(slug=spec["slug"], locale__language_code=settings.LANGUAGE_CODE).exists():
        report.existing += 1
        return False
    with transaction.atomic():
        programme = programme_page_create(
            hub=hub,
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            intro=spec["intro"],
            registration_mode="either",
            sessions=[
                {
                    "venue": venues[session["venue"]],
                    "title": session["title"],
                    "start_date": now.astimezone(ZoneInfo(venues[session["venue"]].timezone)).date()
                    + timedelta(days=session["days"]),
                    "start_time": time.fromisoformat(session["start"]),
                    "end_time": time.fromisoformat(session["end"]),
                    "capacity": session["capacity"],
                    "language": session["language"],
                    "attendance_mode": "mixed",
                    "online_url": f"https://visio.essaim.localhost/{spec.get('visio', 'semaine')}-{index + 1}",
                }
                for index, session in enumerate(sessions)
            ],
        )
        if english is not None:
            _localize_programme(programme, english, spec["english"], [session["english_title"] for session in sessions])
            report.translations += 1
        for index, event in enumerate(selectors.programme_sessions(programme)):
            occurrence = selectors.upcoming(event, now=now, limit=1)
            count = event.capacity - 1 if index == 1 else 6  # Lyon's workshop is nearly full
            plan = [(occurrence[0], person) for person in people[index * 5 : index * 5 + count]] if occurrence else []
            write_registrations(event, plan, now)
            report.registrations += len(plan)
    return True


def _localize_programme(programme: ProgrammePage, locale: Locale, texts: dict, session_titles: list[str]) -> None:
    """Translate with wagtail-localize, as an editor would in its editor (*Translate* › English):
    a synced translation whose strings (the English slug among them) are stored, so the English
    page opens in the translation editor and a later sync keeps them."""
    source, _created = TranslationSource.get_or_create_from_instance(programme)
    wanted = {
        programme.title: texts["title"],
        programme.summary: texts["summary"],
        _plain(programme.intro): _plain(texts["intro"]),
    }
    # A session's strings sit under ``sessions.<its translation_key>``; the slug under ``slug``.
    by_path = {
        f"sessions.{session.translation_key}.title": title
        for session, title in zip(programme.sessions.all(), session_titles, strict=False)
    }
    by_path["slug"] = texts.get("slug", "international-social-entrepreneurship-week")
    for segment in StringSegment.objects.filter(source=source).select_related("string", "context"):
        text = by_path.get(segment.context.path) or wanted.get(segment.string.data)
        if text:
            StringTranslation.from_text(segment.string, locale, segment.context, text)
    translation, _created = Translation.objects.update_or_create(
        source=source, target_locale=locale, defaults={"enabled": True}
    )
    # Saved as a draft, then published here: wagtail-localize publishes on the transaction's commit,
    # which never comes inside a test's transaction (nor when the demo loads inside one).
    translation.save_target(publish=False)
    translation.get_target_instance().get_latest_revision().publish()


def _plain(html: str) -> str:
    """wagtail-localize stores a rich text paragraph's text without its ``<p>``."""
    return html.removeprefix("<p>").removesuffix("</p>")
