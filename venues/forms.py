"""The directory's filter form: what a visitor can ask of the venue list."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from venues import geo, vocabulary

RADIUS_CHOICES = [(str(km), _("%(km)s km") % {"km": km}) for km in (5, 10, 25, 50, 100, 250, 500, 1000)]


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind of venue"), required=False, choices=[("", _("All kinds")), *vocabulary.KINDS]
    )
    city = forms.CharField(label=_("City"), required=False, max_length=120)
    country = forms.ChoiceField(label=_("Country"), required=False)
    label = forms.MultipleChoiceField(
        label=_("Labels"), required=False, choices=vocabulary.LABELS, widget=forms.CheckboxSelectMultiple
    )
    amenity = forms.MultipleChoiceField(
        label=_("Amenities"), required=False, choices=vocabulary.AMENITIES, widget=forms.CheckboxSelectMultiple
    )
    place = forms.CharField(
        label=_("Near a place"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("City or address"), "autocomplete": "off"}),
    )
    near = forms.CharField(required=False, widget=forms.HiddenInput)
    radius_km = forms.ChoiceField(label=_("Within"), required=False, choices=RADIUS_CHOICES, initial="50")

    def __init__(self, *args, country_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(countries)
        self.fields["country"].choices = [("", _("All countries"))] + sorted(
            ((code, names.get(code, code)) for code in country_codes), key=lambda item: str(item[1])
        )
        self.fields["radius_km"].error_messages["invalid_choice"] = _("Choose a distance from the list.")

    def clean_near(self):
        value = self.cleaned_data.get("near")
        if not value:
            return None
        try:
            return geo.parse_point(value)
        except geo.GeoInputError:
            raise forms.ValidationError(
                _("Your location could not be read; type a city or an address instead.")
            ) from None

    def clean_radius_km(self):
        try:
            return geo.parse_radius(self.cleaned_data.get("radius_km"))
        except geo.GeoInputError as exc:
            raise forms.ValidationError(str(exc)) from None
