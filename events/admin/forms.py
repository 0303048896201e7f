"""Admin forms: an event page's dates are checked with its changed dates, before anything is saved."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm

#: The page fields a schedule is made of: copied from the posted data before the check, since
#: Django fills the instance only after ``clean()``.
SCHEDULE_FIELDS = (
    "start_date",
    "start_time",
    "end_date",
    "end_time",
    "repeat",
    "repeat_interval",
    "repeat_weekdays",
    "repeat_until",
)
CHANGE_FIELDS = {"original_date", "cancelled", "new_date", "new_start_time", "new_end_time"}


class EventPageForm(WagtailAdminPageForm):
    """Refuses a repeat rule we cannot publish, and a changed date the rule does not give."""

    def clean(self):
        cleaned = super().clean()
        from events import services  # noqa: PLC0415 (events.models imports this form: a cycle otherwise)
        from events.models import EventDateChange  # noqa: PLC0415 (the same cycle)

        page = self.instance
        for name in SCHEDULE_FIELDS:
            if name in cleaned:
                value = cleaned[name]
                if name == "repeat_weekdays" and isinstance(value, list | tuple):
                    value = ",".join(value)
                setattr(page, name, value)
        if not all(getattr(page, name, None) for name in ("start_date", "start_time", "end_time")):
            return cleaned  # the fields' own errors say what is missing
        changes = []
        formset = self.formsets.get("date_changes")
        if formset is not None and formset.is_valid():  # modelcluster validates formsets after clean()
            for form in formset.forms:
                data = getattr(form, "cleaned_data", None) or {}
                if data and not data.get("DELETE") and data.get("original_date"):
                    changes.append(EventDateChange(**{k: v for k, v in data.items() if k in CHANGE_FIELDS}))
        venue = self.parent_page.specific if getattr(self, "parent_page", None) else None
        zone = getattr(venue, "timezone", "") or "UTC"
        try:
            services.schedule_check(page, venue_timezone=zone, date_changes=changes)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, messages in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages)
            else:
                self.add_error(None, error.messages)
        return cleaned
