"""My data in the browser: the account page, a token made and shown once, the export downloaded
(JSON on a desktop in French, CSV on a phone in English), then the account deleted."""

import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.support import PASSWORD, assert_no_sideways_scroll, log_in

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 1}


def test_profile_token_export_and_delete_in_french(page, entrepreneur, shot):
    page.goto("/compte/profil/")
    log_in(page)
    page.wait_for_url("**/compte/profil/")
    expect(page.get_by_role("heading", name="Profil", exact=True)).to_be_visible()
    page.locator("#id_new-name").fill("Atelier vélo")
    page.locator("#id_new-city").fill("Lyon")
    page.get_by_role("button", name="Ajouter le projet").click()
    expect(page.get_by_text("Projet ajouté.")).to_be_visible()
    shot(page, "profile")

    page.locator(".account-nav").get_by_role("link", name="Jetons d’API").click()
    page.get_by_label("Nom du nouveau jeton").fill("script de réservation")
    page.get_by_role("button", name="Créer le jeton").click()
    secret = page.get_by_label("Jeton", exact=True).input_value()
    assert secret.startswith("ess_")
    expect(page.get_by_role("button", name="Révoquer « script de réservation »")).to_be_visible()
    shot(page, "tokens")

    page.locator(".account-nav").get_by_role("link", name="Mes données").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en JSON").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["tables"]["profile"][0]["username"] == "camille"
    assert data["tables"]["projects"][0]["name"] == "Atelier vélo"
    assert secret not in json.dumps(data)

    address = entrepreneur.email
    mail.outbox.clear()
    page.get_by_role("link", name="Supprimer mon compte…").click()
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_label("Je comprends que mon compte est supprimé définitivement.").check()
    shot(page, "delete")
    page.get_by_role("button", name="Supprimer définitivement mon compte").click()
    expect(page.get_by_role("heading", name="Votre compte a été supprimé")).to_be_visible()
    assert [m.subject for m in mail.outbox if m.to == [address]] == ["[Essaim] Votre compte a été supprimé"]

    page.goto("/compte/profil/")
    expect(page).to_have_url(re.compile(r"/connexion/\?next="))


@pytest.mark.browser_context_args(**PHONE)
def test_csv_export_and_delete_on_a_phone_in_english(page, entrepreneur, shot):
    page.goto("/en/account/my-data/")
    log_in(page)
    page.wait_for_url("**/en/account/my-data/")
    expect(page.get_by_role("heading", name="My data")).to_be_visible()
    assert_no_sideways_scroll(page, 390)
    shot(page, "data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV (zip)").tap()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "bookings.csv" in archive.namelist()
    assert "camille" in archive.read("profile.csv").decode("utf-8-sig")

    page.get_by_role("link", name="Delete my account…").tap()
    page.wait_for_url("**/en/account/delete/")
    assert_no_sideways_scroll(page, 390)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_label("I understand that my account is deleted for good.").check()
    page.get_by_role("button", name="Delete my account for good").tap()
    expect(page.get_by_role("heading", name="Your account has been deleted")).to_be_visible()
    assert_no_sideways_scroll(page, 390)
    shot(page, "deleted")
