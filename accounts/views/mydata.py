"""My data: the export (JSON, or a zip of CSV files) and the deletion of the account."""

from allauth.account.decorators import reauthentication_required
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts import export, selectors
from accounts.forms_mydata import DeleteForm
from accounts.services import erasure
from accounts.services.retention import periods

_FORMATS = {
    "json": ("application/json", export.as_json),
    "zip": ("application/zip", export.as_csv_zip),
}


@login_required
def data(request):
    preview = selectors.erasure_preview(request.user)
    return render(request, "accounts/mydata/data.html", {"preview": preview, "periods": periods()})


@never_cache
@login_required
def export_download(request, fmt: str):
    """An attachment, never cached (``never_cache``: ``Cache-Control: private, no-store``)."""
    if fmt not in _FORMATS:
        raise Http404
    content_type, render_file = _FORMATS[fmt]
    now = timezone.now()
    response = HttpResponse(render_file(selectors.personal_data(request.user, now=now)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="essaim-my-data-{now:%Y%m%d}.{fmt}"'
    return response


def _no_password(request) -> bool:
    return not request.user.has_usable_password()


@never_cache
@login_required
@reauthentication_required(allow_get=True, enabled=_no_password)
def delete(request):
    form = DeleteForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)  # this session first; the others end by themselves (see services.erasure)
        outcome = erasure.account_delete(user=user)
        return render(request, "accounts/mydata/deleted.html", outcome)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "preview": selectors.erasure_preview(request.user)}
    return render(request, "accounts/mydata/delete.html", context, status=status)


def privacy(request):
    return render(request, "accounts/privacy.html", {"periods": periods()})
