"""The directory's filter form, and the ``near`` / ``radius_km`` fields every public search form
reads a place with (the directory, the search for free desks and rooms)."""

from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from venues import geo, vocabulary


class NearField(forms.CharField):
    """The hidden ``near=<latitude>,<longitude>`` a browser fills in from its position, read by
    ``geo.parse_point``; cleans to a ``geo.Point``, or ``None`` when empty. Visitors never type
    it, so any fault gets one message that points them to the place field."""

    widget = forms.HiddenInput
    default_error_messages = {"invalid": _("Your location could not be read; type a city or an address instead.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        try:
            return geo.parse_point(text)
        except geo.GeoInputError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class RadiusField(forms.ChoiceField):
    """``radius_km`` chosen from ``kilometres``, read by ``geo.parse_radius``; cleans to a float,
    ``default_km`` when empty."""

    default_error_messages = {"invalid_choice": _("Choose a distance from the list.")}

    def __init__(self, *, kilometres: Iterable[int], default_km: int, **kwargs):
        kwargs.setdefault("label", _("Within"))
        kwargs.setdefault("required", False)
        choices = [(str(km), _("%(km)s km") % {"km": km}) for km in kilometres]
        super().__init__(choices=choices, initial=str(default_km), **kwargs)
        self.default_km = default_km

    def clean(self, value):
        text = super().clean(value)
        try:
            return geo.parse_radius(text or self.default_km)
        except geo.GeoInputError as exc:
            raise forms.ValidationError(str(exc)) from None


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
    near = NearField()
    radius_km = RadiusField(kilometres=(5, 10, 25, 50, 100, 250, 500, 1000), default_km=50)

    def __init__(self, *args, country_codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        names = dict(countries)
        self.fields["country"].choices = [("", _("All countries"))] + sorted(
            ((code, names.get(code, code)) for code in country_codes), key=lambda item: str(item[1])
        )
