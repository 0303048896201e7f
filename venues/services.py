"""State changes for venues: creating and translating them, their teams, and geocoding.

Every function here is the only way its change happens; views, hooks, tasks and the demo loader
call them. Each runs in a transaction and queues background work with ``on_commit``.
"""

import contextlib
import logging
from datetime import time

from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Locale, Page

from core.deferred import after_commit
from core.errors import InvalidInput
from core.locking import lock_one
from core.signals import rows_changed
from venues import geocoding, selectors
from venues.models import GeocodeStatus, OpeningHours, VenueIndexPage, VenuePage, VenueTeam
from venues.tasks import venue_geocode_task

logger = logging.getLogger(__name__)

#: Page permissions a venue team holds on its venue and its events (and their translations).
TEAM_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
#: Image permissions a venue team holds on its own collection.
TEAM_IMAGE_PERMISSIONS = ("add_image", "change_image", "choose_image")


def _team_name(venue: VenuePage) -> str:
    return f"Venue team: {venue.title} [{str(venue.translation_key)[:8]}]"[:150]


@transaction.atomic
def venue_team_ensure(*, venue: VenuePage) -> VenueTeam:
    """Create (or complete) the venue's team: a group with rights on this venue only.

    Idempotent: safe to call after every publish or translation; it adds what is missing.
    """
    team = VenueTeam.objects.select_related("group", "collection").filter(translation_key=venue.translation_key).first()
    if team is None:
        group, _ = Group.objects.get_or_create(name=_team_name(venue))
        root = Collection.get_first_root_node()
        collection = root.add_child(name=f"{venue.title} [{str(venue.translation_key)[:8]}]")
        team = VenueTeam.objects.create(translation_key=venue.translation_key, group=group, collection=collection)
    group = team.group
    group.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    # Translate its own pages with wagtail-localize (``cms.translation`` limits the action to them).
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtail_localize", codename="submit_translation")
    )
    page_permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=TEAM_PAGE_PERMISSIONS
    )
    for page in Page.objects.filter(translation_key=venue.translation_key):
        for permission in page_permissions:
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailimages", codename__in=TEAM_IMAGE_PERMISSIONS
    ):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=team.collection, permission=permission)
    return team


@transaction.atomic
def venue_manager_assign(*, venue: VenuePage, user) -> VenueTeam:
    """Make ``user`` a manager of ``venue`` (and only of it): they join the venue's team."""
    team = venue_team_ensure(venue=venue)
    user.groups.add(team.group)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
    return team


@transaction.atomic
def venue_team_set_managers(*, team: VenueTeam, users) -> VenueTeam:
    """Make ``users`` exactly the managers of the team's venue (others lose the rights)."""
    wanted = {user.pk for user in users}
    current = set(team.group.user_set.values_list("pk", flat=True))
    team.group.user_set.remove(*(current - wanted))
    team.group.user_set.add(*(wanted - current))
    logger.info("venue team %s managers: %s", team.pk, sorted(wanted))
    return team


@transaction.atomic
def venue_create(*, directory: VenueIndexPage, model: type[VenuePage], publish: bool = True, **fields) -> VenuePage:
    """Add a venue under the directory, with its team; geocode it unless it has coordinates."""
    amenities = fields.pop("amenities", ())
    labels = fields.pop("labels", ())
    opening_hours = [_opening_hours_row(*row) for row in fields.pop("opening_hours", ())]
    venue = model(**fields)
    venue.live = publish
    if venue.coordinates_set_by_hand:
        venue.geocode_status = GeocodeStatus.MANUAL
    elif venue.has_coordinates:
        venue.geocode_status = GeocodeStatus.FOUND
        venue.geocoded_address = _address_key(venue)
    directory.add_child(instance=venue)
    venue.amenities.set(amenities)
    venue.labels.set(labels)
    for row in opening_hours:
        row.page = venue
        row.save()
    revision = venue.save_revision()
    if publish:
        revision.publish()
    venue_team_ensure(venue=venue)
    return venue


