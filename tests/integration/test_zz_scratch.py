import json, re
import pytest
from wagtail.test.utils.form_data import querydict_from_html

@pytest.mark.django_db
def test_probe(client, make_venue, site_tree, django_user_model):
    from venues.services import venue_manager_assign
    a = make_venue(title="A")
    b = make_venue(title="B")
    u = django_user_model.objects.create_user("m", password="pw-123456-x")
    venue_manager_assign(venue=a, user=u)
    client.force_login(u)
    r = client.get(f"/admin/pages/{a.pk}/edit/")
    print(r.status_code, 'name="labels"' in r.content.decode())
    data = querydict_from_html(r.content.decode(), form_id="page-edit-form")
    print(sorted(data.keys()))
    rb = client.get(f"/admin/pages/{b.pk}/edit/")
    print(rb.status_code, rb.get("Location"))
    data["title"] = "A2"; data["body-count"] = "0"
    data["action-publish"] = "action-publish"
    rp = client.post(f"/admin/pages/{a.pk}/edit/", data)
    print(rp.status_code, rp.get("Location"))
    a.refresh_from_db(); print(a.title)
