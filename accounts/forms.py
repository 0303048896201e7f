"""The sign-up form's fields beyond allauth's e-mail and password."""

from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.forms_mydata import NameForm
from accounts.models import ProjectStage
from accounts.services import profiles as profile_services
from core.validators import single_line


class SignupForm(NameForm):
    """Name, preferred language and, optionally, the person's organisation or project.

    allauth mixes these fields into its own sign-up form (``ACCOUNT_SIGNUP_FORM_CLASS``) and calls
    ``signup`` once the user is saved."""

    language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    organisation = forms.CharField(
        label=_("Organisation or project (optional)"),
        max_length=200,
        required=False,
        validators=[single_line],
        widget=forms.TextInput({"autocomplete": "organization"}),
    )
    stage = forms.ChoiceField(
        label=_("Stage of the project (optional)"), choices=[("", "—"), *ProjectStage.choices], required=False
    )
    city = forms.CharField(
        label=_("City of the project (optional)"),
        max_length=120,
        required=False,
        validators=[single_line],
        widget=forms.TextInput({"autocomplete": "address-level2"}),
    )

    #: allauth adds e-mail and passwords to these fields and orders them all by this (Django reads it too).
    field_order = (
        "email",
        "password1",
        "password2",
        "first_name",
        "last_name",
        "language",
        "organisation",
        "stage",
        "city",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = (get_language() or settings.LANGUAGE_CODE)[:2]

    def signup(self, request, user):
        user.first_name = self.cleaned_data["first_name"].strip()
        user.last_name = self.cleaned_data["last_name"].strip()
        user.save(update_fields=["first_name", "last_name"])
        profile_services.profile_update(user, language=self.cleaned_data["language"])
        if self.cleaned_data.get("organisation", "").strip():
            profile_services.project_add(
                user,
                name=self.cleaned_data["organisation"],
                stage=self.cleaned_data.get("stage", ""),
                city=self.cleaned_data.get("city", ""),
            )


class LoginForm(allauth_forms.LoginForm):
    """allauth's log-in form, its first field named for what people type: an e-mail address or a username."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("E-mail address or username")
