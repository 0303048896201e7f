"""One row per amenity and label code, so that venues can point at them."""

from django.db import migrations

from venues import vocabulary


def create_rows(apps, schema_editor):
    Amenity = apps.get_model("venues", "Amenity")
    Label = apps.get_model("venues", "Label")
    for code, _label in vocabulary.AMENITIES:
        Amenity.objects.get_or_create(code=code)
    for code, _label in vocabulary.LABELS:
        Label.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]
    operations = [migrations.RunPython(create_rows, migrations.RunPython.noop)]
