"""Accounts fixtures: a person who signed up through the real form and has not confirmed yet."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from venues.models import VenueTeam
from venues.services import venue_manager_assign

PASSWORD = "lent-aubergine-93"
LINK = re.compile(r"https?://\S+")


def sign_up(client, *, email="camille@example.org", language="fr", next_path="", **extra):
    """POST the sign-up form as a browser would; returns the response."""
    data = {
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        "first_name": "Camille",
        "last_name": "Durand",
        "language": language,
        **extra,
    }
    if next_path:
        data["next"] = next_path
    with translation.override("fr"):
        return client.post(reverse("account_signup"), data)


def links_in(message) -> list[str]:
    return LINK.findall(message.body)


@pytest.fixture
def newcomer(client, db, site_tree):
    """Camille signed up (not logged in: the address is unconfirmed; the confirmation e-mail is in the outbox)."""
    response = sign_up(client)
    assert response.status_code == 302, response.content[:800]
    assert response["Location"] == verification_sent()
    profile = Profile.objects.select_related("user").get(user__email="camille@example.org")
    assert len(mail.outbox) == 1
    return profile.user


def verification_sent() -> str:
    with translation.override("fr"):
        return reverse("account_email_verification_sent")


def team_of(venue):
    return VenueTeam.objects.get(translation_key=venue.translation_key)


@pytest.fixture
def venues(make_venue):
    """Two venues: the manager's and another."""
    return make_venue(title="La Ruche"), make_venue(title="Le Totem")


@pytest.fixture
def manager(make_user, venues):
    """The manager of the first of ``venues``."""
    user = make_user("gestionnaire")
    venue_manager_assign(venue=venues[0], user=user)
    return user
