"""Venue pages: the directory (``VenueIndexPage``), the shared ``VenuePage`` and its three kinds.

Pages are content that managers edit; what can be booked lives in ``bookings``. Pages hold no
clock- or query-dependent methods: the directory's search is in ``selectors``, geocoding in
``services`` and ``tasks``.
"""

import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Locale, Orderable, Page

from core import origins, page_cache
from core.moderation import ApprovalCopyForm, ApprovalPermissionTester
from core.validators import SingleLineTitle, multi_line, single_line
from venues import presentation, vocabulary
from venues.text import normalise

TIMEZONE_CHOICES = sorted((name, name) for name in zoneinfo.available_timezones() if "/" in name)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not an IANA time zone such as Europe/Paris."), params={"value": value})


class Amenity(models.Model):
    """One row per amenity code, so that venues can be filtered with a plain join."""

    code = models.CharField(max_length=40, unique=True, choices=vocabulary.AMENITIES)

    class Meta:
        ordering = ["code"]
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")

    def __str__(self):
        return str(self.get_code_display())


class Label(models.Model):
    """A network label from the founding proposal; awarded by network admins only."""

    code = models.CharField(max_length=40, unique=True, choices=vocabulary.LABELS)

    class Meta:
        ordering = ["code"]
        verbose_name = pgettext_lazy("venue label", "label")
        verbose_name_plural = pgettext_lazy("venue label", "labels")
        permissions = [("award_label", _("Can award network labels to venues"))]

    def __str__(self):
        return str(self.get_code_display())


class GeocodeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for geocoding")
    FOUND = "found", _("Found by the geocoder")
    NOT_FOUND = "not_found", _("Address not found")
    FAILED = "failed", _("Geocoder unavailable")
    MANUAL = "manual", _("Set by hand")


class VenueBodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", label=_("Heading"))
    paragraph = blocks.RichTextBlock(features=["bold", "italic", "link", "ol", "ul"], label=_("Paragraph"))
    image = blocks.StructBlock(
        [("image", ImageChooserBlock()), ("caption", blocks.CharBlock(required=False))],
        label=_("Image"),
        icon="image",
    )
    quote = blocks.StructBlock(
        [("text", blocks.TextBlock()), ("author", blocks.CharBlock(required=False))],
        label=_("Quote"),
        icon="openquote",
    )


class VenuePermissionTester(ApprovalPermissionTester):
    """Venue teams edit and publish their venue; taking it off the network is the network
    admins' call (Wagtail would otherwise let change + publish delete a page without children).
    Moving it with live programmes, or copying them live, needs their approval (``core.moderation``)."""

    def can_delete(self, ignore_bulk=False):
        if self.user.is_active and not self.user.is_superuser and "delete" not in self.permissions:
            return False
        return super().can_delete(ignore_bulk=ignore_bulk)


class MirrorPermissionTester(ApprovalPermissionTester):
    """A peer's mirrored venue, or the container of a peer's venues: written by the federation
    only, read-only for everyone here (superusers included) — editing, publishing, unpublishing,
    deleting, adding children, moving, copying, locking are all refused. The owner's node is the
    place to change it. Keys on ``origin`` so that venues need not know the federation."""

    def _refused(self, *args, **kwargs):
        return False

    can_add_subpage = can_edit = can_delete = can_unpublish = can_publish = _refused
    can_submit_for_moderation = can_set_view_restrictions = can_unschedule = _refused
    can_lock = can_unlock = can_publish_subpage = can_reorder_children = _refused
    can_move = can_copy = can_move_to = can_copy_to = _refused


