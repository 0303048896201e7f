"""The Wagtail admin's "Invitations": invite someone to a team, see every invitation's state,
revoke or resend one. Network admins see them all; a venue manager only their venues'."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from accounts.models import InvitationRole, InvitationState
from accounts.services import invitations as services
from core.errors import DomainError
from core.roles import is_network_admin
from venues.permissions import manages_any_venue

#: The team choice that stands for the network admins' group.
NETWORK_ADMINS_CHOICE = "network_admins"


def may_invite(user) -> bool:
    return is_network_admin(user) or manages_any_venue(user)


class InviterRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not may_invite(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class InvitationForm(forms.Form):
    """Who, to which team (among those the user may invite to), and the language of the e-mail."""

    email = forms.EmailField(label=gettext_lazy("E-mail address"), widget=forms.EmailInput({"autocomplete": "off"}))
    team = forms.ChoiceField(label=gettext_lazy("Team"))
    language = forms.ChoiceField(label=gettext_lazy("Language of the e-mail"), choices=settings.LANGUAGES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        teams = sorted(services.teams_invitable_by(user), key=lambda team: team.venue_title().casefold())
        choices = [(str(team.pk), team.venue_title()) for team in teams]
        if is_network_admin(user):
            choices.insert(0, (NETWORK_ADMINS_CHOICE, str(InvitationRole.NETWORK_ADMIN.label)))
        self.teams = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [("", "—"), *choices] if len(choices) > 1 else choices
        self.fields["language"].initial = (translation.get_language() or settings.LANGUAGE_CODE)[:2]

    def target(self) -> tuple[str, object]:
        choice = self.cleaned_data["team"]
        if choice == NETWORK_ADMINS_CHOICE:
            return InvitationRole.NETWORK_ADMIN, None
        return InvitationRole.VENUE_TEAM, self.teams[choice]


class InvitationIndexView(InviterRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """The invitations the user may see, newest first, with the form to send one more."""

    template_name = "accounts/invitations/admin_index.html"
    page_title = gettext_lazy("Invitations")
    header_icon = "mail"
    #: Shown at most; older ones stay in the database.
    LIMIT = 200

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    @cached_property
    def invitations(self):
        return list(services.invitations_visible_to(self.request.user)[: self.LIMIT])

    def get_context_data(self, **kwargs):
        now = timezone.now()
        rows = [(invitation, invitation.state_at(now)) for invitation in self.invitations]
        return super().get_context_data(
            invitation_days=settings.ESSAIM_INVITATION_DAYS,
            form=kwargs.pop("form", None)
            or InvitationForm(user=self.request.user, initial={"team": self.request.GET.get("team", "")}),
            rows=[
                {
                    "invitation": invitation,
                    "state": state,
                    "state_label": InvitationState(state).label,
                    "can_revoke": state == InvitationState.PENDING,
                    "can_resend": state in (InvitationState.PENDING, InvitationState.EXPIRED),
                }
                for invitation, state in rows
            ],
            **kwargs,
        )

    def post(self, request):
        form = InvitationForm(request.POST, user=request.user)
        if form.is_valid():
            role, team = form.target()
            try:
                invitation, _token = services.invitation_invite(
                    inviter=request.user,
                    email=form.cleaned_data["email"],
                    role=role,
                    team=team,
                    language=form.cleaned_data["language"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s for %(team)s.")
                    % {"email": invitation.email, "team": invitation.team_label()},
                )
                return redirect("invitations:index")
        messages.error(request, _("The invitation was not sent: see the form below."))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class InvitationActionView(InviterRequiredMixin, View):
    """POST: revoke or resend one invitation among those the user may see."""

    http_method_names = ["post"]

    def post(self, request, pk, action):
        if action not in ("revoke", "resend"):
            raise Http404
        invitation = get_object_or_404(services.invitations_visible_to(request.user), pk=pk)
        try:
            if action == "revoke":
                services.invitation_revoke(invitation=invitation, actor=request.user)
                messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email})
            else:
                services.invitation_resend(invitation=invitation, actor=request.user)
                messages.success(
                    request, _("The invitation was sent again to %(email)s.") % {"email": invitation.email}
                )
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("invitations:index")
