"""The account's API tokens: made with a name, the secret shown once on the answer to the POST
(never stored, never in a redirect or the session), listed with their last use, revoked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms_mydata import TokenForm
from accounts.models import ApiToken
from accounts.services import tokens as token_services


@never_cache
@login_required
def tokens(request):
    form, secret, status = TokenForm(), None, 200
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            _token, secret = token_services.api_token_create(user=request.user, name=form.cleaned_data["name"])
            form = TokenForm()
        else:
            status = 400
    context = {"form": form, "secret": secret, "tokens": ApiToken.objects.filter(user=request.user)}
    return render(request, "accounts/mydata/tokens.html", context, status=status)


@login_required
@require_POST
def token_revoke(request, pk: int):
    if token_services.api_token_revoke(user=request.user, token_id=pk):
        messages.success(request, _("The token is revoked: requests made with it are refused from now on."))
    return redirect("account_tokens")
