"""The form a venue manager attaches or changes an outside calendar with.

Every choice comes from the venues the user manages (``venues_managed_by``): another venue's
resource, or a peer's mirrored venue, is not a valid choice. The address is a password-style input
that is never given back to the browser: on edit, an empty one keeps the address stored.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bookings.models import WORKSPACE_KINDS, Resource
from calendars import addresses
from venues.permissions import venues_managed_by

ADDRESS_HELP = _(
    "Where to find it — Google Calendar: the calendar's settings, “Integrate calendar”, "
    "“Secret address in iCal format”. Outlook: Settings, Calendar, Shared calendars, "
    "“Publish calendar”, then the ICS link. Nextcloud: the calendar's menu, "
    "“Copy subscription link”. Addresses that start with webcal:// work too."
)


def resource_label(resource) -> str:
    return f"{resource.venue.title} — {resource.name}"


class CalendarForm(forms.Form):
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=None)
    resource = forms.ModelChoiceField(
        label=_("What it blocks"),
        queryset=None,
        required=False,
        empty_label=_("The whole venue"),
        help_text=_("One resource, or the whole venue (then the resources ticked below, or all of them)."),
    )
    resources = forms.ModelMultipleChoiceField(
        label=_("Resources of the whole venue it blocks"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for a calendar of the whole venue. None ticked: every resource of the venue."),
    )
    address = forms.CharField(
        label=_("Secret iCal address"),
        required=False,
        max_length=addresses.MAX_LENGTH,
        widget=forms.PasswordInput(
            render_value=False, attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"}
        ),
        help_text=ADDRESS_HELP,
    )
    name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=120,
        help_text=_("How the team calls it, e.g. “Room bookings (Google)”."),
    )
    all_day_blocks = forms.BooleanField(
        label=_("All-day events block the whole day"),
        required=False,
        help_text=_("Off by default: Google and Outlook put birthdays and holidays there."),
    )
    enabled = forms.BooleanField(
        label=_("Fetch this calendar"),
        required=False,
        initial=True,
        help_text=_("Untick to pause it: its busy times stay as they are until it is fetched again."),
    )

    def __init__(self, *args, user, calendar=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.calendar = calendar
        venues = venues_managed_by(user).order_by("title")
        managed = (
            Resource.objects.filter(venue__in=venues, origin="", kind__in=WORKSPACE_KINDS)
            .select_related("venue")
            .order_by("venue__title", "name")
        )
        self.fields["venue"].queryset = venues
        self.fields["resource"].queryset = managed
        self.fields["resources"].queryset = managed
        for name in ("resource", "resources"):
            self.fields[name].label_from_instance = resource_label
        if calendar is None:
            self.fields["address"].required = True
            del self.fields["enabled"]
            if len(venues[:2]) == 1 and "venue" not in self.initial:
                self.initial["venue"] = venues[0].pk
        else:
            # Where a calendar is attached stays: to move it, add it again elsewhere.
            self.fields["venue"].disabled = self.fields["resource"].disabled = True
            self.fields["venue"].queryset = venues.filter(pk=calendar.venue_id)
            self.fields["address"].help_text = _("Leave empty to keep the current address.") + " " + ADDRESS_HELP
            if calendar.resource_id:
                del self.fields["resources"]
            else:
                self.fields["resources"].queryset = managed.filter(venue_id=calendar.venue_id)
            self.initial.update(
                venue=calendar.venue_id,
                resource=calendar.resource_id,
                name=calendar.name,
                all_day_blocks=calendar.all_day_blocks,
                enabled=calendar.enabled,
            )
            if "resources" in self.fields:
                self.initial["resources"] = [r.pk for r in calendar.resources.all()]

    def clean_address(self):
        address = self.cleaned_data.get("address", "")
        if not address.strip() and self.calendar is not None:
            return ""
        return addresses.normalise(address)

    def clean(self):
        cleaned = super().clean()
        venue, resource = cleaned.get("venue"), cleaned.get("resource")
        if venue and resource and resource.venue_id != venue.pk:
            self.add_error("resource", _("This resource belongs to another venue."))
        if resource and cleaned.get("resources"):
            self.add_error("resources", _("Choose resources only for a calendar of the whole venue."))
        return cleaned

    def add_service_error(self, error: ValidationError) -> None:
        """A service's refusal, on the field it names when the form has it."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
