"""Pages that need approval before they go live (a hub's programmes): one rule, held wherever
Wagtail decides who may publish.

A page type says it needs approval with ``approval_permission``, the permission of those who
publish it without one (``"events.publish_programme"``: network admins). Everyone else writes
and submits such pages to the moderation workflow; a holder of the permission approves them.

Wagtail asks "may this user publish?" in many places — the editor, copy, alias, revert, bulk
actions, move, scheduled publishing, its admin API — and some ask the *parent* page, which does
not know what kind of page is being published. So the rule is held at three levels:

* the permission policy of such a page type (``ApprovalPagePolicy``) withholds ``publish`` from
  a user who may not approve it, so every ``PagePermissionTester`` and publish action consulting
  it refuses: publish, unpublish, revert and publish, bulk publish, scheduling, privacy;
* ``ApprovalPermissionTester`` refuses to move a subtree that holds such live pages, and the admin
  hooks (``core.wagtail_hooks``) refuse a copy that would keep them live, an alias, and a
  publish on creation — the decisions Wagtail takes on the parent's rights;
* in depth: during an admin request by such a user, such a page cannot go live, change its live
  revision or get a go-live date approved, whatever path leads there (``pre_save`` guards).
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.db.models.signals import pre_save
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from wagtail.admin.forms.pages import CopyForm
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PagePermissionTester, Revision, get_page_models
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.permissions import register_permission_policy


def approval_permission(page_or_class) -> str:
    """The permission that publishes this page type without approval; empty when none is needed."""
    model = page_or_class if isinstance(page_or_class, type) else page_or_class.specific_class
    return getattr(model, "approval_permission", "") if model else ""


def may_publish(user, page_or_class) -> bool:
    """Whether ``user`` may make pages of this type live without approval (rights on the place aside)."""
    permission = approval_permission(page_or_class)
    if not permission:
        return True
    return bool(user.is_active and (user.is_superuser or user.has_perm(permission)))


def approval_models() -> list[type[Page]]:
    return [model for model in get_page_models() if approval_permission(model)]


def awaiting_approval(pages: QuerySet, user) -> QuerySet:
    """Those of ``pages`` whose type needs an approval that ``user`` cannot give."""
    models = [model for model in approval_models() if not may_publish(user, model)]
    if not models:
        return pages.none()
    return pages.filter(content_type__in=list(ContentType.objects.get_for_models(*models).values()))


def copies_awaiting_approval(page: Page, user, *, subtree: bool, alias: bool, keep_live: bool) -> QuerySet:
    """Of the pages a copy would make, those that would go live without the approval they need:
    live pages kept live, and any page aliased (an alias follows its original, live whenever it is)."""
    if not (alias or keep_live):
        return Page.objects.none()
    copied = page.get_descendants(inclusive=True) if subtree else Page.objects.filter(pk=page.pk)
    return awaiting_approval(copied if alias else copied.live(), user)


def refusal_message(pages: QuerySet) -> str:
    titles = ", ".join(f"“{page.get_admin_display_title()}”" for page in pages[:3])
    return _(
        "%(titles)s must be approved by a moderator before going live: copy without publishing, "
        "then submit the copy for moderation."
    ) % {"titles": titles}


class ApprovalPagePolicy(PagePermissionPolicy):
    """Page permissions of a type that needs approval: ``publish`` only for those who may approve it.

    Every tester built for such a page reads its permissions here, and so does Wagtail's publish
    action: a hub's team keeps add and change under its venue, not publish.
    """

    def __init__(self, model):
        super().__init__(model)
        # Not the shared page cache: the same user holds fewer permissions on these pages.
        self.permission_cache_name = f"_approval_page_permission_cache_{model._meta.label_lower}"

    def _approvers(self) -> Q:
        app_label, codename = approval_permission(self.model).split(".", 1)
        permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        return Q(is_superuser=True) | Q(user_permissions__in=permission) | Q(groups__permissions__in=permission)

    def get_all_permissions_for_user(self, user):
        permissions = super().get_all_permissions_for_user(user)
        if may_publish(user, self.model):
            return permissions
        return permissions.exclude(permission__codename=self._get_permission_codename("publish"))

    def users_with_any_permission(self, actions, include_superusers=True):
        return self._with_publish_for_approvers(super().users_with_any_permission, actions, include_superusers)

    def users_with_any_permission_for_instance(self, actions, instance, include_superusers=True):
        def users(wanted, include):
            return PagePermissionPolicy.users_with_any_permission_for_instance(self, wanted, instance, include)

        return self._with_publish_for_approvers(users, actions, include_superusers)

    def _with_publish_for_approvers(self, users, actions, include_superusers):
        actions = set(actions)
        found = users(actions - {"publish"}, include_superusers) if actions - {"publish"} else None
        if "publish" in actions:
            approvers = get_user_model()._default_manager.filter(self._approvers()).values("pk")
            publishers = users({"publish"}, include_superusers).filter(pk__in=approvers)
            found = publishers if found is None else (found | publishers).distinct()
        return found


class ApprovalPermissionTester(PagePermissionTester):
    """Moving a live page is publishing it at the destination (Wagtail asks for publish there, on
    the destination's rights): a subtree holding live pages that need an approval the user
    cannot give stays where it is."""

    def can_move_to(self, destination):
        if not super().can_move_to(destination):
            return False
        return self.user.is_superuser or not self._holds_live_pages_awaiting_approval

    @cached_property
    def _holds_live_pages_awaiting_approval(self) -> bool:
        # Once per tester: the move chooser asks about every destination it lists.
        live = self.page.get_descendants(inclusive=True).live()
        return awaiting_approval(live, self.user).exists()


class ApprovalCopyForm(CopyForm):
    """Wagtail's copy form without "publish copies" and "alias" when what is copied needs an
    approval the user cannot give (Wagtail offers them on the parent page's rights)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        subtree = self.page.get_descendants(inclusive=True)
        if awaiting_approval(subtree, self.user).exists():
            self.fields.pop("alias", None)
            if awaiting_approval(subtree.live(), self.user).exists():
                self.fields.pop("publish_copies", None)


# Defence in depth ------------------------------------------------------------------------------


def _acting_user():
    """The admin user whose request this is (Wagtail's log context, set on every admin view), or
    None outside admin requests: services, the demo loader, ``publish_scheduled``."""
    user = get_active_log_context().user
    return user if user is not None and user.is_authenticated else None


def _changes(name: str, update_fields) -> bool:
    return update_fields is None or name in update_fields


def refuse_unapproved_go_live(sender, instance, raw=False, update_fields=None, **kwargs):
    """A page that needs approval does not go live, nor change its live content, in the request of
    a user who may not approve it, whichever view or add-on asked."""
    user = _acting_user()
    if raw or user is None or not instance.live or may_publish(user, instance):
        return
    if not instance._state.adding:
        before = Page.objects.filter(pk=instance.pk).values("live", "live_revision_id").first()
        if before is not None:
            goes_live = _changes("live", update_fields) and not before["live"]
            new_content = (
                _changes("live_revision", update_fields) and before["live_revision_id"] != instance.live_revision_id
            )
            if not (goes_live or new_content):
                return
    raise PermissionDenied(_("This page must be approved by a moderator before going live."))


def refuse_unapproved_schedule(sender, instance, raw=False, update_fields=None, **kwargs):
    """A go-live date is approved (and ``publish_scheduled`` will publish the revision) only by
    someone who may publish it."""
    user = _acting_user()
    if raw or user is None or instance.approved_go_live_at is None:
        return
    if not _changes("approved_go_live_at", update_fields):
        return
    model = instance.content_type.model_class()
    if model is None or may_publish(user, model):
        return
    unchanged = Revision.objects.filter(pk=instance.pk, approved_go_live_at=instance.approved_go_live_at)
    if instance.pk and unchanged.exists():
        return
    raise PermissionDenied(_("This page must be approved by a moderator before it is scheduled."))


def approval_rule_install() -> None:
    """Register the policies and guards for every page type that needs approval (``ready()``)."""
    models = approval_models()
    for model in models:
        register_permission_policy(model, ApprovalPagePolicy(model), exact_class=True)
    for model in (Page, *models):
        pre_save.connect(refuse_unapproved_go_live, sender=model, dispatch_uid=f"approval-go-live-{model._meta.label}")
    pre_save.connect(refuse_unapproved_schedule, sender=Revision, dispatch_uid="approval-schedule")
