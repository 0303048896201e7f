import json, re
import pytest

@pytest.mark.django_db
def test_probe(client, make_venue, site_tree):
    from venues.services import venue_translate
    v = make_venue(title="La Ruche", slug="la-ruche", street_address="1 rue X", postcode="69001")
    en = venue_translate(venue=v, language="en", slug="the-hive", title="The Hive")
    r = client.get(v.url)
    html = r.content.decode()
    m = re.search(r'<script id="venue-jsonld"[^>]*>(.*?)</script>', html, re.S)
    print(m.group(0)[:400])
    print("EN url", en.url, client.get(en.url).status_code)
    s = client.get("/sitemap.xml")
    print(s.status_code, s.content.decode()[:1500])
    print(client.get("/en/").content.decode()[:300])
    print(client.get("/en/venues/").status_code)
