"""The admin's "Federation": this node's address and key fingerprint, every peer with its state and
sync progress, a form to pair with a node, and confirmation pages to approve, suspend, resume or
revoke one. Network admins only (a venue manager gets 403)."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from core.errors import DomainError
from core.roles import is_network_admin
from federation.keys import node_identity
from federation.models import Peer, PeerState
from federation.peer_overview import key_fingerprint, peer_rows
from federation.services import pairing, sync


class NetworkAdminRequiredMixin:
    """A true 403 (Wagtail would turn a raised ``PermissionDenied`` into a redirect to the dashboard)."""

    def dispatch(self, request, *args, **kwargs):
        if not is_network_admin(request.user):
            return permission_denied(request, PermissionDenied())
        return super().dispatch(request, *args, **kwargs)


class PairForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address of the node"),
        max_length=200,
        help_text=gettext_lazy("Its base URL, e.g. https://essaim.example.org"),
        widget=forms.URLInput({"autocomplete": "off", "inputmode": "url"}),
    )


#: action → (who may take it, service, page title, button, explanation, message when done).
ACTIONS = {
    "approve": {
        "from": (PeerState.PENDING,),
        "service": pairing.peer_approve,
        "title": gettext_lazy("Approve the pairing with %(name)s"),
        "button": gettext_lazy("Approve the pairing"),
        "explanation": gettext_lazy(
            "Check this fingerprint with the other node's admin (by phone, say) before approving: it is "
            "the key that will sign everything this node receives from %(url)s."
        ),
        "done": gettext_lazy("The pairing with %(name)s is approved."),
        "danger": False,
    },
    "suspend": {
        "from": (PeerState.ACTIVE,),
        "service": pairing.peer_suspend,
        "title": gettext_lazy("Suspend %(name)s"),
        "button": pgettext_lazy("peer", "Suspend"),
        "explanation": gettext_lazy(
            "Its requests are refused and its mirrors stop updating until you resume it. It is told."
        ),
        "done": gettext_lazy("%(name)s is suspended."),
        "danger": True,
    },
    "resume": {
        "from": (PeerState.SUSPENDED,),
        "service": pairing.peer_resume,
        "title": gettext_lazy("Resume %(name)s"),
        "button": pgettext_lazy("peer", "Resume"),
        "explanation": gettext_lazy("The pairing is active again; its mirrors catch up. It is told."),
        "done": gettext_lazy("%(name)s is active again."),
        "danger": False,
    },
    "sync": {
        "from": (PeerState.ACTIVE,),
        "service": lambda url: sync_now(url),
        "title": gettext_lazy("Synchronise with %(name)s now"),
        "button": gettext_lazy("Synchronise now"),
        "explanation": gettext_lazy(
            "Pull its change feed now rather than at the next nudge or minute; its backoff is reset."
        ),
        "done": gettext_lazy("%(name)s is synchronised."),
        "danger": False,
    },
    "revoke": {
        "from": (PeerState.REQUESTED, PeerState.PENDING, PeerState.ACTIVE, PeerState.SUSPENDED),
        "service": pairing.peer_revoke,
        "title": gettext_lazy("Revoke %(name)s"),
        "button": pgettext_lazy("peer", "Revoke"),
        "explanation": gettext_lazy(
            "This is final: its requests are refused for good, and pairing again takes a new request "
            "from both sides. It is told."
        ),
        "done": gettext_lazy("%(name)s is revoked."),
        "danger": True,
    },
}


def sync_now(url: str):
    """The admin's "synchronise now": a pull at once; its error is the page's error message."""
    peer = Peer.objects.get(url=url)
    result = sync.sync_peer(peer)
    if result.error:
        raise DomainError(_("The synchronisation failed: %(error)s") % {"error": result.error}, code="sync_failed")
    return pairing.PairingResult(peer)


def actions_for(peer: Peer) -> list[str]:
    return [action for action, spec in ACTIONS.items() if peer.state in spec["from"]]


class PeerIndexView(NetworkAdminRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "federation/admin/index.html"
    page_title = gettext_lazy("Federation")
    header_icon = "site"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        identity = node_identity()
        rows = peer_rows()
        return super().get_context_data(
            node_url=settings.ESSAIM_NODE_URL,
            node_name=settings.ESSAIM_NODE_NAME,
            node_fingerprint=identity.fingerprint,
            form=kwargs.pop("form", None) or PairForm(),
            rows=[{"row": row, "actions": actions_for(row.peer)} for row in rows],
            pending=[row for row in rows if row.peer.state == PeerState.PENDING],
            **kwargs,
        )

    def post(self, request):
        form = PairForm(request.POST)
        if form.is_valid():
            try:
                result = pairing.peer_add(url=form.cleaned_data["url"])
            except DomainError as error:
                form.add_error("url", error.message)
            else:
                peer = result.peer
                names = {"name": peer.name or peer.url, "fp": key_fingerprint(peer.public_key)}
                if peer.state == PeerState.ACTIVE:
                    text = _("Paired with %(name)s: it had already approved this key (%(fp)s).")
                elif peer.state == PeerState.PENDING:
                    text = _(
                        "%(name)s had asked to pair too: check the fingerprint %(fp)s with their admin, then approve."
                    )
                else:
                    text = _(
                        "Pairing requested with %(name)s. Their admin must approve it; "
                        "the fingerprint of their key is %(fp)s."
                    )
                messages.success(request, text % names)
                _warn(request, result)
                return redirect("federation_peers:index")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PeerActionView(NetworkAdminRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """GET: the confirmation page (the fingerprint first, for an approval); POST: do it."""

    template_name = "federation/admin/confirm.html"
    header_icon = "site"

    @cached_property
    def action(self) -> str:
        if self.kwargs["action"] not in ACTIONS:
            raise Http404
        return self.kwargs["action"]

    @cached_property
    def spec(self) -> dict:
        return ACTIONS[self.action]

    @cached_property
    def peer(self) -> Peer:
        return get_object_or_404(Peer, pk=self.kwargs["pk"])

    def get_page_title(self):
        return self.spec["title"] % {"name": self.peer.name or self.peer.url}

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": _index_url(), "label": _("Federation")},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        for url_argument in ("pk", "action"):  # the URL's; the context has its own below
            kwargs.pop(url_argument, None)
        names = {"name": self.peer.name or self.peer.url, "url": self.peer.url}
        return super().get_context_data(
            peer=self.peer,
            action=self.action,
            fingerprint=key_fingerprint(self.peer.public_key),
            explanation=self.spec["explanation"] % names,
            button=self.spec["button"],
            danger=self.spec["danger"],
            allowed=self.peer.state in self.spec["from"],
            **kwargs,
        )

    def post(self, request, **kwargs):
        names = {"name": self.peer.name or self.peer.url}
        try:
            result = self.spec["service"](url=self.peer.url)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, self.spec["done"] % names)
            _warn(request, result)
        return redirect("federation_peers:index")


def _warn(request, result) -> None:
    if result.problem:
        messages.warning(
            request, _("Done here, but the other node was not told: %(problem)s") % {"problem": result.problem}
        )


def _index_url() -> str:
    return reverse("federation_peers:index")
