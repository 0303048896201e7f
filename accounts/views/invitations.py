"""The invitation link's pages: what the invitation is, and how to accept it.

Logged out, the person signs up (their address fixed to the invited one, and recorded as verified
by allauth because the link proves they own it) or logs in, and comes back here. Logged in with
the invited address, one button joins the team; with another address, a clear refusal. A link
that is unknown, used, revoked or expired answers a message page (404 or 410), never an error.
"""

from allauth.account.adapter import get_adapter
from allauth.account.views import SignupView
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View

from accounts.models import InvitationRole, InvitationState
from accounts.services import invitations as services
from core.errors import DomainError


def _closed(request, invitation, status=410, message=None):
    """The page of a link that cannot be used: why, and where to go instead."""
    if message is None:
        message = (
            services.closed_message(invitation.state)
            if invitation
            else _("This invitation link is not valid. Check that you copied the whole link from the e-mail.")
        )
    return render(
        request, "accounts/invitations/closed.html", {"message": message}, status=404 if invitation is None else status
    )


def _landing(invitation) -> str:
    """Where a new team member starts: their venue's page in the admin, or the admin's home."""
    if invitation.role == InvitationRole.VENUE_TEAM and invitation.team.venue is not None:
        return reverse("wagtailadmin_pages:edit", args=[invitation.team.venue.pk])
    return reverse("wagtailadmin_home")


class InvitationAcceptView(View):
    """GET: the invitation and what to do next. POST: accept it (logged in with the invited address)."""

    def dispatch(self, request, token):
        self.token = token
        self.invitation = services.invitation_find(token)
        if self.invitation is None or self.invitation.state != InvitationState.PENDING:
            return _closed(request, self.invitation)
        return super().dispatch(request, token)

    def get(self, request, token):
        invitation = self.invitation
        here = request.get_full_path()
        inviter = invitation.invited_by
        context = {
            "invitation": invitation,
            "team": invitation.team_label(),
            "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else None,
            "matches": request.user.is_authenticated and services.address_matches(request.user, invitation),
            "signup_url": reverse("invitation_signup", kwargs={"token": token}),
            "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
            "logout_url": reverse("account_logout"),
            "here": here,
        }
        return render(request, "accounts/invitations/accept.html", context)

    def post(self, request, token):
        if not request.user.is_authenticated:
            return redirect(reverse("account_login") + "?" + urlencode({"next": request.path}))
        try:
            invitation = services.invitation_accept(token=token, user=request.user, now=timezone.now())
        except DomainError as error:
            return _closed(request, self.invitation, status=error.status, message=error.message)
        messages.success(request, _("Welcome to the team of %(team)s.") % {"team": invitation.team_label()})
        return HttpResponseRedirect(_landing(invitation))


class InvitationSignupView(SignupView):
    """allauth's sign-up, with the address fixed to the invited one and recorded as verified
    (``stash_verified_email``: the link proves the person owns it); then back to the invitation."""

    template_name = "accounts/invitations/signup.html"

    def dispatch(self, request, *args, token, **kwargs):
        self.token = token
        self.invitation = services.invitation_find(token)
        if self.invitation is None or self.invitation.state != InvitationState.PENDING:
            return _closed(request, self.invitation)
        if request.user.is_authenticated:
            return redirect("invitation_accept", token=token)
        get_adapter(request).stash_verified_email(request, self.invitation.email)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {**super().get_initial(), "email": self.invitation.email}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["email"].disabled = True
        form.fields["email"].initial = self.invitation.email
        return form

    def get_success_url(self):
        return reverse("invitation_accept", kwargs={"token": self.token})

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "invitation": self.invitation,
            "team": self.invitation.team_label(),
            "action_url": self.request.path,
            "login_url": reverse("account_login")
            + "?"
            + urlencode({"next": reverse("invitation_accept", kwargs={"token": self.token})}),
        }
