import pytest
from django.db import connection

@pytest.mark.parametrize("n", [1, 2, 3])
def test_probe(n, request, page, site_tree):
    from wagtail.models import Page, Locale
    from venues.models import Amenity
    print("\nPROBE", n, Page.objects.count(), Locale.objects.count(), Amenity.objects.count())
    page.goto("/")
