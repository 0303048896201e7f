"""Input beyond what the server can hold is refused with a 4xx, never a 500: ids past 64 bits in
any ``<int:…>`` of the URLconf (``core.routes``), JSON bodies nested too deep or too large
(``core.api.BoundedJSONParser``)."""

import pytest

from core.api import MAX_JSON_DEPTH

HUGE = "99999999999999999999"


@pytest.fixture
def member(client, make_user):
    client.force_login(make_user("member"))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", f"/agenda/programmes/{HUGE}/inscription/"),
        ("post", f"/agenda/{HUGE}/inscription/"),
        ("post", f"/agenda/liste-attente/{HUGE}/quitter/"),
        ("get", f"/reserver/{HUGE}/"),
        ("get", f"/feeds/resources/{HUGE}.ics"),
        ("get", f"/api/v1/events/{HUGE}/"),
        ("get", f"/api/v1/programmes/{HUGE}/"),
        ("post", f"/api/v1/bookings/{HUGE}/cancel/"),
        ("get", f"/api/v1/resources/{HUGE}/availability/"),
    ],
)
def test_an_id_beyond_64_bits_in_a_path_is_a_404(member, site_tree, method, path):
    assert getattr(member, method)(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", [f"/admin/pages/{HUGE}/", f"/admin/pages/{HUGE}/edit/", f"/admin/bookings/{HUGE}/"])
def test_an_id_beyond_64_bits_in_the_admin_is_a_404(client, network_admin, path):
    client.force_login(network_admin)
    assert client.get(path).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/bookings/"])
def test_json_nested_a_thousand_levels_is_a_400(member, site_tree, path):
    """A 2 KB body: Python's JSON parser recursed past its limit, a RecursionError (500)."""
    response = member.post(path, "[" * 1000 + "]" * 1000, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": f"Le corps JSON s’imbrique sur plus de {MAX_JSON_DEPTH} niveaux.",
        "code": "too_deep",
    }


@pytest.mark.django_db
def test_json_within_the_depth_still_parses(member, site_tree):
    nested = {"username": "nobody", "password": "x", "extra": [[{"a": "[[[{{{"}]]}
    response = member.post("/api/v1/auth/token/", nested, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"


@pytest.mark.django_db
def test_json_larger_than_the_upload_limit_is_a_413(member, site_tree, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = '{"note": "' + "x" * 2000 + '"}'
    response = member.post("/api/v1/bookings/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["form", "multipart"])
def test_forms_with_nested_looking_keys_are_plain_fields(member, site_tree, encoding):
    """Form and multipart bodies have no nesting: bracketed keys are names, the answer a 400."""
    data = {"resource" + "[a]" * 500: "1", "start": "x" * 5000, "resource": HUGE}
    if encoding == "form":
        response = member.post(
            "/api/v1/bookings/",
            "&".join(f"{k}={v}" for k, v in data.items()),
            content_type="application/x-www-form-urlencoded",
        )
    else:
        response = member.post("/api/v1/bookings/", data)
    assert response.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["images", "documents"])
def test_a_chooser_with_a_non_numeric_id_is_a_404(client, network_admin, kind):
    """Wagtail's choosers take ``<str:pk>`` for integer ids: junk was a ValueError (500)."""
    client.force_login(network_admin)
    assert client.get(f"/admin/{kind}/chooser/chosen/x%FF/").status_code == 404
    assert client.get(f"/admin/{kind}/chooser/chosen/{HUGE}/").status_code == 404


@pytest.mark.django_db
def test_a_page_edit_without_its_form_fields_is_a_400(client, network_admin, make_venue):
    """Wagtail's editor indexes ``request.POST["body-count"]``: a bare POST was a KeyError (500)."""
    client.force_login(network_admin)
    response = client.post(f"/admin/pages/{make_venue().pk}/edit/", {"title": "x"})
    assert response.status_code == 400
    assert "Il manque le champ body-count" in response.content.decode()


@pytest.mark.django_db
def test_the_external_link_chooser_without_a_url_shows_its_form(client, network_admin):
    """Wagtail's URL field called ``.startswith`` on a missing value: a 500."""
    client.force_login(network_admin)
    response = client.post("/admin/choose-external-link/", {"external-link-chooser-link_text": "x"})
    assert response.status_code == 200
    assert response.json()["step"] == "external_link"
    chosen = client.post("/admin/choose-external-link/", {"external-link-chooser-url": "https://example.org/"})
    assert chosen.json()["step"] == "external_link_chosen"
    assert client.post("/admin/choose-external-link/").status_code == 200


@pytest.mark.django_db
def test_an_admin_action_with_a_next_that_is_no_path_is_a_400(client, network_admin, make_venue):
    """Django's redirect() took ``next=9999-12-31`` for a view name: a NoReverseMatch (500)."""
    client.force_login(network_admin)
    venue = make_venue()
    response = client.post(f"/admin/pages/{venue.pk}/lock/", {"next": "9999-12-31"})
    assert response.status_code == 400
    assert client.post(f"/admin/pages/{venue.pk}/unlock/", {"next": "/admin/"}).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/feeds/events.ics?city=a%00b", "/feeds/events.ics?venue=%00", "/feeds/venues/a%00b.ics", "/lieux/?q=%00"]
)
def test_a_nul_character_in_the_address_is_a_400(client, site_tree, path):
    """PostgreSQL cannot hold NUL in text: these raised DataError (a 500) there."""
    response = client.get(path)
    assert response.status_code == 400
    assert b"NUL" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("query", [f"pages/?offset={HUGE}", "pages/find/?id=9999-12", "pages/find/?id=x"])
def test_wagtails_admin_api_refuses_numbers_it_cannot_read(client, network_admin, query):
    """Its bare int() made these an IntegrityError or a ValueError (500)."""
    client.force_login(network_admin)
    response = client.get(f"/admin/api/main/{query}")
    assert response.status_code == 400
    assert client.get("/admin/api/main/pages/?offset=0").status_code == 200
