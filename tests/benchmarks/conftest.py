"""Benchmarks use their own PostgreSQL test database (``test_<name>_bench``).

A benchmark run lasts minutes; with its own database it neither waits for nor destroys the
``test_<name>`` database of a test run going on at the same time on the same server. SQLite's
in-memory test database needs no suffix.
"""

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    for db_settings in settings.DATABASES.values():
        if db_settings["ENGINE"] == "django.db.backends.sqlite3":
            continue
        test = db_settings.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_' + db_settings['NAME']}_bench"


@pytest.fixture(autouse=True)
def _pages_rendered(settings):
    """Benchmarks of pages measure their rendering: the page cache (``core.page_cache``) would
    answer every repeat from memory. ``bench_cached_pages`` measures the cache, in a server of its own."""
    settings.ESSAIM_PAGE_CACHE = False
