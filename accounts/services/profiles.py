"""Profiles: the language and the project of a person, and the verified state of their address."""

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Profile, Project


def profile_of(user) -> Profile:
    """The user's profile, made with the default language the first time it is needed."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(user, *, language: str | None = None) -> Profile:
    profile = profile_of(user)
    if language and language != profile.language:
        profile.language = language
        profile.save(update_fields=["language"])
    return profile


@transaction.atomic
def profile_sharing_update(user, *, share: bool) -> Profile:
    """Give or withdraw consent to share the person's name and e-mail with partner nodes."""
    profile = profile_of(user)
    if profile.share_identity_with_peers != share:
        profile.share_identity_with_peers = share
        profile.save(update_fields=["share_identity_with_peers"])
    return profile


def project_add(user, *, name: str, stage: str = "", city: str = "") -> Project:
    return Project.objects.create(owner=user, name=name.strip(), stage=stage, city=city.strip())


def email_mark_verified(user) -> EmailAddress:
    """Record the user's address as verified and primary: for accounts an admin or the demo made,
    whose owner nobody needs to ask again."""
    address, _created = EmailAddress.objects.update_or_create(
        user=user, email__iexact=user.email, defaults={"email": user.email, "verified": True, "primary": True}
    )
    return address
