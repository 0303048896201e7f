"""The account page where a person chooses their language: e-mails, personal feed, API messages."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.services import profiles as profile_services
from accounts.services import verification


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=gettext_lazy("Language of your e-mails, your calendar feed and the API"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )


@login_required
@require_http_methods(["GET", "POST"])
def language_choose(request):
    """GET: the form with the person's language. POST: save it and show this page in it."""
    current = verification.preferred_language(request.user) or translation.get_language()
    form = LanguageForm(request.POST or None, initial={"language": current})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["language"]
        profile_services.profile_update(request.user, language=code)
        with translation.override(code):
            messages.success(request, _("Your language is saved."))
        return redirect(translate_url(reverse("account_language"), code))
    status = 400 if form.errors else 200
    return TemplateResponse(request, "accounts/language/choose.html", {"form": form}, status=status)
