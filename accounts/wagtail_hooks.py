"""Admin wiring for accounts: the "Invitations" menu, for network admins and venue managers."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from accounts.views import invitation_admin


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
