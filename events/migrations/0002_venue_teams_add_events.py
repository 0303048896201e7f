"""Venue teams may now add pages under their venue (its events, a hub's programmes)."""

from django.db import migrations


def grant_add(apps, schema_editor):
    VenueTeam = apps.get_model("venues", "VenueTeam")
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    add = Permission.objects.filter(content_type__app_label="wagtailcore", codename="add_page").first()
    if add is None:
        return
    for team in VenueTeam.objects.all():
        for page in Page.objects.filter(translation_key=team.translation_key):
            GroupPagePermission.objects.get_or_create(group_id=team.group_id, page=page, permission=add)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0001_initial"),
        ("venues", "0004_venue_search_text"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(grant_add, migrations.RunPython.noop)]
