"""Admin wiring for accounts: the "Invitations" menu, for network admins and venue managers, and an
"Invite to the team" button in the header of a venue page they may invite to."""

from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.viewsets.base import ViewSet

from accounts.services import invitations as invitation_services
from accounts.views import invitation_admin
from venues.models import VenuePage


class InviterMenuItem(MenuItem):
    def is_shown(self, request):
        return invitation_admin.may_invite(request.user)


class InvitationViewSet(ViewSet):
    name = "invitations"
    url_prefix = "invitations"
    icon = "mail"
    menu_label = _("Invitations")
    menu_item_class = InviterMenuItem
    add_to_admin_menu = True
    menu_order = 900

    def get_urlpatterns(self):
        return [
            path("", invitation_admin.InvitationIndexView.as_view(), name="index"),
            path("<int:pk>/<slug:action>/", invitation_admin.InvitationActionView.as_view(), name="action"),
        ]


@hooks.register("register_admin_viewset")
def register_invitations():
    return InvitationViewSet()


class InviteToTeamItem(PageMenuItem):
    """The Invitations page with the venue's team chosen."""

    label = _("Invite to the team")
    icon_name = "mail"
    priority = 55

    @cached_property
    def team(self):
        if not issubclass(self.page.specific_class or object, VenuePage):
            return None
        return (
            invitation_services.teams_invitable_by(self.user).filter(translation_key=self.page.translation_key).first()
        )

    def is_shown(self, user):
        self.user = user
        return self.team is not None

    @cached_property
    def url(self):
        return reverse("invitations:index") + "?" + urlencode({"team": self.team.pk})


@hooks.register("register_page_header_buttons")
def invite_to_team_button(page, user, view_name, next_url=None):
    yield InviteToTeamItem(page=page, next_url=next_url)
