"""Sign-up: the form, its refusals, the confirmation e-mail, and the way back to a booking."""

from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile, Project
from tests.integration.accounts.conftest import PASSWORD, links_in, sign_up, verification_sent

pytestmark = pytest.mark.django_db


def en(name: str, *args) -> str:
    with translation.override("en"):
        return reverse(name, args=args)


def fr(name: str, *args) -> str:
    with translation.override("fr"):
        return reverse(name, args=args)


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def test_the_form_asks_for_name_language_and_an_optional_project(client, site_tree):
    page = soup(client.get(fr("account_signup")))
    fields = {field["name"]: field for field in page.select("form.account-form [name]")}
    for name, autocomplete in [
        ("email", "email"),
        ("password1", "new-password"),
        ("first_name", "given-name"),
        ("last_name", "family-name"),
        ("organisation", "organization"),
    ]:
        assert fields[name].get("autocomplete") == autocomplete, name
        assert page.select_one(f"label[for={fields[name]['id']}]"), name
    assert fields["language"].find("option", selected=True)["value"] == "fr"
    named = [
        field["name"] for field in page.select("form.account-form input:not([type=hidden]), form.account-form select")
    ]
    assert named == [
        "email",
        "password1",
        "password2",
        "first_name",
        "last_name",
        "language",
        "organisation",
        "stage",
        "city",
    ]
    english = soup(client.get(en("account_signup")))
    assert english.select_one("[name=language] option[selected]")["value"] == "en"


def test_sign_up_and_log_in_link_to_each_other_keeping_next(client, site_tree):
    back = "/some/venue/?day=2026-03-03"
    login = soup(client.get(fr("account_login"), {"next": back}))
    signup = soup(client.get(fr("account_signup"), {"next": back}))
    # In the page and in the header: the way back is the booking's, not the entrance page's.
    for page, other in ((login, fr("account_signup")), (signup, fr("account_login"))):
        links = page.select(f"a[href^='{other}']")
        assert len(links) == 2
        for link in links:
            assert parse_qs(urlsplit(link["href"]).query)["next"] == [back]
    assert login.select_one(f"main a[href='{fr('account_reset_password')}']")  # "forgotten password"


def test_signing_up_records_profile_project_and_an_unconfirmed_address(client, site_tree):
    response = sign_up(client, language="en", organisation="Atelier Vélo", stage="starting", city="Lyon")
    assert response.status_code == 302
    user = get_user_model().objects.get(email="camille@example.org")
    assert (user.first_name, user.last_name) == ("Camille", "Durand")
    assert Profile.objects.get(user=user).language == "en"
    assert Project.objects.filter(owner=user, name="Atelier Vélo", stage="starting", city="Lyon").exists()
    assert not EmailAddress.objects.get(user=user).verified


