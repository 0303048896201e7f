"""Admin forms for venues that are not pages."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from venues import services
from venues.models import VenueTeam


class VenueTeamForm(WagtailAdminModelForm):
    """Who manages a venue. Saving goes through ``venue_team_set_managers``."""

    managers = forms.ModelMultipleChoiceField(
        label=_("Managers"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text=_("They can edit this venue's page and photos, and nothing else."),
    )

    class Meta:
        model = VenueTeam
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["managers"].initial = list(self.instance.group.user_set.values_list("pk", flat=True))

    def save(self, commit=True):
        return services.venue_team_set_managers(team=self.instance, users=self.cleaned_data["managers"])
