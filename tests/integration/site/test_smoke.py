import pytest


@pytest.mark.django_db
def test_home_and_directory_render(client, make_venue):
    venue = make_venue(title="La Ruche", slug="la-ruche")
    home = client.get("/")
    assert home.status_code == 200
    assert b"la-ruche" in home.content or b"La Ruche" in home.content
    directory = client.get("/lieux/")
    assert directory.status_code == 200, directory.content[:500]
    assert b"La Ruche" in directory.content
    page = client.get(venue.url)
    assert page.status_code == 200
    assert b"application/ld+json" in page.content or b"venue-jsonld" in page.content
