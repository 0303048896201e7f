"""A logged-out visitor joins a full date's waitlist: the log-in leads back to that date, where a
form confirms the click (nothing is joined by a link), and after joining the date's row shows the
position, in focus, with the way out, and nothing on the page still invites to join that date."""

import re
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect
from wagtail.models import Locale

from events import selectors, services
from events.models import WaitlistEntry, WaitlistStatus, occurrence_key
from events.services import event_page_create
from tests.browser.support import PASSWORD, log_in

pytestmark = pytest.mark.browser

TEXTS = {
    "fr": {
        "join": "S’inscrire sur la liste d’attente",
        "position": "Vous êtes n° 1 sur la liste d’attente",
        "leave": "Quitter la liste d’attente",
        "full": "Complet",
    },
    "en": {
        "join": "Join the waitlist",
        "position": "You are number 1 on the waitlist",
        "leave": "Leave the waitlist",
        "full": "Full",
    },
}


def full_event(network, django_user_model, language: str):
    """An event at La Ruche whose first date's only seat is taken; its page in ``language``."""
    page = event_page_create(
        venue=network["ruche"],
        title="Atelier pitch",
        summary="Trois minutes pour convaincre.",
        start_date=tuesday_ahead(),
        start_time=time(18, 30),
        end_time=time(20),
        capacity=1,
        slug="atelier-pitch",
    )
    event = selectors.event_for_page(page)
    occurrence = selectors.upcoming(event, now=event.start - timedelta(days=1))[0]
    other = django_user_model.objects.create_user("dominique", "dominique@example.org", PASSWORD)
    services.registration_create(user=other, event=event, recurrence_id=occurrence.recurrence_id)
    if language == "en":
        english = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
        english.save_revision().publish()
        page = english
    return page, event, occurrence_key(occurrence.recurrence_id)


def tuesday_ahead() -> date:
    day = date.today() + timedelta(days=9)
    return day + timedelta(days=(1 - day.weekday()) % 7)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_waitlist_click_survives_the_log_in(page, network, entrepreneur, django_user_model, shot, language):
    texts = TEXTS[language]
    event_page, event, key = full_event(network, django_user_model, language)
    page.goto(event_page.url)
    row = page.locator(f"[data-testid=date-row][data-date='{key}']")
    row.get_by_role("button", name=re.compile(re.escape(texts["join"]))).click()

    # The log-in keeps the click: back on the date's waitlist block, with a form to confirm.
    with translation.override(language):
        login = reverse("account_login")
    expect(page).to_have_url(re.compile(re.escape(login) + r"\?next="))
    log_in(page)
    expect(page).to_have_url(re.compile(rf"\?date={key}&waitlist={key}#waitlist-{key}$"))
    # The date's waitlist block takes the focus: its question, then the button to confirm.
    block = page.locator(f"#waitlist-{key}")
    expect(block).to_be_focused()
    confirm = block.locator("[data-testid=waitlist-confirm] button")
    expect(confirm).to_be_visible()
    page.keyboard.press("Tab")
    expect(confirm).to_be_focused()
    assert not WaitlistEntry.objects.exists()  # coming back joined nothing
    shot(page, "confirm")

    page.keyboard.press("Enter")
    expect(block).to_contain_text(texts["position"])
    expect(block).to_be_focused()
    expect(block.get_by_role("button", name=texts["leave"])).to_be_visible()
    expect(row.locator(".seats")).to_have_text(texts["full"])
    expect(page.get_by_text(texts["join"])).to_have_count(0)
    expect(page.locator(f"form[action='{reverse('events:waitlist-join', args=[event.pk])}']")).to_have_count(0)
    assert WaitlistEntry.objects.get(user=entrepreneur).status == WaitlistStatus.WAITING
    shot(page, "joined")
