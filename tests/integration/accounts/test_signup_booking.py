"""A booking needs a confirmed address, on the booking page, the event page and the API alike;
the API and the person's e-mails and feed speak the language they chose."""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import profiles as profile_services
from accounts.services import tokens as token_services
from bookings.models import Booking
from bookings.services.calendar_feeds import calendar_feed_ensure
from core.services import auth_token_issue
from events import selectors as event_selectors
from events.models import occurrence_key
from tests.support.factories import EventPageFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # Monday 8:00 in Paris
TUESDAY_9 = "2026-03-03T09:00:00+01:00"
TUESDAY_10 = "2026-03-03T10:00:00+01:00"


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def fr(name, **kwargs):
    with translation.override("fr"):
        return reverse(name, kwargs=kwargs)


@pytest.fixture
def room(make_resource):
    return make_resource(name="Salle Canut", kind="room", horizon_days=365)


@pytest.fixture
def unconfirmed(make_user):
    """Someone who signed up and has not followed the link yet (as the sign-up form leaves them)."""
    user = make_user("unconfirmed")
    EmailAddress.objects.filter(user=user).update(verified=False)
    return user


def api_for(user, **headers) -> APIClient:
    client = APIClient(**headers)
    client.credentials(HTTP_AUTHORIZATION=f"Token {auth_token_issue(user=user).key}")
    return client


def book(api, room, path="/api/v1/bookings/"):
    return api.post(path, {"resource": room.pk, "start": TUESDAY_9, "end": TUESDAY_10}, format="json")


def test_the_api_refuses_an_unconfirmed_address_with_403_email_unverified(unconfirmed, room):
    response = book(api_for(unconfirmed), room)
    assert response.status_code == 403
    assert response.json()["code"] == "email_unverified" and response.json()["detail"]
    assert not Booking.objects.exists()


def named_token_api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_services.api_token_create(user=user, name='CLI')[1]}")
    return client


def test_a_named_token_reads_the_address_state_with_the_person_and_books_only_once_confirmed(unconfirmed, room):
    """The token's query says whether the address is confirmed: the booking asks no query of its own."""
    response = book(named_token_api(unconfirmed), room)
    assert response.status_code == 403 and response.json()["code"] == "email_unverified", response.content
    EmailAddress.objects.filter(user=unconfirmed).update(verified=True)
    api = named_token_api(unconfirmed)
    with CaptureQueriesContext(connection) as queries:
        assert book(api, room).status_code == 201
    reads = [query["sql"] for query in queries.captured_queries if "account_emailaddress" in query["sql"]]
    assert len(reads) == 1 and ApiToken._meta.db_table in reads[0], reads


def test_the_booking_page_sends_an_unconfirmed_person_to_resend_and_back(client, unconfirmed, room):
    client.force_login(unconfirmed)
    page = fr("bookings:resource", pk=room.pk)
    response = client.post(page, {"start": TUESDAY_9, "end": TUESDAY_10, "quantity": 1})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert target.path == fr("account_confirm_first")
    back = parse_qs(target.query)["next"][0]
    assert back.startswith(page + "?") and "start=" in back
    assert not Booking.objects.exists()

    explained = client.get(response["Location"])
    assert explained.status_code == 403
    assert b"resend-confirmation" in explained.content
    resent = client.post(fr("account_confirm_first"), {"next": back})
    assert resent.status_code == 302
    [message] = mail.outbox
    link = next(word for word in message.body.split() if "confirm" in word and word.startswith("http"))
    confirmed = client.post(urlsplit(link).path, {"next": back})
    assert confirmed["Location"] == back
    assert client.post(page, {"start": TUESDAY_9, "end": TUESDAY_10, "quantity": 1}).status_code == 302
    assert Booking.objects.filter(user=unconfirmed).count() == 1


def test_event_registration_waits_for_a_confirmed_address(client, unconfirmed, make_venue):
    event_page = EventPageFactory(venue=make_venue())
    event = event_selectors.event_for_page(event_page)
    key = occurrence_key(event_selectors.upcoming(event, now=NOW)[0].recurrence_id)
    client.force_login(unconfirmed)
    response = client.post(fr("events:register", pk=event.pk), {"date": key, "quantity": 1})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == fr("account_confirm_first")
    assert not Booking.objects.exists()