@pytest.mark.parametrize(
    ("password", "reason"),
    [("password123", "too common"), ("1234567890", "entirely numeric"), ("Ab1-x", "too short")],
)
def test_weak_and_common_passwords_are_refused(client, site_tree, password, reason):
    response = client.post(
        en("account_signup"),
        {
            "email": "weak@example.org",
            "password1": password,
            "password2": password,
            "first_name": "W",
            "last_name": "P",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not get_user_model().objects.filter(email="weak@example.org").exists()


def test_an_address_already_used_gets_the_same_answer_and_its_owner_an_e_mail(client, site_tree, make_user):
    make_user("owner", email="taken@example.org")
    fresh = sign_up(client, email="fresh@example.org")
    mail.outbox.clear()
    taken = sign_up(client, email="taken@example.org")
    assert (
        (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"]) == (302, verification_sent())
    )
    assert "_auth_user_id" not in client.session
    assert get_user_model().objects.filter(email__iexact="taken@example.org").count() == 1
    [message] = mail.outbox
    assert message.to == ["taken@example.org"]
    assert all(link.startswith("http://127.0.0.1:8000") for link in links_in(message))
    assert any("/compte/" in link for link in links_in(message))  # the reset page, in French


def test_the_confirmation_e_mail_names_the_node_in_the_chosen_language_and_leads_back(client, site_tree, settings):
    settings.ESSAIM_NODE_URL = "https://essaim.example"
    settings.ESSAIM_NODE_NAME = "Réseau Essaim"
    back = "/en/some-venue/book/?day=2026-03-03"
    sign_up(client, language="en", next_path=back)
    [message] = mail.outbox
    assert "Réseau Essaim" in message.body and "https://essaim.example" in message.body
    assert "Confirm" in message.subject or "confirm" in message.subject.lower()
    [link] = [link for link in links_in(message) if "/confirm-email/" in link]
    assert link.startswith("https://essaim.example/en/account/confirm-email/")
    path = link.removeprefix("https://essaim.example")

    other_browser = client.__class__()
    page = other_browser.get(path)
    form = soup(page).select_one("form.account-form")
    assert form.select_one("[name=next]")["value"] == back
    confirmed = other_browser.post(path.split("?")[0], {"next": back})
    assert confirmed.status_code == 302 and confirmed["Location"] == back
    assert EmailAddress.objects.get(email="camille@example.org").verified


def test_a_french_sign_up_gets_a_french_e_mail_on_french_paths(client, site_tree):
    sign_up(client, language="fr")
    [message] = mail.outbox
    [link] = [link for link in links_in(message) if "confirm" in link]
    assert "/compte/" in link and "/en/" not in link
    assert "Bonjour" in message.body


def test_an_expired_or_reused_confirmation_link_is_refused_with_a_clear_message(client, newcomer, time_machine):
    [link] = [link for link in links_in(mail.outbox[0]) if "confirm" in link]
    path = urlsplit(link).path
    assert client.post(path).status_code == 302
    again = client.get(path)
    assert "déjà" in again.content.decode() or "expir" in again.content.decode()
    EmailAddress.objects.filter(user=newcomer).update(verified=False)
    time_machine.move_to("2099-01-01T00:00:00Z")
    expired = client.get(path)
    assert expired.status_code == 200
    assert "expiré" in expired.content.decode()
    assert client.post(path).status_code == 404
    assert not EmailAddress.objects.get(user=newcomer).verified


def test_confirm_first_resends_the_link_with_the_way_back(client, newcomer):
    """A person logged in with an unconfirmed address (made before the rule, or who changed it)."""
    client.force_login(newcomer)
    back = "/lieu/salle/?day=2026-03-03"
    page = client.get(fr("account_confirm_first"), {"next": back})
    assert page.status_code == 403
    assert soup(page).select_one("#resend-confirmation")
    mail.outbox.clear()
    cache_clear_rate_limits()
    sent = client.post(fr("account_confirm_first"), {"next": back})
    assert sent.status_code == 302
    [message] = mail.outbox
    [link] = [link for link in links_in(message) if "confirm" in link]
    assert parse_qs(urlsplit(link).query)["next"] == [back]
    # Within allauth's limit nothing more is sent: the first link still works.
    client.post(fr("account_confirm_first"), {"next": back})
    assert len(mail.outbox) == 1


def test_confirm_first_refuses_a_next_on_another_site(client, newcomer):
    client.force_login(newcomer)
    page = soup(client.get(fr("account_confirm_first"), {"next": "https://evil.example/"}))
    assert not page.select("main [value*=evil], main [href*=evil]")


def cache_clear_rate_limits():
    from django.core.cache import cache  # noqa: PLC0415 - the one place a test resets allauth's counters

    cache.clear()


def test_logging_in_before_confirming_sends_the_link_again_and_waits(client, newcomer):
    mail.outbox.clear()
    cache_clear_rate_limits()
    response = client.post(fr("account_login"), {"login": "camille@example.org", "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, verification_sent())
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1


def test_after_confirming_the_person_logs_in(client, newcomer):
    [link] = [link for link in links_in(mail.outbox[0]) if "confirm" in link]
    client.post(urlsplit(link).path)
    client.logout()
    response = client.post(fr("account_login"), {"login": "camille@example.org", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(newcomer.pk)
