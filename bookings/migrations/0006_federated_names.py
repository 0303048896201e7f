"""Resources and bookings get a UUID (their name across nodes); busy blocks know when they changed."""

import uuid

import django.utils.timezone
from django.db import migrations, models


def give_uids(apps, schema_editor):
    for model in ("Resource", "Booking"):
        Model = apps.get_model("bookings", model)
        rows = list(Model.objects.only("pk"))
        for row in rows:
            row.uid = uuid.uuid4()
        Model.objects.bulk_update(rows, ["uid"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0005_single_line_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="uid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="resource",
            name="uid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.RunPython(give_uids, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="booking",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name="resource",
            name="uid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AddField(
            model_name="busyblock",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now),
            preserve_default=False,
        ),
        migrations.AddIndex(
            model_name="busyblock",
            index=models.Index(fields=["source", "uid"], name="bookings_bu_source_38ef9c_idx"),
        ),
    ]
