"""Admin forms and list filters for venue managers: every choice is limited to the venues they manage.

A manager never sees another venue's name in a drop-down: the venue and resource choices of the
forms and filters are built from ``venues_managed_by(user)``.
"""

from datetime import time, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import HelpPanel

from bookings import availability as av
from bookings.models import (
    WORKSPACE_KIND_CHOICES,
    WORKSPACE_KINDS,
    Booking,
    BookingStatus,
    Closure,
    Resource,
    ResourceKind,
)
from core import money, windows
from core.validators import multi_line
from venues.permissions import venues_managed_by


def model_values(form) -> dict:
    """The form's cleaned values of its model's own fields, by name, as a service takes them."""
    names = {field.name for field in form._meta.model._meta.concrete_fields}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def managed_resources(user):
    return (
        Resource.objects.filter(venue__in=venues_managed_by(user), origin="", kind__in=WORKSPACE_KINDS)
        .select_related("venue")
        .order_by("venue__title", "name")
    )


def resource_label(resource) -> str:
    return f"{resource.venue.title} — {resource.name}"


class ResourceForm(WagtailAdminModelForm):
    """A resource, its price entered in the currency's units and stored in minor units."""

    price = forms.DecimalField(
        label=_("Price"),
        min_value=0,
        max_value=1_000_000,
        decimal_places=3,
        initial=0,
        help_text=_("In the currency's units, e.g. 12.50; 0 for free."),
    )

    class Meta:
        model = Resource
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        venues = venues_managed_by(self.for_user).order_by("title")
        self.fields["venue"].queryset = venues
        if self.instance.kind != ResourceKind.EVENT_SEATS:  # an event's seats keep their kind
            self.fields["kind"].choices = WORKSPACE_KIND_CHOICES
        if self.instance.pk:
            self.initial["price"] = money.to_decimal(self.instance.price_minor, self.instance.currency)
            if self.instance.bookings.exists():
                self.fields["venue"].disabled = True
                self.fields["venue"].help_text = _("A resource that has bookings stays at its venue.")
        elif len(venues[:2]) == 1:
            self.initial["venue"] = venues[0].pk

    def clean(self):
        cleaned = super().clean()
        price, currency = cleaned.get("price"), (cleaned.get("currency") or "").upper()
        if price is not None and len(currency) == 3:
            try:
                self.instance.price_minor = money.to_minor(price, currency)
            except ValueError:
                places = money.exponent(currency)
                self.add_error(
                    "price", _("%(currency)s has %(places)s decimals.") % {"currency": currency, "places": places}
                )
        return cleaned

    def service_values(self) -> dict:
        """What ``inventory.resource_create`` / ``resource_update`` take: the fields, the price in minor units."""
        return model_values(self) | {"price_minor": self.instance.price_minor}

    def hours_rows(self) -> list[tuple]:
        """The resource's own weekly hours as the form leaves them: ``(weekday, opens, closes)`` rows."""
        return [
            (row.cleaned_data["weekday"], row.cleaned_data["opens"], row.cleaned_data["closes"])
            for row in self.formsets["hours"].forms
            if row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]


