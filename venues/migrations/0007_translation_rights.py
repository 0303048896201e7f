"""Venue teams (a hub's editors among them) and network admins translate their own pages with
wagtail-localize; the moderation workflow they submit to gets a name in the admin's language."""

from django.db import migrations

NETWORK_ADMINS = "Network admins"
OLD_NAME = "Moderators approval"
NEW_NAME = "Validation du réseau"


def forwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    VenueTeam = apps.get_model("venues", "VenueTeam")
    Group = apps.get_model("auth", "Group")
    permission = Permission.objects.filter(
        content_type__app_label="wagtail_localize", codename="submit_translation"
    ).first()
    if permission is not None:
        for group in Group.objects.filter(pk__in=VenueTeam.objects.values("group_id")):
            group.permissions.add(permission)
        for group in Group.objects.filter(name=NETWORK_ADMINS):
            group.permissions.add(permission)
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Task = apps.get_model("wagtailcore", "Task")
    Workflow.objects.filter(name=OLD_NAME).update(name=NEW_NAME)
    Task.objects.filter(name=OLD_NAME).update(name=NEW_NAME)


def backwards(apps, schema_editor):
    apps.get_model("wagtailcore", "Workflow").objects.filter(name=NEW_NAME).update(name=OLD_NAME)
    apps.get_model("wagtailcore", "Task").objects.filter(name=NEW_NAME).update(name=OLD_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("venues", "0006_mirrored_venues"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
