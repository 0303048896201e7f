"""Booking waits for a confirmed address: the page that says so, sends the link again, and returns.

Booking pages (``bookings``, ``events``) send an unconfirmed person here with ``next`` = what they
were booking (``core.identity.confirm_first_url``); the link e-mailed from here carries the same
``next``, so confirming the address (even in another browser) leads back to that booking.
"""

from allauth.account.internal.flows import email_verification
from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import identity


def safe_next(request, default: str = "") -> str:
    """``next`` from the form or the query string when it is a path on this site, else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def confirm_first(request):
    """GET: why booking waits and a button to send the link again. POST: send it (allauth's flow,
    rate-limited per address: within the limit the earlier link still works), then show this page."""
    back = safe_next(request)
    if identity.email_verified(request.user):
        return redirect(back or "bookings:mine")
    address = EmailAddress.objects.filter(user=request.user, verified=False).order_by("-primary", "pk").first()
    if request.method == "POST" and address is not None:
        # allauth's flow adds its own "confirmation sent" message; a limited resend adds nothing.
        if not email_verification.send_verification_email_to_address(request, address):
            messages.info(request, _("A link was sent a moment ago: look for it in your mailbox, or try again later."))
        return redirect(identity.confirm_first_url(back) if back else "account_confirm_first")
    return TemplateResponse(
        request, "accounts/signup/confirm_first.html", {"address": address, "next": back}, status=403
    )