class ClosureForm(WagtailAdminModelForm):
    class Meta:
        model = Closure
        fields = ["venue", "resource", "first_day", "last_day", "yearly", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        venues = venues_managed_by(self.for_user).order_by("title")
        self.fields["venue"].queryset = venues
        self.fields["resource"].queryset = managed_resources(self.for_user)
        self.fields["resource"].label_from_instance = resource_label
        self.fields["last_day"].required = False
        self.fields["last_day"].help_text = _("Empty: one day.")
        if not self.instance.pk and len(venues[:2]) == 1:
            self.initial["venue"] = venues[0].pk

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("first_day") and not cleaned.get("last_day"):
            cleaned["last_day"] = cleaned["first_day"]
        resource, venue = cleaned.get("resource"), cleaned.get("venue")
        if resource and venue and resource.venue_id != venue.pk:
            self.add_error("resource", _("This resource belongs to another venue."))
        return cleaned

    def service_values(self) -> dict:
        """What ``inventory.closure_create`` / ``closure_update`` take."""
        return model_values(self)


class VenueHoursPanel(HelpPanel):
    """Where the venue's weekly hours are edited (the venue page), linked from resources and closures."""

    def __init__(self, **kwargs):
        kwargs.setdefault("template", "bookings/admin/venue_hours_help.html")
        super().__init__(**kwargs)

    class BoundPanel(HelpPanel.BoundPanel):
        def venues(self):
            if getattr(self.instance, "venue_id", None):
                return [self.instance.venue]
            return list(venues_managed_by(self.request.user).order_by("title")[:20])


# List filters ---------------------------------------------------------------------------------


def _venues_for_request(request):
    return venues_managed_by(request.user).order_by("title")


def _resources_for_request(request):
    return managed_resources(request.user)


class VenueFilterField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class ResourceFilterField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return resource_label(obj)


class VenueFilter(django_filters.ModelChoiceFilter):
    field_class = VenueFilterField


class ResourceFilter(django_filters.ModelChoiceFilter):
    field_class = ResourceFilterField


class ResourceFilterSet(WagtailFilterSet):
    venue = VenueFilter(label=_("Venue"), queryset=_venues_for_request)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=WORKSPACE_KIND_CHOICES)
    is_active = django_filters.BooleanFilter(label=_("Bookable"), widget=forms.NullBooleanSelect)

    class Meta:
        model = Resource
        fields = ["venue", "kind", "is_active"]


class ClosureFilterSet(WagtailFilterSet):
    venue = VenueFilter(label=_("Venue"), queryset=_venues_for_request)
    yearly = django_filters.BooleanFilter(label=_("Every year"), widget=forms.NullBooleanSelect)

    class Meta:
        model = Closure
        fields = ["venue", "yearly"]


class DayRangeField(django_filters.fields.DateRangeField):
    """From and to dates in ``core.windows``' years (a date in the year 9999 was a 500)."""

    def compress(self, data_list):
        for day in data_list or ():
            if day and not windows.FIRST_YEAR <= day.year <= windows.LAST_YEAR:
                raise forms.ValidationError(
                    _("Choose dates between %(first)s and %(last)s.")
                    % {"first": windows.FIRST_DAY.isoformat(), "last": windows.LAST_DAY.isoformat()},
                    code="out_of_range",
                )
        return super().compress(data_list)


class DayRangeFilter(django_filters.DateFromToRangeFilter):
    field_class = DayRangeField


class BookingFilterSet(WagtailFilterSet):
    """Dates are the venues' own local days: a booking on 3 March in Dakar and one in Lyon both match."""

    dates = DayRangeFilter(label=_("Dates"), method="filter_dates", widget=DateRangePickerWidget)
    venue = VenueFilter(label=_("Venue"), queryset=_venues_for_request, field_name="resource__venue")
    resource = ResourceFilter(label=_("Resource"), queryset=_resources_for_request)
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=BookingStatus.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Booking
        fields = ["dates", "venue", "resource", "status"]

    def filter_dates(self, queryset, name, value):
        first, last = value.start, value.stop
        if not first and not last:
            return queryset
        zones = venues_managed_by(self.request.user).values_list("timezone", flat=True).distinct()
        midnight = time(0)
        condition = Q(pk__in=[])
        for zone in zones:
            tz = ZoneInfo(zone)
            local = Q(resource__venue__timezone=zone)
            if first:
                local &= Q(end__gt=av.wall_clock(first, midnight, tz))
            if last:
                local &= Q(start__lt=av.wall_clock(last + timedelta(days=1), midnight, tz))
            condition |= local
        return queryset.filter(condition)


#: The browser's date picker reads and writes ISO dates, whatever the language.
DATE_INPUT = {"type": "date"}


