"""The network's closed vocabularies: venue kinds, amenities, labels, tiers-lieu categories.

Codes are stable (they appear in the API, open data and URLs); labels are translated.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

KIND_TIERS_LIEU = "tiers_lieu"
KIND_TOTEM = "totem"
KIND_SOCIAL_BUSINESS_CENTER = "social_business_center"
KINDS = [
    (KIND_TIERS_LIEU, _("Tiers-lieu")),
    (KIND_TOTEM, _("French Tech totem")),
    (KIND_SOCIAL_BUSINESS_CENTER, _("Social business centre")),
]

AMENITIES = [
    ("wifi", _("Wi-Fi")),
    ("desks", _("Open-space desks")),
    ("meeting_rooms", _("Meeting rooms")),
    ("event_space", _("Event space")),
    ("phone_booths", _("Phone booths")),
    ("fab_lab", _("Fab lab / workshop")),
    ("printer", _("Printer")),
    ("kitchen", _("Kitchen")),
    ("cafe", _("Café")),
    ("garden", _("Garden")),
    ("showers", _("Showers")),
    ("bike_parking", _("Bike parking")),
    ("car_parking", _("Car parking")),
    ("ev_charging", _("EV charging")),
    ("childcare", _("Childcare")),
    ("access_24_7", _("24/7 access")),
    ("lockers", _("Lockers")),
    ("accessible_toilets", _("Accessible toilets")),
]

# Labels of the founding proposal; only network admins award them.
LABELS = [
    ("ecosysteme_champion", _("Écosystème champion")),
    ("territoire_prioritaire", _("Territoire prioritaire d'innovation")),
    ("totem_french_tech", _("Lieu totem French Tech")),
]

TIERS_LIEU_CATEGORIES = [
    ("coworking", _("Coworking")),
    ("fab_lab", _("Fab lab")),
    ("community_space", _("Community space")),
    ("digital_inclusion", _("Digital inclusion centre")),
    ("cultural_wasteland", _("Cultural venue / friche")),
    ("food_hub", _("Food hub")),
    ("rural_hub", _("Rural third place")),
]


class WeekDay(models.IntegerChoices):
    """Days as labels on their own (hours tables, admin fields), hence capitalised in French. The
    context keeps them apart from Django's own day names, which dates in sentences use."""

    MONDAY = 0, pgettext_lazy("weekday", "Monday")
    TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
    THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
    FRIDAY = 4, pgettext_lazy("weekday", "Friday")
    SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
    SUNDAY = 6, pgettext_lazy("weekday", "Sunday")