def _opening_hours_row(weekday, opens, closes) -> OpeningHours:
    """A checked opening-hours row; ``"09:00"`` strings are accepted as well as ``time`` values."""
    try:
        row = OpeningHours(
            weekday=int(weekday),
            opens=time.fromisoformat(opens) if isinstance(opens, str) else opens,
            closes=time.fromisoformat(closes) if isinstance(closes, str) else closes,
        )
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            _("Opening hours must be a weekday and two times, e.g. 0, 09:00, 18:00."), code="invalid_opening_hours"
        ) from exc
    try:
        row.full_clean(exclude=["page", "sort_order"])
    except ValidationError as exc:
        raise InvalidInput("; ".join(exc.messages), code="invalid_opening_hours") from exc
    return row


@transaction.atomic
def venue_translate(*, venue: VenuePage, language: str, slug: str | None = None, **fields) -> VenuePage:
    """Publish ``venue`` in another language (its parents first), sharing its team's rights."""
    locale = Locale.objects.get(language_code=language)
    translation = venue.get_translation_or_none(locale)
    if translation is None:
        translation = venue.copy_for_translation(locale, copy_parents=True)
    translation = translation.specific
    for name, value in fields.items():
        setattr(translation, name, value)
    if slug:
        translation.slug = slug
    translation.save_revision().publish()
    translation = Page.objects.get(pk=translation.pk).specific  # as published: live, new url_path
    if isinstance(translation, VenuePage):
        venue_team_ensure(venue=translation)
    return translation


def venue_geocode_request(*, venue: VenuePage) -> None:
    """After a publish: geocode in the background if the address changed and nobody set a position.

    Never blocks or fails the save: the work happens in a task, after the commit. A peer's
    mirrored venue is never geocoded: its position is the owner's to set.
    """
    if venue.origin:
        return
    if venue.coordinates_set_by_hand:
        if venue.geocode_status != GeocodeStatus.MANUAL:
            VenuePage.objects.filter(translation_key=venue.translation_key).update(
                geocode_status=GeocodeStatus.MANUAL, geocode_message=""
            )
        return
    if venue.has_coordinates and venue.geocoded_address == _address_key(venue):
        return
    VenuePage.objects.filter(pk=venue.pk).update(geocode_status=GeocodeStatus.PENDING, geocode_message="")
    after_commit(venue_geocode_task, venue.pk)


def _address_key(venue: VenuePage) -> str:
    return " | ".join([venue.street_address, venue.postcode, venue.city, str(venue.country)])[:400]


@transaction.atomic
def venue_geocode(*, venue_id: int) -> geocoding.GeocodeResult | None:
    """Geocode a venue's address and store the answer on the venue and its translations.

    The newest revision of each translation is patched too, so that the next edit starts from
    the geocoded position instead of putting the old one back.
    """
    venue = lock_one(VenuePage(pk=venue_id))
    if venue is None or venue.coordinates_set_by_hand or venue.origin:
        return None
    result = geocoding.geocode_address(
        street_address=venue.street_address, postcode=venue.postcode, city=venue.city, country=str(venue.country)
    )
    changes = {"geocode_status": result.status, "geocode_message": result.message[:255]}
    if result.found:
        changes |= {"latitude": result.latitude, "longitude": result.longitude, "geocoded_address": _address_key(venue)}
    pages = VenuePage.objects.filter(translation_key=venue.translation_key)
    pages.update(**changes)
    if result.found:
        rows_changed.send(sender=VenuePage, pks=[venue.pk])
    if result.found:
        after_commit(venue_map_cache_clear)
    for page in pages:
        revision = page.latest_revision
        if revision is not None:
            revision.content.update(changes)
            revision.save(update_fields=["content"])
    logger.info("geocoded venue %s: %s", venue_id, result.status)
    return result


def venue_map_cache_clear() -> None:
    """Forget the cached network map (a venue was published, moved, unpublished or deleted)."""
    with contextlib.suppress(ValueError):  # no version yet: nothing is cached
        cache.incr(selectors.MAP_CACHE_VERSION_KEY)
