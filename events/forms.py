"""Admin forms: an event page's dates are checked with its changed dates, before anything is saved."""

from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminPageForm


class EventPageForm(WagtailAdminPageForm):
    """Refuses a repeat rule we cannot publish, and a changed date the rule does not give."""

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        from events import services
        from events.models import EventDateChange

        page = self.instance
        changes = []
        formset = self.formsets.get("date_changes")
        for form in formset.forms if formset is not None else []:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("original_date"):
                continue
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


CHANGE_FIELDS = {"original_date", "cancelled", "new_date", "new_start_time", "new_end_time"}
