from django.db import migrations, models

from venues.text import normalise


def fill_search_text(apps, schema_editor):
    VenuePage = apps.get_model("venues", "VenuePage")
    for venue in VenuePage.objects.all():
        venue.search_text = normalise(" ".join([venue.title, venue.city, venue.region, venue.postcode, venue.summary]))
        venue.save(update_fields=["search_text"])


class Migration(migrations.Migration):
    dependencies = [("venues", "0003_venue_team_ordering")]

    operations = [
        migrations.AddField(
            model_name="venuepage",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
    ]
