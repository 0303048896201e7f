"""Who manages which venue, and the admin permission policy built on it.

A person manages the venues of their venue teams; network admins manage every venue. Wagtail's
global model permissions play no part in venue-scoped objects (resources, closures, bookings):
they would open every venue's objects to whoever holds them.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from wagtail.permission_policies import BasePermissionPolicy

from core.roles import NETWORK_ADMINS, is_network_admin
from venues.models import VenuePage, VenueTeam


def venues_managed_by(user) -> QuerySet[VenuePage]:
    """Canonical venue pages ``user`` manages: through their venue teams, or all for network admins.
    Never a peer's mirrored venue: its owner manages it, on its own node."""
    canonical = VenuePage.objects.filter(locale__language_code=settings.LANGUAGE_CODE, origin="")
    if not user.is_authenticated or not user.is_active:
        return canonical.none()
    if is_network_admin(user):
        return canonical
    keys = VenueTeam.objects.filter(group__user=user).values("translation_key")
    return canonical.filter(translation_key__in=keys)


def user_manages_venue(user, venue_id: int) -> bool:
    return venues_managed_by(user).filter(pk=venue_id).exists()


def manages_any_venue(user) -> bool:
    """Cached on the user object, which lives as long as the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_essaim_manages_any_venue", None)
    if cached is None:
        cached = venues_managed_by(user).exists()
        user._essaim_manages_any_venue = cached
    return cached


def manages_venue(user, venue_id) -> bool:
    cache = getattr(user, "_essaim_managed_venue", None)
    if cache is None:
        cache = user._essaim_managed_venue = {}
    if venue_id not in cache:
        cache[venue_id] = venue_id is not None and user_manages_venue(user, venue_id)
    return cache[venue_id]


class VenueScopedPermissionPolicy(BasePermissionPolicy):
    """Managers add, change and delete the objects of the venues they manage; nobody else does.

    ``venue_path`` leads from the model to its venue (``"venue"``, ``"resource__venue"``).
    Global model permissions play no part: they would open every venue's objects.
    """

    actions = frozenset({"add", "change", "delete", "view"})

    def __init__(self, model, venue_path: str = "venue"):
        super().__init__(model)
        self.venue_path = venue_path

    def venue_id(self, instance):
        *relations, last = self.venue_path.split("__")
        for name in relations:
            instance = getattr(instance, name, None)
        return getattr(instance, f"{last}_id", None)

    def user_has_permission(self, user, action):
        return action in self.actions and manages_any_venue(user)

    def user_has_any_permission(self, user, actions):
        return bool(self.actions.intersection(actions)) and manages_any_venue(user)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not self.actions.intersection(actions):
            return users.none()
        return users.filter(
            Q(is_superuser=True) | Q(groups__name=NETWORK_ADMINS) | Q(groups__venue_team__isnull=False)
        ).distinct()

    def user_has_permission_for_instance(self, user, action, instance):
        return action in self.actions and manages_venue(user, self.venue_id(instance))

    def instances_user_has_any_permission_for(self, user, actions):
        objects = self.model._default_manager.all()
        if not self.actions.intersection(actions):
            return objects.none()
        return objects.filter(**{f"{self.venue_path}__in": venues_managed_by(user)})


class ManagerRequiredMixin:
    """Custom views: only for people who manage at least one venue."""

    def dispatch(self, request, *args, **kwargs):
        if not manages_any_venue(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedMixin:
    def scoped_queryset(self):
        return self.permission_policy.instances_user_has_any_permission_for(self.request.user, ["change"])


class ScopedObjectMixin(ScopedMixin):
    """Model views whose object is looked up among the user's venues only: another's is a 404."""

    def get_queryset(self):  # edit and delete views
        return self.scoped_queryset()

    def get_base_object_queryset(self):  # history and usage views
        return self.scoped_queryset()


class ScopedIndexMixin(ScopedMixin):
    """Listings of the user's venues' objects only (filters and search narrow them further)."""

    def get_base_queryset(self):
        return self.scoped_queryset()
