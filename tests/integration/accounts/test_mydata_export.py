"""The export of everything Essaim holds about a person: complete, secrets left out, CSV guarded,
downloaded as an attachment that is never cached."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from accounts.selectors import TABLES
from accounts.services import profiles
from accounts.services import tokens as token_services
from bookings import services as booking_services
from bookings.models import BookingTransition
from tests.support.factories import BookingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    alice = make_user("alice", first_name="Alice", last_name="Martin")
    profiles.project_add(alice, name='=HYPERLINK("http://evil")', city="Lyon")
    return alice


def test_the_json_export_holds_every_table_and_no_secret(client, alice, make_resource, make_user):
    room = make_resource()
    booking = BookingFactory(user=alice, resource=room, note="@SUM(1) wheelchair access")
    someone = BookingFactory(user=make_user("bob"), resource=make_resource())
    _token, secret = token_services.api_token_create(user=alice, name="script")
    feed = booking_services.calendar_feed_ensure(user=alice)

    client.force_login(alice)
    answer = client.get(reverse("account_export", args=["json"]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json"
    disposition = answer["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.endswith('.json"')
    assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
    data = json.loads(answer.content)
    tables = data["tables"]
    assert list(tables) == list(TABLES)
    assert tables["profile"][0]["email"] == alice.email and tables["profile"][0]["first_name"] == "Alice"
    assert tables["email_addresses"] == [{"email": alice.email, "verified": True, "primary": True}]
    assert tables["projects"][0]["city"] == "Lyon"
    assert [b["reference"] for b in tables["bookings"]] == [booking.reference]
    assert someone.reference not in answer.content.decode()
    assert tables["bookings"][0]["note"] == "@SUM(1) wheelchair access"
    assert {row["subject"] for row in tables["audit"]} == {f"booking {booking.reference}"}
    assert tables["audit"][0]["actor"] == "you"
    assert tables["api_tokens"][0]["name"] == "script" and tables["calendar_feed"][0]["exists"] is True
    text = answer.content.decode()
    assert secret not in text and feed.secret not in text and alice.password not in text


def test_the_csv_export_is_a_zip_of_guarded_tables(client, alice, make_resource):
    BookingFactory(user=alice, resource=make_resource(), note="@SUM(1) wheelchair access")
    client.force_login(alice)
    answer = client.get(reverse("account_export", args=["zip"]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/zip"
    assert answer["Content-Disposition"].endswith('.zip"')
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(archive.namelist()) == sorted(f"{name}.csv" for name in TABLES)
    projects = archive.read("projects.csv").decode("utf-8-sig")
    assert "'=HYPERLINK" in projects and "\n=HYPERLINK" not in projects
    bookings = archive.read("bookings.csv").decode("utf-8-sig")
    assert "'@SUM(1) wheelchair access" in bookings
    assert BookingTransition.objects.filter(booking__user=alice).count() == archive.read("audit.csv").decode(
        "utf-8-sig"
    ).count("booking ")


def test_the_export_needs_a_log_in_and_a_known_format(client, alice):
    assert client.get(reverse("account_export", args=["json"])).status_code == 302
    client.force_login(alice)
    assert client.get(reverse("account_export", args=["xml"])).status_code == 404
