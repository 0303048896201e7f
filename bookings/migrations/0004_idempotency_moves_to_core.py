# The idempotency record is shared plumbing now (core.IdempotencyRecord); its table stays.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0003_payments"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="IdempotencyRecord")],
            database_operations=[],
        ),
    ]
