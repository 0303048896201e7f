"""The public forms of the agenda and the event pages: the agenda's filters (read from the query
string, shared with ``/feeds/events.ics``) and the registration form.

A filter that does not validate is left out and shown with its error; the others still apply,
as in the venue directory.
"""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import windows
from events.selectors import AgendaFilters
from venues import vocabulary

#: The longest span the agenda lists at once (a year), so a request cannot expand forever.
MAX_SPAN_DAYS = 366
PRICE_CHOICES = [
    ("", _("Free or paid")),
    ("free", pgettext_lazy("price", "Free")),
    ("paid", pgettext_lazy("price", "Paid")),
]
#: The query parameters that narrow the agenda and ``/feeds/events.ics`` alike (``events.feed_filters.parse_filters``).
FILTER_NAMES = ("venue", "kind", "city", "programme", "start", "end", "price")


class AgendaFilterForm(forms.Form):
    venue = forms.ChoiceField(label=_("Venue"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of venue"), required=False, choices=[("", _("All kinds")), *vocabulary.KINDS]
    )
    city = forms.ChoiceField(label=_("City"), required=False)
    programme = forms.ChoiceField(label=_("Programme"), required=False)
    start = windows.DayField(
        label=pgettext_lazy("date range", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = windows.DayField(
        label=pgettext_lazy("date range", "To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    price = forms.ChoiceField(label=_("Price"), required=False, choices=PRICE_CHOICES)

    def __init__(self, data=None, *, choices: dict, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["venue"].choices = [("", _("All venues")), *choices["venues"]]
        self.fields["city"].choices = [("", _("All cities")), *((city, city) for city in choices["cities"])]
        self.fields["programme"].choices = [("", _("All programmes")), *choices["programmes"]]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the range must not be before its start."))
            elif (end - start).days > MAX_SPAN_DAYS:
                self.add_error("end", _("Choose a range of at most a year."))
        return data

    def filters(self) -> AgendaFilters:
        """The valid filters (an invalid field counts as empty)."""
        data = self.cleaned_data if self.is_bound else {}
        return AgendaFilters(
            venue=data.get("venue", ""),
            kind=data.get("kind", ""),
            city=data.get("city", ""),
            programme=data.get("programme", ""),
            price=data.get("price", ""),
        )

    def days(self, today: date, default_days: int) -> tuple[date, date]:
        """The first and last day to list (inclusive): the range asked, else ``default_days`` from
        today; never more than ``MAX_SPAN_DAYS``, whichever bound is given."""
        data = self.cleaned_data if self.is_bound else {}
        start = data.get("start")
        end = data.get("end") if "end" not in self.errors else None
        return windows.bounded(
            start,
            end,
            default_start=today,
            default_end=(start or today) + timedelta(days=default_days - 1),
            limits=windows.limits(max_days=MAX_SPAN_DAYS, default_days=default_days - 1),
        )

    def query(self) -> dict[str, str]:
        """The valid filters as query parameters (for links and the feed)."""
        if not self.is_bound:
            return {}
        data = self.cleaned_data
        values = {
            "venue": data.get("venue"),
            "kind": data.get("kind"),
            "city": data.get("city"),
            "programme": data.get("programme"),
            "start": data["start"].isoformat() if data.get("start") else "",
            "end": data["end"].isoformat() if data.get("end") and "end" not in self.errors else "",
            "price": data.get("price"),
        }
        return {name: values[name] for name in FILTER_NAMES if values.get(name)}


class RegistrationForm(forms.Form):
    """Which date and how many seats: the occurrence's key (its UTC ``RECURRENCE-ID``) and 1–10."""

    date = forms.CharField(label=_("Date"), max_length=16)
    quantity = forms.IntegerField(label=_("Seats"), min_value=1, max_value=10, initial=1, required=False)

    def clean_quantity(self):
        return self.cleaned_data.get("quantity") or 1


class OccurrenceForm(forms.Form):
    """One date of an event (waitlist join)."""

    date = forms.CharField(max_length=16)
