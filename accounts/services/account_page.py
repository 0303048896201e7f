"""What a person changes on their account page: their name and their projects."""

from django.db import transaction

from accounts.models import Project


@transaction.atomic
def user_name_update(*, user, first_name: str, last_name: str):
    user.first_name, user.last_name = first_name.strip(), last_name.strip()
    user.save(update_fields=["first_name", "last_name"])
    return user


def project_update(*, user, project_id: int, name: str, stage: str = "", city: str = "") -> int:
    """Change one of the person's own projects (another's id changes nothing)."""
    return Project.objects.filter(pk=project_id, owner=user).update(name=name.strip(), stage=stage, city=city.strip())


def project_remove(*, user, project_id: int) -> int:
    deleted, _by_model = Project.objects.filter(pk=project_id, owner=user).delete()
    return deleted
