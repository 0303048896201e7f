"""PostgreSQL refuses overlapping bookings of an exclusive resource by itself.

An exclusion constraint over ``tstzrange(start, blocked_until)`` (the buffer included) with
``btree_gist`` for the resource's equality. Only occupying bookings count; a hold whose time ran
out is marked expired by ``services`` before it could stand in the way. SQLite has no such
constraint: its writers are serialised (``BEGIN IMMEDIATE``) and ``services`` checks under that lock.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    resource_id WITH =,
    tstzrange(start, blocked_until, '[)') WITH &&
) WHERE (exclusive AND status IN ('held', 'confirmed', 'checked_in'));
"""
DROP = "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
