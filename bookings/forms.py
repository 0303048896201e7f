"""The public booking pages' forms: a day, a booking request, a cancellation, the search.

They only parse what the person sent; every booking rule is checked by ``services``, whose
errors the views attach to the field they concern (``field_for_code``).
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bookings.models import ResourceKind
from core import windows
from core.validators import multi_line
from venues.forms import NearField, RadiusField

PRESETS = [("morning", _("Morning")), ("afternoon", _("Afternoon")), ("day", _("Whole day"))]

#: Which form field a service error concerns; the others are shown above the form.
FIELD_OF_CODE = {
    "quantity_invalid": "quantity",
    "over_capacity": "quantity",
    "end_before_start": "end",
    "too_short": "end",
    "too_long": "end",
    "off_grid": "start",
    "in_past": "start",
    "too_soon": "start",
    "beyond_horizon": "start",
    "outside_opening_hours": "start",
    "closed": "start",
    "day_unit": "preset",
}


def field_for_code(code: str, *, presets: bool) -> str | None:
    field = FIELD_OF_CODE.get(code)
    if presets and field in ("start", "end"):
        return "preset"
    if not presets and field == "preset":
        return "start"
    return field


def parse_instant(value: str) -> datetime | None:
    """An ISO 8601 date-time with its UTC offset; ``None`` if it is not one."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        return None
    if not windows.FIRST_YEAR <= moment.year <= windows.LAST_YEAR:
        return None  # no booking lives there, and the day's arithmetic would overflow
    return moment


class DayForm(forms.Form):
    day = windows.DayField(label=_("Day"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class BookingForm(forms.Form):
    """A booking of a resource: ``start``/``end`` (ISO 8601 with offset, from the slot selects or
    a search result), or ``day`` + ``preset`` for half-day and day resources."""

    start = forms.CharField(label=pgettext_lazy("booking time", "From"), required=False, max_length=40)
    end = forms.CharField(label=pgettext_lazy("booking time", "Until"), required=False, max_length=40)
    day = windows.DayField(required=False, widget=forms.HiddenInput)
    preset = forms.ChoiceField(label=_("When"), required=False, choices=PRESETS, widget=forms.RadioSelect)
    quantity = forms.IntegerField(label=_("Desks"), min_value=1, max_value=10_000, initial=1)
    note = forms.CharField(
        label=_("Note for the venue (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[multi_line],
    )

    def __init__(self, *args, presets: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.presets = presets
        self.fields["quantity"].error_messages["invalid"] = _("Give a whole number.")
        if not self.is_bound:
            return
        data = self.data
        # A quantity missing from the form (a named desk, a room) is one.
        if not data.get(self.add_prefix("quantity")):
            data = data.copy()
            data[self.add_prefix("quantity")] = "1"
            self.data = data

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        if preset:
            if not data.get("day"):
                self.add_error("preset", _("Choose a day first."))
            return data
        if self.presets and not (data.get("start") or data.get("end")):
            self.add_error("preset", _("Choose the morning, the afternoon or the whole day."))
            return data
        for name, missing in (("start", _("Choose a start time.")), ("end", _("Choose an end time."))):
            raw = data.get(name)
            if name in self.errors:
                continue
            if not raw:
                self.add_error(name, missing)
                continue
            moment = parse_instant(raw)
            if moment is None:
                self.add_error(name, _("This time could not be read."))
            else:
                data[name] = moment
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional, shown to the venue)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[multi_line],
    )


KIND_CHOICES = [
    ("", _("Any: desk or room")),
    (ResourceKind.DESK, _("A named desk")),
    (ResourceKind.DESK_POOL, _("Any desk in an open space")),
    (ResourceKind.ROOM, _("A meeting room")),
]
WHEN_CHOICES = [
    ("morning", _("Morning")),
    ("afternoon", _("Afternoon")),
    ("day", _("Whole day")),
    ("hours", _("Hours")),
]
#: Whose clock typed hours are read on: each venue's (what its page shows), or the browser's.
ZONE_VENUE, ZONE_MINE = "venue", "mine"
#: The quantity's label for each kind: desks are counted as desks, rooms (and "any") by people.
QUANTITY_LABELS = {
    ResourceKind.DESK: _("Number of desks"),
    ResourceKind.DESK_POOL: _("Number of desks"),
}
QUANTITY_LABEL_PEOPLE = _("Number of people")
#: Quick choices: wall-clock hours of the search window in the venue's time zone.
WHEN_HOURS = {"morning": (time(9), time(13)), "afternoon": (time(13), time(18)), "day": (time(9), time(18))}


class SearchForm(forms.Form):
    """ "I know when, not where": a day, a time range (or morning / afternoon / whole day), a place."""

    day = windows.DayField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    when = forms.ChoiceField(label=_("When"), choices=WHEN_CHOICES, initial="day", widget=forms.RadioSelect)
    start_time = forms.TimeField(
        label=pgettext_lazy("booking time", "From"),
        required=False,
        initial=time(9),
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}),
    )
    end_time = forms.TimeField(
        label=pgettext_lazy("booking time", "Until"),
        required=False,
        initial=time(17),
        widget=forms.TimeInput(attrs={"type": "time", "step": 900}),
    )
    place = forms.CharField(
        label=_("City or address"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    near = NearField()
    radius_km = RadiusField(kilometres=(5, 10, 25, 50, 100, 250), default_km=25)
    kind = forms.ChoiceField(label=_("What"), required=False, choices=KIND_CHOICES)
    quantity = forms.IntegerField(label=QUANTITY_LABEL_PEOPLE, required=False, min_value=1, max_value=50, initial=1)
    zone = forms.ChoiceField(
        label=_("Typed hours are"),
        required=False,
        initial=ZONE_VENUE,
        choices=[(ZONE_VENUE, _("In each venue’s time zone")), (ZONE_MINE, _("In my time zone"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["day"].widget.attrs["min"] = today.isoformat()
        if self.is_bound:
            # A search without a distance or a zone (an old link) shows the defaults, never the
            # list's first distance (5 km) that a browser would send back on the next search.
            defaults = {"radius_km": str(self.fields["radius_km"].default_km), "zone": ZONE_VENUE}
            missing = {name: value for name, value in defaults.items() if not self.data.get(name)}
            if missing:
                self.data = self.data.copy()
                self.data.update(missing)
        kind = self["kind"].value() or ""
        self.fields["quantity"].label = QUANTITY_LABELS.get(kind, QUANTITY_LABEL_PEOPLE)

    def clean_zone(self):
        return self.cleaned_data.get("zone") or ZONE_VENUE

    @property
    def has_place(self) -> bool:
        """A place typed or the browser's position: without one, nothing is searched."""
        return bool(self.cleaned_data.get("place") or self.cleaned_data.get("near"))

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < self.today:
            raise forms.ValidationError(_("Choose today or a later day."))
        if day > self.today + timedelta(days=730):
            raise forms.ValidationError(_("Choose a day within the next two years."))
        return day

    def clean(self):
        data = super().clean()
        if data.get("when") == "hours":
            start, end = data.get("start_time"), data.get("end_time")
            if start is None:
                self.add_error("start_time", _("Give a start time."))
            if end is None:
                self.add_error("end_time", _("Give an end time."))
            if start is not None and end is not None and end <= start:
                self.add_error("end_time", _("The end must be after the start."))
        return data

    def hours(self) -> tuple[time, time]:
        data = self.cleaned_data
        if data["when"] == "hours":
            return data["start_time"], data["end_time"]
        return WHEN_HOURS[data["when"]]
