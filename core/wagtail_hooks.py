"""Admin wiring of the approval rule (``core.moderation``) where Wagtail decides on the parent
page's rights, which do not know the type of the page being published:

* creating a page: no "Publish" button, and a forged publish is refused;
* copying: no live copy and no alias of pages that need an approval the user cannot give;
* the admin API (``/admin/api/main/pages/<id>/action/...``): the same copies and aliases are
  refused, and each action runs in one transaction, so one the guards stop half-way leaves
  nothing behind.

Loaded by Wagtail with every app's hooks once the apps are ready, which is also when the chooser
widgets' inline script gets the CSP nonce (``core.csp``).
"""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.api.views import PagesAdminAPIViewSet

from core.csp import nonce_wagtail_choosers
from core.moderation import copies_awaiting_approval, may_publish, refusal_message

nonce_wagtail_choosers()


def _created_model(request):
    """The page type the create view is adding, from its URL (the page does not exist yet)."""
    match = getattr(request, "resolver_match", None)
    kwargs = match.kwargs if match else {}
    app_label, model_name = kwargs.get("content_type_app_name"), kwargs.get("content_type_model_name")
    if not (app_label and model_name):
        return None
    try:
        return ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
    except ContentType.DoesNotExist:
        return None


@hooks.register("construct_page_action_menu")
def publish_button_for_approvers_only(menu_items, request, context):
    """The editor of an existing page hides it by itself (the page's policy); the create view asks
    the parent page, so it is taken out here."""
    page = context.get("page")
    model = type(page) if page is not None else _created_model(request)
    if model is not None and not may_publish(request.user, model):
        menu_items[:] = [item for item in menu_items if getattr(item, "name", "") != "action-publish"]


@hooks.register("before_create_page")
def refuse_publish_on_create(request, parent_page, page_class):
    if request.method == "POST" and request.POST.get("action-publish") and not may_publish(request.user, page_class):
        raise PermissionDenied


def _checked(request, name: str) -> bool:
    return forms.CheckboxInput().value_from_datadict(request.POST, None, name)


@hooks.register("before_copy_page")
def refuse_live_copies_awaiting_approval(request, page):
    """Wagtail keeps copies live (or makes a live alias) when the user may publish under the new
    parent; pages that need approval are copied as drafts, to be submitted."""
    if request.method != "POST":
        return None
    blocked = copies_awaiting_approval(
        page,
        request.user,
        subtree=_checked(request, "copy_subpages"),
        alias=_checked(request, "alias"),
        keep_live=_checked(request, "publish_copies"),
    )
    if not blocked.exists():
        return None
    messages.error(request, refusal_message(blocked.specific()))
    return redirect(request.get_full_path())


class ApprovalPagesAdminAPIViewSet(PagesAdminAPIViewSet):
    """Wagtail's admin pages API, refusing the copies and aliases the copy view refuses, and
    running each action (copy, alias, publish, move…) in one transaction."""

    def action_view(self, request, pk, action_name):
        action = self.actions.get(action_name)
        if action_name in ("copy", "create_alias") and (found := action.serializer(data=request.data)).is_valid():
            # Wagtail's admin API keeps copies live unless told otherwise.
            data = found.validated_data
            blocked = copies_awaiting_approval(
                self.get_object(),
                request.user,
                subtree=data.get("recursive", False),
                alias=action_name == "create_alias",
                keep_live=data.get("keep_live", True),
            )
            if blocked.exists():
                raise PermissionDenied(refusal_message(blocked.specific()))
        with transaction.atomic():
            return super().action_view(request, pk, action_name)


@hooks.register("construct_admin_api")
def approval_page_actions(router):
    router.register_endpoint("pages", ApprovalPagesAdminAPIViewSet)