class VenueIndexPage(SingleLineTitle, Page):
    """The directory: every venue of the network, filterable and searchable near a place."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = [
        "venues.TiersLieuPage",
        "venues.TotemPage",
        "venues.SocialBusinessCenterPage",
        "venues.MirrorIndexPage",
    ]
    max_count_per_parent = 1
    #: Holds programmes, which need approval: see ``core.moderation``.
    copy_form_class = ApprovalCopyForm

    class Meta:
        verbose_name = _("venue directory")

    template = "venues/venue_index_page.html"

    def permissions_for_user(self, user):
        return ApprovalPermissionTester(user, self)


class MirrorIndexPage(Page):
    """The container of one peer node's mirrored venues, under the directory: their slugs never
    clash with ours, and nobody edits them here (the federation writes them)."""

    origin = models.URLField(_("origin node"), unique=True, editable=False)

    parent_page_types = ["venues.VenueIndexPage"]
    subpage_types = ["venues.TiersLieuPage", "venues.TotemPage", "venues.SocialBusinessCenterPage"]
    is_creatable = False

    class Meta:
        verbose_name = _("venues of a peer node")

    def serve(self, request, *args, **kwargs):
        return redirect(self.get_parent().url)

    def permissions_for_user(self, user):
        return MirrorPermissionTester(user, self)


class VenuePage(SingleLineTitle, Page):
    """The fields every venue shares. Concrete, so that one query can search all kinds."""

    #: The API's ``kind`` code; each subclass names its own.
    KIND = ""
    #: A centre holds programmes, which need approval: see ``core.moderation``.
    copy_form_class = ApprovalCopyForm

    summary = models.CharField(_("summary"), max_length=280, blank=True, validators=[single_line])
    body = StreamField(VenueBodyBlock(), blank=True, verbose_name=_("description"))

    street_address = models.CharField(_("street address"), max_length=255, blank=True, validators=[single_line])
    postcode = models.CharField(_("postcode"), max_length=20, blank=True, validators=[single_line])
    city = models.CharField(_("city"), max_length=120, validators=[single_line])
    region = models.CharField(_("region"), max_length=120, blank=True, validators=[single_line])
    country = CountryField(_("country"), default="FR")
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)]
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    coordinates_set_by_hand = models.BooleanField(
        _("coordinates set by hand"),
        default=False,
        help_text=_("Tick to keep these coordinates; otherwise the address is geocoded after publishing."),
    )
    geocode_status = models.CharField(
        _("geocoding"), max_length=20, choices=GeocodeStatus.choices, default=GeocodeStatus.PENDING
    )
    geocode_message = models.CharField(_("geocoding message"), max_length=255, blank=True)
    geocoded_address = models.CharField(max_length=400, blank=True, editable=False)
    #: Name, place and summary folded by ``venues.text.normalise``, for the directory's text search.
    search_text = models.TextField(blank=True, editable=False)
    timezone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Paris",
        validators=[validate_timezone],
        help_text=_("Opening hours and bookings are in this time zone."),
    )

    opening_hours_note = models.CharField(
        _("opening hours note"),
        max_length=255,
        blank=True,
        help_text=_("e.g. closed in August"),
        validators=[single_line],
    )
    amenities = ParentalManyToManyField(Amenity, blank=True, related_name="venues", verbose_name=_("amenities"))
    labels = ParentalManyToManyField(Label, blank=True, related_name="venues", verbose_name=_("labels"))

    wheelchair_accessible = models.BooleanField(_("step-free access"), default=False)
    accessibility = models.TextField(_("accessibility details"), blank=True, validators=[multi_line])

    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, validators=[single_line])
    website = models.URLField(_("website"), blank=True)
    #: Empty for our own venues; the owning node's base URL for a venue mirrored from a peer
    #: (then the page is read-only and lives under that peer's ``MirrorIndexPage``).
    origin = models.URLField(_("origin node"), blank=True, editable=False, db_index=True)
    #: A mirrored venue's page on its own node, per language: ``{"fr": "https://…", "en": "…"}``.
    origin_urls = models.JSONField(default=dict, blank=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("gallery_images", label=_("Photos")),
    ]
    location_panels = [
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("city")]),
                FieldRowPanel([FieldPanel("region"), FieldPanel("country")]),
                FieldPanel("timezone", widget=forms.Select(choices=TIMEZONE_CHOICES)),
            ],
            heading=_("Address"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
                FieldPanel("coordinates_set_by_hand"),
                FieldPanel("geocode_status", read_only=True),
                FieldPanel("geocode_message", read_only=True),
            ],
            heading=_("Map position"),
        ),
    ]
    practical_panels = [
        InlinePanel("opening_hours", label=_("Opening hours (venue's local time)")),
        FieldPanel("opening_hours_note"),
        FieldPanel("amenities", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel([FieldPanel("wheelchair_accessible"), FieldPanel("accessibility")], heading=_("Accessibility")),
        MultiFieldPanel([FieldPanel("email"), FieldPanel("phone"), FieldPanel("website")], heading=_("Contact")),
        FieldPanel("labels", widget=forms.CheckboxSelectMultiple, permission="venues.award_label"),
    ]

    parent_page_types = ["venues.VenueIndexPage", "venues.MirrorIndexPage"]
    subpage_types: list[str] = []
    is_creatable = False  # editors create one of the three kinds

    class Meta:
        verbose_name = _("venue")

    def clean(self):
        super().clean()
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError(_("Give both latitude and longitude, or neither."))
        if self.coordinates_set_by_hand and self.latitude is None:
            raise ValidationError(_("Coordinates set by hand need a latitude and a longitude."))

    def serve(self, request, *args, **kwargs):
        # The same HTML for every anonymous visitor; its events' seats left change with bookings.
        page_cache.cache_this_page(request, seats=True)
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        """Facts (address, hours, amenities…) come from the canonical page, text from this one,
        so a translation never shows stale opening hours or a stale position."""
        context = super().get_context(request, *args, **kwargs)
        default_locale = Locale.get_default()
        facts = self if self.locale_id == default_locale.id else (self.get_translation_or_none(default_locale) or self)
        prefetch_related_objects([facts], "amenities", "labels", "opening_hours", "gallery_images__image")
        hours = list(facts.opening_hours.all())
        # A peer's venue is the owner's page: search engines and links go there.
        url = self.origin_page_url or request.build_absolute_uri(self.get_url(request))
        context.update(
            facts=facts,
            texts=presentation.texts(self, facts),
            opening_hours=presentation.opening_hours_table(hours),
            profile=presentation.profile(facts),
            jsonld=presentation.jsonld(venue=self, facts=facts, url=url, hours=hours),
            map_points=[
                {"name": self.title, "lat": facts.latitude, "lng": facts.longitude, "kind": self.KIND, "url": ""}
            ]
            if facts.has_coordinates
            else [],
        )
        return context

    def save(self, *args, **kwargs):
        # Derived for search: SQLite's LIKE folds ASCII case only, so "île" would miss "Île".
        self.search_text = normalise(" ".join([self.title, self.city, self.region, self.postcode, self.summary]))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "title" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_text"}
        return super().save(*args, **kwargs)

    def permissions_for_user(self, user):
        if self.origin:
            return MirrorPermissionTester(user, self)
        return VenuePermissionTester(user, self)

    @cached_property
    def kind(self) -> str:
        return self.specific_class.KIND if self.specific_class else ""

    @property
    def kind_label(self) -> str:
        return dict(vocabulary.KINDS).get(self.kind, "")

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def is_mirror(self) -> bool:
        """A peer node's venue, mirrored here read-only (``origin`` set)."""
        return bool(self.origin)

    @property
    def origin_label(self) -> str:
        """ "on <node>" for a peer's venue, empty for ours (no query: peers' names are cached)."""
        return origins.origin_label(self.origin)

    @property
    def origin_name(self) -> str:
        return origins.origin_name(self.origin)

    @property
    def origin_page_url(self) -> str:
        """A peer's venue's page on its own node, in the visitor's language when published there."""
        return origins.localized_url(self.origin_urls, translation.get_language()) if self.origin else ""

    template = "venues/venue_page.html"


