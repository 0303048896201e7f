"""Forms of the account page: name, consent to share it with partner nodes, projects, tokens, and
the confirmation of a deletion."""

from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _

from accounts.models import Project, ProjectStage
from core.validators import single_line


class NameForm(forms.Form):
    """A person's name, on the account page and (with more) at sign-up."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        validators=[single_line],
        widget=forms.TextInput({"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        validators=[single_line],
        widget=forms.TextInput({"autocomplete": "family-name"}),
    )


class SharingForm(forms.Form):
    """Consent to give one's name and e-mail to the partner node of a venue one books there."""

    share_identity_with_peers = forms.BooleanField(
        label=_("Share my name and e-mail address with the partner node of a venue I book"),
        help_text=_(
            "Your first and last name and e-mail address go to the other Essaim node that runs the venue, for "
            "its managers; without this, that node only sees a pseudonym. Untick it at any time: your next "
            "bookings no longer share them."
        ),
        required=False,
    )


class ProjectForm(forms.ModelForm):
    stage = forms.ChoiceField(label=_("Stage"), choices=[("", "—"), *ProjectStage.choices], required=False)

    class Meta:
        model = Project
        fields = ["name", "stage", "city"]


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the new token"),
        max_length=100,
        validators=[single_line],
        help_text=_("Say where it will be used, e.g. “booking script” or “phone”."),
    )


class DeleteForm(forms.Form):
    """The password when the account has one (an account made through ProConnect has none: allauth's
    re-authentication stands in for it), and a box ticked on purpose.

    The password is checked through ``authenticate``, so django-axes counts wrong guesses here as on
    the log-in page: a borrowed session cannot be used to try passwords without end."""

    password = forms.CharField(
        label=_("Your password"), strip=False, widget=forms.PasswordInput({"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(label=_("I understand that my account is deleted for good."))

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request, self.user = request, request.user
        if not self.user.has_usable_password():
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        user = authenticate(self.request, username=self.user.get_username(), password=password)
        if user is None or user.pk != self.user.pk:
            raise forms.ValidationError(_("This is not your password."), code="wrong_password")
        return password