def test_an_account_made_by_an_admin_without_an_address_record_may_book(django_user_model, room):
    admin_made = django_user_model.objects.create_user("made-in-admin", "admin-made@example.org", "x-Secret-42")
    assert book(api_for(admin_made), room).status_code == 201


def test_an_account_made_by_an_admin_logs_in_without_a_confirmation_but_a_sign_up_needs_one(
    client, django_user_model, settings
):
    """A manager an admin just created (or a new node's first superuser) logs in at once; someone who
    signed up and has not confirmed is asked to, and no session starts."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    django_user_model.objects.create_user("made-in-admin", "admin-made@example.org", "x-Secret-42")
    response = client.post(fr("account_login"), {"login": "made-in-admin", "password": "x-Secret-42"})
    assert response.status_code == 302 and "_auth_user_id" in client.session
    assert not EmailAddress.objects.filter(email="admin-made@example.org").exists() and not mail.outbox

    client.logout()
    signed_up = django_user_model.objects.create_user("signed-up", "signed-up@example.org", "x-Secret-43")
    EmailAddress.objects.create(user=signed_up, email=signed_up.email, verified=False, primary=True)
    response = client.post(fr("account_login"), {"login": "signed-up", "password": "x-Secret-43"})
    assert "_auth_user_id" not in client.session
    assert [message.to for message in mail.outbox] == [["signed-up@example.org"]]


# The API's language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chosen", "query", "accept", "expected"),
    [
        (None, "", "", "fr"),  # nothing said: French
        (None, "", "en-GB,en;q=0.8", "en"),  # Accept-Language
        ("en", "", "fr", "en"),  # the person's choice before Accept-Language
        ("fr", "", "en", "fr"),
        ("fr", "?lang=en", "fr", "en"),  # lang before the person's choice
    ],
)
def test_the_api_language_is_lang_then_the_person_then_accept_language(
    make_user, room, chosen, query, accept, expected
):
    user = make_user()
    if chosen:
        profile_services.profile_update(user, language=chosen)
    api = api_for(user, HTTP_ACCEPT_LANGUAGE=accept) if accept else api_for(user)
    events = api.get(f"/api/v1/events/{query}")
    assert events.status_code == 200 and events["Content-Language"] == expected
    response = book(api, room, "/api/v1/bookings/" + query)
    assert response.status_code == 201, response.content
    assert Booking.objects.get(pk=response.json()["id"]).language == expected
    refused = api.post("/api/v1/bookings/" + query, {"resource": room.pk, "start": "x", "end": "y"}, format="json")
    with translation.override(expected):
        assert refused.json()["detail"].endswith(
            translation.gettext("Not a date and time: use ISO 8601 with an offset, e.g. 2026-03-05T09:00:00+01:00.")
        )


def test_a_session_user_gets_their_language_in_the_api_too(client, make_user):
    user = make_user()
    profile_services.profile_update(user, language="en")
    client.force_login(user)
    assert client.get("/api/v1/events/")["Content-Language"] == "en"


def test_booking_e_mails_and_the_personal_feed_follow_the_chosen_language(
    client, make_user, room, django_capture_on_commit_callbacks
):
    user = make_user()
    profile_services.profile_update(user, language="en")
    api = api_for(user, HTTP_ACCEPT_LANGUAGE="fr")
    with django_capture_on_commit_callbacks(execute=True):
        assert book(api, room, "/api/v1/bookings/?lang=fr").status_code == 201
    assert Booking.objects.get().language == "fr"  # asked in French…
    [message] = mail.outbox
    assert "Booking confirmed:" in message.subject  # …written in the language Camille chose
    feed = calendar_feed_ensure(user=user)
    body = client.get(reverse("feeds:me", kwargs={"secret": feed.secret})).content.decode()
    assert "Salle Canut" in body and "Content-Language" not in body
    french = client.get(reverse("feeds:me", kwargs={"secret": feed.secret}) + "?lang=fr").content.decode()
    assert french != body  # ?lang= still picks the feed's language
