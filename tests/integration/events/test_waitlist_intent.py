"""The waitlist keeps the click made before a log-in: the log-in leads back to the date's waitlist
block with a form to confirm (a GET never joins), and after joining the row itself shows the
position, the way out and "Full", with nothing left inviting to join that date."""

import html
import re
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from events import selectors, services
from events.models import WaitlistEntry, WaitlistStatus, occurrence_key

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _french():
    translation.activate("fr")
    yield
    translation.activate("fr")


@pytest.fixture
def full_date(make_event, make_user):
    """An event page whose first date is full (one seat, taken), and that date's key."""
    page, event = make_event(capacity=1)
    occurrence = selectors.upcoming(event, now=datetime.now(UTC))[0]
    services.registration_create(user=make_user(), event=event, recurrence_id=occurrence.recurrence_id)
    return page, event, occurrence_key(occurrence.recurrence_id)


def row_of(content: str, key: str) -> str:
    """The markup of one date's row on the event page."""
    match = re.search(rf'<li class="date-row[^"]*"[^>]*data-date="{key}">(.*?)</li>', content, re.S)
    assert match, f"no row for {key}"
    return match.group(1)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_logged_out_click_leads_to_log_in_then_back_to_the_dates_waitlist(client, full_date, language):
    page, event, key = full_date
    with translation.override(language):
        join = reverse("events:waitlist-join", args=[event.pk])
        login = reverse("account_login")
    response = client.post(join, {"date": key})
    assert response.status_code == 302
    target = urlsplit(response.url)
    assert target.path == login
    after = parse_qs(target.query)["next"][0]
    path, _, fragment = after.partition("#")
    assert fragment == f"waitlist-{key}"
    assert parse_qs(urlsplit(path).query) == {"date": [key], "waitlist": [key]}
    assert not WaitlistEntry.objects.exists()


def test_coming_back_shows_a_confirm_form_and_a_get_never_joins(client, full_date, make_user):
    page, event, key = full_date
    client.force_login(make_user())
    response = client.get(f"{page.url}?date={key}&waitlist={key}")
    assert response.status_code == 200
    row = row_of(response.content.decode(), key)
    assert f'id="waitlist-{key}"' in row
    assert 'data-testid="waitlist-confirm"' in row and 'method="post"' in row
    assert "csrfmiddlewaretoken" in row
    assert re.search(rf'id="waitlist-{key}"[^>]*tabindex="-1"[^>]*data-focus-on-load', row), "the block takes the focus"
    assert not WaitlistEntry.objects.exists()  # following the link joined nothing


def test_confirming_joins_and_the_row_shows_the_position(client, full_date, make_user):
    page, event, key = full_date
    waiting = make_user()
    client.force_login(waiting)
    response = client.post(reverse("events:waitlist-join", args=[event.pk]), {"date": key})
    assert response.status_code == 302
    assert response.url.endswith(f"#waitlist-{key}")
    entry = WaitlistEntry.objects.get(user=waiting)
    assert entry.status == WaitlistStatus.WAITING
    content = client.get(response.url.partition("#")[0]).content.decode()
    row = row_of(content, key)
    assert "Vous êtes n° 1 sur la liste d’attente" in html.unescape(row)
    assert re.search(rf'id="waitlist-{key}"[^>]*data-focus-on-load', row), "the position takes the focus"
    assert "Quitter la liste d’attente" in html.unescape(row)
    assert '<span class="seats seats-full">Complet</span>' in row
    # Nothing on the page still invites to join that date.
    assert "S’inscrire sur la liste d’attente" not in html.unescape(content)
    assert reverse("events:waitlist-join", args=[event.pk]) not in content
    # Leaving returns to the page without asking to join again.
    left = client.post(reverse("events:waitlist-leave", args=[entry.pk]), {"next": _next_of(row)})
    assert "waitlist=" not in left.url


def _next_of(row: str) -> str:
    return html.unescape(re.search(r'name="next" value="([^"]*)"', row).group(1))
