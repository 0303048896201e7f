"""Setting up a node's site: locales, the home page and the directory in each language, the
network admins' group and their moderation workflow. Idempotent: ``make run`` calls it on every
start through ``load_demo``.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.models import HomePage
from core.roles import NETWORK_ADMINS
from venues.models import VenueIndexPage

#: Page permissions network admins hold on the directory (so on every venue below it).
NETWORK_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "delete_page", "lock_page", "unlock_page")


@dataclass
class SiteTree:
    home: HomePage
    directory: VenueIndexPage


def _publish(page: Page) -> Page:
    page.save_revision().publish()
    return page


@transaction.atomic
def site_setup(
    *,
    home_title: str = "Essaim — le réseau des tiers-lieux",
    home_fields: dict | None = None,
    directory_title: str = "Les lieux",
    translations: dict | None = None,
) -> SiteTree:
    """Create what a node needs to serve pages: locales, home, directory, site, admin group.

    ``translations`` maps a language to the English (or other) titles and fields, e.g.
    ``{"en": {"home": {...}, "directory": {...}}}``; missing translations are created, existing
    ones are left as editors made them.
    """
    default_language = settings.LANGUAGE_CODE
    default_locale, _ = Locale.objects.get_or_create(language_code=default_language)
    for code, _name in settings.LANGUAGES:
        Locale.objects.get_or_create(language_code=code)

    root = Page.get_first_root_node()
    home = HomePage.objects.filter(locale=default_locale).first()
    if home is None:
        home = HomePage(title=home_title, slug="accueil", locale=default_locale, **(home_fields or {}))
        root.add_child(instance=home)
        _publish(home)
        # Wagtail's migration adds a placeholder "Welcome" page; the network's home replaces it.
        for placeholder in root.get_children().exclude(pk=home.pk).filter(depth=2, content_type__model="page"):
            Site.objects.filter(root_page=placeholder).update(root_page=home)
            placeholder.delete()
    # The default site answers every host; its name and port make the absolute URLs of pages
    # (sitemap, JSON-LD), so they follow ESSAIM_NODE_URL.
    node = urlsplit(settings.ESSAIM_NODE_URL)
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = node.hostname or "localhost"
    site.port = node.port or (443 if node.scheme == "https" else 80)
    site.site_name = settings.ESSAIM_NODE_NAME
    site.root_page = home
    site.save()

    directory = VenueIndexPage.objects.filter(locale=default_locale).first()
    if directory is None:
        directory = VenueIndexPage(title=directory_title, slug="lieux", locale=default_locale)
        home.add_child(instance=directory)
        _publish(directory)

    for language, pages in (translations or {}).items():
        locale = Locale.objects.get(language_code=language)
        for page, fields in ((home, pages.get("home", {})), (directory, pages.get("directory", {}))):
            if page.get_translation_or_none(locale) is None:
                translated = page.copy_for_translation(locale).specific
                for name, value in fields.items():
                    setattr(translated, name, value)
                _publish(translated)

    network_admins_ensure(directory=directory)
    return SiteTree(home=home, directory=directory)


@transaction.atomic
def network_admins_ensure(*, directory: VenueIndexPage) -> Group:
    """The group of network admins: venues of every kind, labels, users and teams."""
    group, _ = Group.objects.get_or_create(name=NETWORK_ADMINS)
    codenames = [
        ("wagtailadmin", "access_admin"),
        ("venues", "award_label"),
        ("auth", "add_user"),
        ("auth", "change_user"),
        ("auth", "view_user"),
        ("auth", "change_group"),
        ("auth", "view_group"),
        ("venues", "change_venueteam"),
        ("venues", "view_venueteam"),
        ("events", "publish_programme"),
        ("wagtail_localize", "submit_translation"),
    ]
    for app_label, codename in codenames:
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    page_permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=NETWORK_PAGE_PERMISSIONS
    )
    for page in Page.objects.filter(translation_key=directory.translation_key):
        for permission in page_permissions:
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
    root_collection = Collection.get_first_root_node()
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailimages",
        codename__in=("add_image", "change_image", "choose_image", "delete_image"),
    ):
        GroupCollectionPermission.objects.get_or_create(group=group, collection=root_collection, permission=permission)
    moderation_ensure(group=group)
    return group


#: The name of the network's moderation workflow and of its approval task, which editors read in
#: "Soumettre à …" and "En attente de …" (``venues`` migration 0007 renames Wagtail's
#: "Moderators approval" to it).
MODERATION_WORKFLOW = "Validation du réseau"


@transaction.atomic
def moderation_ensure(*, group: Group) -> Workflow:
    """Network admins approve what is submitted for moderation (a hub's programmes): they join
    the approval tasks of the workflow on the root page, which Wagtail's migrations create for
    its "Moderators" group; a root without a workflow gets one whose task is theirs."""
    root = Page.get_first_root_node()
    link = WorkflowPage.objects.filter(page=root, workflow__active=True).select_related("workflow").first()
    if link is None:
        workflow, _ = Workflow.objects.get_or_create(name=MODERATION_WORKFLOW, defaults={"active": True})
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
    else:
        workflow = link.workflow
    tasks = GroupApprovalTask.objects.filter(workflow_tasks__workflow=workflow, active=True)
    if not tasks.exists():
        task = GroupApprovalTask.objects.filter(name=MODERATION_WORKFLOW).first()
        if task is None:
            task = GroupApprovalTask.objects.create(name=MODERATION_WORKFLOW)
        WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
        tasks = GroupApprovalTask.objects.filter(pk=task.pk)
    for task in tasks:
        task.groups.add(group)
    return workflow


@transaction.atomic
def translation_submit(*, translation, user) -> Page:
    """Save a wagtail-localize translation as a draft of its page and submit it to the page's
    moderation workflow (unless it is already under way: the new draft is what is reviewed).

    For editors who may not publish the page (a hub, for its programmes): a network admin
    approves it, which publishes it.
    """
    translation.save_target(user=user, publish=False)
    page = Page.objects.get(translation_key=translation.source.object_id, locale=translation.target_locale).specific
    if not page.workflow_in_progress:
        workflow = page.get_workflow()
        if workflow is not None:
            workflow.start(page, user)
    return page