def venue_edit_handler(kind_panels):
    """Tabs shared by the three kinds, with the kind's own fields in a tab of their own."""
    return TabbedInterface(
        [
            ObjectList(VenuePage.content_panels, heading=_("Content")),
            ObjectList(kind_panels, heading=pgettext_lazy("venue", "Profile")),
            ObjectList(VenuePage.location_panels, heading=_("Location")),
            ObjectList(VenuePage.practical_panels, heading=_("Practical")),
            ObjectList(VenuePage.promote_panels, heading=_("Promote")),
            ObjectList(VenuePage.settings_panels, heading=_("Settings")),
        ]
    )


class OpeningHours(Orderable):
    """Opening hours in the venue's wall-clock time; several rows a day for a lunch break."""

    page = ParentalKey(VenuePage, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=vocabulary.WeekDay.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    panels = [FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")])]

    class Meta(Orderable.Meta):
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def clean(self):
        if self.opens is not None and self.closes is not None and self.closes <= self.opens:
            raise ValidationError({"closes": _("Closing time must be after opening time.")})

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class VenueGalleryImage(Orderable):
    page = ParentalKey(VenuePage, on_delete=models.CASCADE, related_name="gallery_images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    caption = models.CharField(_("caption"), max_length=255, blank=True, validators=[single_line])

    panels = [FieldPanel("image"), FieldPanel("caption")]


class TiersLieuPage(VenuePage):
    KIND = vocabulary.KIND_TIERS_LIEU

    category = models.CharField(
        _("category"), max_length=40, choices=vocabulary.TIERS_LIEU_CATEGORIES, default="coworking"
    )
    ecosystem = models.CharField(
        _("ecosystem"),
        max_length=160,
        blank=True,
        help_text=_("The local ecosystem this venue belongs to."),
        validators=[single_line],
    )
    operator = models.CharField(
        _("operator"), max_length=160, blank=True, help_text=_("Association, SCIC, company…"), validators=[single_line]
    )

    edit_handler = venue_edit_handler([FieldPanel("category"), FieldPanel("ecosystem"), FieldPanel("operator")])
    parent_page_types = ["venues.VenueIndexPage"]
    subpage_types = ["events.EventPage"]
    template = "venues/venue_page.html"

    class Meta:
        verbose_name = _("tiers-lieu")
        verbose_name_plural = _("tiers-lieux")


class TotemPage(VenuePage):
    KIND = vocabulary.KIND_TOTEM

    french_tech_community = models.CharField(
        _("French Tech community"), max_length=160, help_text=_("e.g. French Tech Grand Lyon"), validators=[single_line]
    )
    startups_hosted = models.PositiveIntegerField(_("start-ups hosted"), null=True, blank=True)

    edit_handler = venue_edit_handler([FieldPanel("french_tech_community"), FieldPanel("startups_hosted")])
    parent_page_types = ["venues.VenueIndexPage"]
    subpage_types = ["events.EventPage"]
    template = "venues/venue_page.html"

    class Meta:
        verbose_name = _("French Tech totem")
        verbose_name_plural = _("French Tech totems")


class SocialBusinessCenterPage(VenuePage):
    KIND = vocabulary.KIND_SOCIAL_BUSINESS_CENTER

    working_languages = models.CharField(
        _("working languages"),
        max_length=120,
        blank=True,
        help_text=_("Language codes separated by commas, e.g. fr, en, wo"),
        validators=[single_line],
    )
    partner_networks = models.TextField(
        _("partner networks"), blank=True, help_text=_("One per line."), validators=[multi_line]
    )
    host_organisation = models.CharField(_("host organisation"), max_length=160, blank=True, validators=[single_line])

    edit_handler = venue_edit_handler(
        [FieldPanel("host_organisation"), FieldPanel("working_languages"), FieldPanel("partner_networks")]
    )
    parent_page_types = ["venues.VenueIndexPage"]
    subpage_types = ["events.EventPage", "events.ProgrammePage"]
    template = "venues/venue_page.html"

    class Meta:
        verbose_name = _("social business centre")
        verbose_name_plural = _("social business centres")

    def clean(self):
        super().clean()
        codes = self.working_language_codes
        bad = [code for code in codes if not (2 <= len(code) <= 3 and code.isalpha())]
        if bad:
            raise ValidationError({"working_languages": _("Use ISO 639 codes such as fr, en, wo.")})

    @property
    def working_language_codes(self) -> list[str]:
        return [code.strip().lower() for code in self.working_languages.split(",") if code.strip()]

    @property
    def partner_network_list(self) -> list[str]:
        return [line.strip() for line in self.partner_networks.splitlines() if line.strip()]


VENUE_MODELS = {model.KIND: model for model in (TiersLieuPage, TotemPage, SocialBusinessCenterPage)}


class VenueTeam(models.Model):
    """The group of a venue's managers and the image collection their photos go to.

    Created with the venue (``services.venue_team_ensure``); the group has page permissions on
    the venue's page and its translations only, so a manager of one venue cannot edit another.
    """

    translation_key = models.UUIDField(unique=True, help_text="The venue page's translation key.")
    group = models.OneToOneField("auth.Group", on_delete=models.PROTECT, related_name="venue_team")
    collection = models.OneToOneField("wagtailcore.Collection", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["group__name"]
        verbose_name = _("venue team")
        verbose_name_plural = _("venue teams")

    def __str__(self):
        return self.venue_title()

    @cached_property
    def venue(self) -> "VenuePage | None":
        default_locale = Locale.get_default()
        return VenuePage.objects.filter(translation_key=self.translation_key, locale=default_locale).first()

    def venue_title(self) -> str:
        return self.venue.title if self.venue else self.group.name

    venue_title.short_description = _("venue")

    def manager_names(self) -> str:
        return ", ".join(sorted(user.get_username() for user in self.group.user_set.all())) or "—"

    manager_names.short_description = _("managers")
