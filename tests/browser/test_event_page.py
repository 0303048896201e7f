"""The event page on a desktop and a phone, in French and English: the summary once, one way to
register (the seats field above the dates, each date's button), a moved date whose button stays
on the date's line, dates as each language writes them."""

import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale

from events.services import event_page_create
from tests.browser.support import assert_no_sideways_scroll
from venues.services import venue_translate

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SUMMARY = {"fr": "Chaque mardi soir, on partage ses avancées.", "en": "Every Tuesday evening, we share our progress."}


def tuesday_ahead(days: int = 8) -> date:
    day = date.today() + timedelta(days=days)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def weekly_with_a_moved_date(venue):
    first = tuesday_ahead()
    moved = first + timedelta(weeks=1)
    page = event_page_create(
        venue=venue,
        title="Apéro des entrepreneurs",
        summary=SUMMARY["fr"],
        body=f"<p>{SUMMARY['fr']}</p>",  # as the demo writes it: the body repeats the summary
        start_date=first,
        start_time=time(18, 30),
        end_time=time(20, 30),
        capacity=12,
        repeat="WEEKLY",
        changes=[
            {
                "original_date": moved,
                "new_date": moved + timedelta(days=1),
                "new_start_time": time(17, 30),
                "new_end_time": time(19, 30),
            }
        ],
    )
    venue_translate(venue=venue, language="en")
    english = page.copy_for_translation(Locale.objects.get(language_code="en")).specific
    english.title, english.summary, english.body = "Entrepreneurs' drinks", SUMMARY["en"], f"<p>{SUMMARY['en']}</p>"
    english.save_revision().publish()
    english.refresh_from_db()
    return {"fr": page.url, "en": english.url}


def box(locator):
    found = locator.bounding_box()
    assert found, "visible"
    return found


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_event_page(make_context, network, shot, language, size):
    urls = weekly_with_a_moved_date(network["ruche"])
    ctx = make_context(viewport=SIZES[size], **({"is_mobile": True, "has_touch": True} if size == "phone" else {}))
    page = ctx.new_page()
    page.goto(urls[language])

    article = page.locator("article.event-page")
    expect(article.get_by_text(SUMMARY[language])).to_have_count(1)
    expect(page.locator(".event-side form")).to_have_count(0)  # no second registration form
    expect(page.locator("[data-testid=how-to-register] h2")).to_have_text(
        "Comment s’inscrire" if language == "fr" else "How to register"
    )
    expect(page.locator("#register.date-list")).to_be_visible()
    seats = page.locator("#id_quantity")
    assert box(seats)["y"] < box(page.locator("#register"))["y"], "the seats field is above the dates"

    dates = page.locator("[data-testid=date-row] .date-when time")
    pattern = (
        r"^mar\. \d{1,2} [a-zéû]+\.? \d{4}, 18:30–20:30$"
        if language == "fr"
        else r"^Tue, [A-Z][a-z]{2} \d{1,2}, \d{4}, 18:30–20:30$"
    )
    expect(dates.first).to_have_text(re.compile(pattern))
    if language == "fr":  # not Django's "Mar 15 Déc 2026"
        expect(page.locator("article")).not_to_contain_text(re.compile(r"\b(Mar|Déc|Janv) \d"))

    moved = page.locator("[data-testid=date-row]").filter(has=page.locator(".tag-moved"))
    expect(moved).to_have_count(1)
    expect(moved).to_have_attribute("id", re.compile(r"^date-\d{8}T\d{6}Z$"))
    button = moved.locator("button[name=date]")
    when, state = box(moved.locator(".date-when")), box(moved.locator(".date-state"))
    if size == "desktop":
        # One line: the button beside the date, not wrapped under it.
        assert box(button)["y"] < when["y"] + when["height"], f"button {box(button)} under the date {when}"
    else:
        # Phone: the date, then the seats and the button side by side; the button on no line of its own.
        assert abs(box(button)["y"] + box(button)["height"] / 2 - (state["y"] + state["height"] / 2)) < 12
        assert_no_sideways_scroll(page, 390)
    moved.scroll_into_view_if_needed()
    shot(page, f"{language}-{size}")

    # The seats field and a date's button register for that date (logging in first).
    seats.fill("2")
    key = moved.get_attribute("data-date")
    button.click()
    expect(page).to_have_url(re.compile(r"(connexion|log-in)/\?next="))
    assert f"date%3D{key}" in page.url or f"date={key}" in page.url
