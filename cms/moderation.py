"""What a moderator sees after "Approve" or "Request changes".

Wagtail performs workflow actions from the dashboard and the page listings without a word (its
``workflow_action`` view only redirects), so a network admin who approved a hub's programme did
not learn that it went live, nor in which languages. This middleware adds that message.
"""

from django.contrib import messages
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from wagtail.models import Page, TaskState
from wagtail.users.models import UserProfile

WORKFLOW_ACTION_VIEW = "wagtailadmin_pages:workflow_action"


def _live_languages(page: Page) -> str:
    """``in French and in English``: the languages in which the page is live, source first."""
    names = [
        pgettext("in a language", "in %(language)s") % {"language": translation.locale.get_display_name()}
        for translation in page.get_translations(inclusive=True).live().select_related("locale").order_by("id")
    ]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + _(" and ") + names[-1]


def moderation_message(request, *, page_id: int, task_state_id: int) -> None:
    """The message that says what the workflow action just did to the page."""
    task_state = TaskState.objects.filter(pk=task_state_id).first()
    page = Page.objects.filter(pk=page_id).first()
    if task_state is None or page is None:
        return
    # The title under review (a draft's title may not be the page's yet).
    title = page.get_latest_revision_as_object().title
    if task_state.status == TaskState.STATUS_APPROVED:
        if page.live:
            messages.success(
                request,
                _("“%(title)s” is approved: the page is live %(languages)s.")
                % {"title": title, "languages": _live_languages(page)},
            )
        else:
            messages.success(request, _("“%(title)s” is approved.") % {"title": title})
    elif task_state.status == TaskState.STATUS_REJECTED:
        messages.success(
            request,
            _("Changes requested on “%(title)s”: it goes back to its author; what is online does not change.")
            % {"title": title},
        )


class ModerationMessageMiddleware:
    """After Wagtail's workflow action view: a message on the result (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if request.method == "POST" and match is not None and match.view_name == WORKFLOW_ACTION_VIEW:
            # In the admin's language, which Wagtail activates inside its views only.
            language = UserProfile.get_for_user(request.user).get_preferred_language()
            with translation.override(language):
                moderation_message(
                    request, page_id=match.kwargs["page_id"], task_state_id=match.kwargs["task_state_id"]
                )
        return response
