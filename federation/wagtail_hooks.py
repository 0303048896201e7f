"""Admin wiring for federation: the "Federation" menu item and its screens, for network admins."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet

from core.roles import is_network_admin
from federation.admin import peers


class NetworkAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return is_network_admin(request.user)


class FederationViewSet(ViewSet):
    name = "federation_peers"
    url_prefix = "federation"
    icon = "site"
    menu_label = _("Federation")
    menu_item_class = NetworkAdminMenuItem
    add_to_admin_menu = True
    menu_order = 950

    def get_urlpatterns(self):
        return [
            path("", peers.PeerIndexView.as_view(), name="index"),
            path("<int:pk>/<slug:action>/", peers.PeerActionView.as_view(), name="action"),
        ]


@hooks.register("register_admin_viewset")
def register_federation():
    return FederationViewSet()
