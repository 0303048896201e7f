"""Translating pages with wagtail-localize, for the people who edit them.

wagtail-localize offers *Translate* and *Sync* to whoever holds its ``submit_translation``
permission, on every page, and its views check nothing else. Venue teams (a hub's editors among
them) hold that permission, so the action and the views are narrowed here to pages the person
may edit. A translation is then written in wagtail-localize's editor; someone who may not publish
the page (a hub, for its programmes) submits it to the network's moderation workflow instead.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from wagtail import hooks
from wagtail.models import Page
from wagtail_localize import wagtail_hooks as localize_hooks
from wagtail_localize.models import Translation
from wagtail_localize.views.submit_translations import SubmitPageTranslationView
from wagtail_localize.views.update_translations import UpdateTranslationsView

from cms import services


def user_can_translate(user, page: Page) -> bool:
    """Translate a page: wagtail-localize's permission and the right to edit the page itself."""
    return user.has_perm("wagtail_localize.submit_translation") and page.permissions_for_user(user).can_edit()


def translation_buttons(page: Page, user, view_name=None, next_url=None):
    """wagtail-localize's *Translate* and *Sync* buttons, on pages the user may edit only."""
    if not page.is_root() and user_can_translate(user, page):
        yield from localize_hooks.page_listing_more_buttons(page, user, view_name=view_name, next_url=next_url)


def _replace_hook(name: str, old, new) -> None:
    registered = hooks._hooks.get(name, [])
    hooks._hooks[name] = [(new if fn is old else fn, order) for fn, order in registered]


# wagtail-localize's module is imported (and its hooks registered) before we replace its buttons.
_replace_hook("register_page_header_buttons", localize_hooks.page_listing_more_buttons, translation_buttons)
_replace_hook("register_page_listing_more_buttons", localize_hooks.page_listing_more_buttons, translation_buttons)


class EditorSubmitPageTranslationView(SubmitPageTranslationView):
    """*Translate this page*, for a page the user may edit."""

    def get_object(self):
        page = super().get_object()
        if not page.permissions_for_user(self.request.user).can_edit():
            raise PermissionDenied
        return page


class EditorUpdateTranslationsView(UpdateTranslationsView):
    """*Sync translated pages*, for a source page the user may edit."""

    def get_object(self):
        source = super().get_object()
        instance = source.get_source_instance()
        if isinstance(instance, Page) and not instance.permissions_for_user(self.request.user).can_edit():
            raise PermissionDenied
        return source


@hooks.register("register_admin_urls", order=-1)
def translation_urls():
    """The same paths as wagtail-localize's, registered before them (order -1), so these answer."""
    return [
        path(
            "localize/submit/page/<int:page_id>/",
            EditorSubmitPageTranslationView.as_view(),
            name="essaim_submit_page_translation",
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            EditorUpdateTranslationsView.as_view(),
            name="essaim_update_translations",
        ),
    ]


def translation_of(page: Page) -> Translation | None:
    """The enabled wagtail-localize translation whose target is ``page``, if any."""
    return Translation.objects.filter(
        source__object_id=page.translation_key, target_locale_id=page.locale_id, enabled=True
    ).first()


def submits_for_validation(user, page: Page) -> bool:
    """Whether ``user`` submits this translation to the moderation workflow rather than publish it."""
    perms = page.permissions_for_user(user)
    return perms.can_edit() and not perms.can_publish() and page.get_workflow() is not None


@hooks.register("before_edit_page", order=-1)
def submit_translation_for_validation(request, page):
    """wagtail-localize's editor posts ``action=publish``; from someone who may edit but not
    publish the page, that is a submission to the network's validation (wagtail-localize
    would refuse it)."""
    if request.method != "POST" or request.POST.get("action") != "publish":
        return None
    translation = translation_of(page)
    if translation is None or not submits_for_validation(request.user, page):
        return None
    submitted = services.translation_submit(translation=translation, user=request.user)
    messages.success(
        request,
        _("The %(language)s translation of “%(title)s” is submitted for validation by the network.")
        % {"language": translation.target_locale.get_display_name(), "title": submitted.title},
    )
    return redirect(request.path)
