"""EMAIL_URL into Django's settings: console, SMTP, and a provider's API through django-anymail."""

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from sites.email_config import email_settings


def test_console_by_default():
    assert email_settings("console://", {}) == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_smtp_with_starttls_and_quoted_password():
    found = email_settings("smtp://postmaster%40example.org:p%40ss@mail.example.org:587", {})
    assert found["EMAIL_HOST"] == "mail.example.org" and found["EMAIL_PORT"] == 587
    assert found["EMAIL_HOST_USER"] == "postmaster@example.org" and found["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert found["EMAIL_USE_TLS"] and not found["EMAIL_USE_SSL"]
    smtps = email_settings("smtps://relay.example.org", {})
    assert smtps["EMAIL_PORT"] == 465 and smtps["EMAIL_USE_SSL"] and not smtps["EMAIL_USE_TLS"]


def test_anymail_provider_takes_its_options_from_the_environment():
    found = email_settings("anymail://brevo", {"ANYMAIL_BREVO_API_KEY": "xkeysib-1", "PATH": "/bin"})
    assert found == {"EMAIL_BACKEND": "anymail.backends.brevo.EmailBackend", "ANYMAIL": {"BREVO_API_KEY": "xkeysib-1"}}
    assert email_settings("anymail://amazon-ses", {})["EMAIL_BACKEND"] == "anymail.backends.amazon_ses.EmailBackend"


@pytest.mark.parametrize("url", ["anymail://", "anymail://bad.name", "http://mail.example.org"])
def test_unreadable_addresses_are_refused_at_start(url):
    with pytest.raises(ImproperlyConfigured):
        email_settings(url, {})


def test_the_anymail_backend_sends_through_the_provider(settings):
    """The backend EMAIL_URL names is anymail's real one: its test backend records what would go out."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {}
    mail.send_mail("Bienvenue", "Bonjour", "noreply@essaim.localhost", ["ada@example.org"])
    assert mail.outbox[-1].anymail_test_params["to"][0].addr_spec == "ada@example.org"
