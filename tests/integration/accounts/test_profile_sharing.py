"""The account page's consent to share one's name with partner nodes, and its place in the export."""

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from accounts.selectors import personal_data

pytestmark = pytest.mark.django_db


def test_the_consent_is_off_by_default_given_and_withdrawn_on_the_profile_page(client, make_user):
    alice = make_user("alice")
    client.force_login(alice)
    with translation.override("en"):
        url = reverse("account_profile")
    page = client.get(url).content.decode()
    assert 'name="share_identity_with_peers"' in page and "only sees a pseudonym" in page
    assert 'aria-describedby="id_share_identity_with_peers_helptext"' in page
    assert "checked" not in page.split('name="share_identity_with_peers"')[1].split(">")[0]
    given = client.post(reverse("account_profile"), {"save_sharing": "1", "share_identity_with_peers": "on"})
    assert given.status_code == 302
    assert Profile.objects.get(user=alice).share_identity_with_peers is True
    assert personal_data(alice)["tables"]["profile"][0]["share_identity_with_peers"] is True
    client.post(reverse("account_profile"), {"save_sharing": "1"})
    assert Profile.objects.get(user=alice).share_identity_with_peers is False


def test_the_page_says_it_in_french(client, make_user):
    client.force_login(make_user("bob"))
    with translation.override("fr"):
        page = client.get(reverse("account_profile")).content.decode()
    assert "pseudonyme" in page