class DayForm(forms.Form):
    """The day view's choice of venue and date (the date defaults to today in the venue's zone)."""

    venue = forms.ModelChoiceField(label=_("Venue"), queryset=None, required=False, empty_label=None)
    date = windows.DayField(label=_("Date"), required=False, widget=forms.DateInput(DATE_INPUT, format="%Y-%m-%d"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues_managed_by(user).order_by("title")


class ReportForm(DayForm):
    """The occupancy report's venue and weeks (from the week of ``first`` to the week of ``last``)."""

    date = None
    first = windows.DayField(
        label=_("From the week of"), required=False, widget=forms.DateInput(DATE_INPUT, format="%Y-%m-%d")
    )
    last = windows.DayField(
        label=_("To the week of"), required=False, widget=forms.DateInput(DATE_INPUT, format="%Y-%m-%d")
    )

    #: At most a year of weeks, whichever of ``first`` and ``last`` is given (``weeks``).
    LIMITS = windows.limits(max_days=7 * 52, default_days=7 * 8)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first"), cleaned.get("last")
        if first and last and last < first:
            self.add_error("last", _("The last week must not be before the first."))
        elif first and last and (last - first).days > self.LIMITS.max_days:
            self.add_error("last", _("A report covers at most a year."))
        return cleaned

    def weeks(self, this_monday) -> tuple:
        """The first and last Monday shown: those asked for, by default the last four weeks, this
        one and the next four, and never more than a year, whichever is given."""
        data = getattr(self, "cleaned_data", {})  # a field in error is not in it: its default then
        first, last = data.get("first"), data.get("last")
        return windows.bounded(
            first and first - timedelta(days=first.weekday()),
            last and last - timedelta(days=last.weekday()),
            default_start=this_monday - timedelta(weeks=4),
            default_end=this_monday + timedelta(weeks=4),
            limits=self.LIMITS,
            names=("first", "last"),
        )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the booker)"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[multi_line],
    )


class RefundForm(forms.Form):
    """A manager's refund: an amount in the currency's units (``12.50``, or ``12,50``), at most what
    is left to refund, and the reason. ``cleaned_data["amount_minor"]`` is what the service takes."""

    amount = forms.CharField(
        label=pgettext_lazy("booking payment", "Amount to refund"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 10}),
    )
    reason = forms.CharField(
        label=_("Reason for the refund"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[multi_line],
    )

    def __init__(self, *args, currency: str, refundable_minor: int, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.currency, self.refundable_minor = currency, refundable_minor
        self.most = money.format_money(refundable_minor, currency, language)
        self.initial.setdefault("amount", str(money.to_decimal(refundable_minor, currency)))
        self.example = str(Decimal("12.5").quantize(Decimal(1).scaleb(-money.exponent(currency))))
        self.fields["amount"].help_text = _("In %(currency)s, e.g. %(example)s; at most %(most)s.") % {
            "currency": currency,
            "example": self.example,
            "most": self.most,
        }

    def clean_amount(self):
        text = self.cleaned_data["amount"].strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")  # the decimal comma of French and most of Europe
        try:
            value = Decimal(text)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise forms.ValidationError(
                _("Enter an amount such as %(example)s.") % {"example": self.example}, code="invalid"
            )
        try:
            amount_minor = money.to_minor(value, self.currency)
        except ValueError:
            raise forms.ValidationError(
                _("%(currency)s has %(places)s decimals.")
                % {"currency": self.currency, "places": money.exponent(self.currency)},
                code="decimals",
            ) from None
        if amount_minor <= 0:
            raise forms.ValidationError(_("Enter an amount above zero."), code="refund_amount")
        if amount_minor > self.refundable_minor:
            raise forms.ValidationError(
                _("You can refund at most %(most)s.") % {"most": self.most}, code="refund_too_large"
            )
        self.cleaned_data["amount_minor"] = amount_minor
        return value
