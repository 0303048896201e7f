"""``/api/v1/venues/``: the directory as JSON, with the filters of DESIGN.md's public contract;
and the ``near`` / ``radius_km`` fields every "near" query of the API reads them with."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core import origins
from core.api import Pagination
from core.errors import NotFound
from venues import geo, selectors, vocabulary


class _GeoField(serializers.CharField):
    """A query parameter read by one of ``venues.geo``'s parsers; a 400 gives the parser's reason."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    @staticmethod
    def parse(text: str):
        raise NotImplementedError

    def run_validation(self, data=serializers.empty):
        text = super().run_validation(data)
        try:
            return self.parse(text)
        except geo.GeoInputError as exc:
            raise serializers.ValidationError(str(exc)) from None


#: ``near``'s shape in the schema: two decimal degrees, latitude within ±90, longitude within ±180.
NEAR_PATTERN = (
    r"^\s*[-+]?(90(\.0+)?|[1-8]?[0-9](\.[0-9]+)?)\s*,"
    r"\s*[-+]?(180(\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\.[0-9]+)?)\s*$"
)


@extend_schema_field({"type": "string", "pattern": NEAR_PATTERN, "example": "45.76,4.83"})
class NearField(_GeoField):
    """``near=<latitude>,<longitude>`` as every "near" query of the API takes it (venues, free
    resources): a ``geo.Point``."""

    parse = staticmethod(geo.parse_point)

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "latitude,longitude — results nearest first")
        super().__init__(**kwargs)


@extend_schema_field(
    {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": geo.MAX_RADIUS_KM, "example": 25}
)
class RadiusField(_GeoField):
    """``radius_km`` in kilometres (0 < r ≤ 20,000); see ``radius_needs_near``."""

    parse = staticmethod(geo.parse_radius)

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", f"Default {geo.DEFAULT_RADIUS_KM:.0f}; only with near")
        super().__init__(**kwargs)


def radius_needs_near(attrs: dict) -> dict:
    """A serializer's ``validate`` step: a radius alone is a mistake, not a filter to ignore."""
    if "radius_km" in attrs and "near" not in attrs:
        raise serializers.ValidationError({"radius_km": _("radius_km needs near=<latitude>,<longitude>.")})
    return attrs


class VenueFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[code for code, _label in vocabulary.KINDS], required=False)
    city = serializers.CharField(required=False, max_length=120)
    country = serializers.CharField(required=False, min_length=2, max_length=2, help_text="ISO 3166-1 alpha-2")
    q = serializers.CharField(required=False, max_length=200, help_text="Text in the name, city, region or summary")
    label = serializers.MultipleChoiceField(choices=[c for c, _l in vocabulary.LABELS], required=False)
    amenity = serializers.MultipleChoiceField(choices=[c for c, _l in vocabulary.AMENITIES], required=False)
    near = NearField()
    radius_km = RadiusField()

    def validate(self, attrs):
        return radius_needs_near(attrs)

    def to_filters(self) -> selectors.VenueFilters:
        data = self.validated_data
        return selectors.VenueFilters(
            kind=data.get("kind", ""),
            city=data.get("city", ""),
            country=data.get("country", ""),
            q=data.get("q", ""),
            labels=tuple(sorted(data.get("label", ()))),
            amenities=tuple(sorted(data.get("amenity", ()))),
            near=data.get("near"),
            radius_km=data.get("radius_km", geo.DEFAULT_RADIUS_KM),
        )


class VenueOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField(source="title")
    kind = serializers.SerializerMethodField()
    summary = serializers.CharField()
    street_address = serializers.CharField()
    postcode = serializers.CharField()
    city = serializers.CharField()
    region = serializers.CharField()
    country = serializers.CharField(source="country.code")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    timezone = serializers.CharField()
    labels = serializers.SerializerMethodField()
    amenities = serializers.SerializerMethodField()
    wheelchair_accessible = serializers.BooleanField()
    website = serializers.CharField()
    url = serializers.SerializerMethodField()
    origin = serializers.SerializerMethodField()
    origin_name = serializers.SerializerMethodField()
    distance_km = serializers.SerializerMethodField()

    def get_kind(self, venue) -> str:
        return selectors.venue_kind_for_content_type(venue.content_type_id)

    def get_labels(self, venue) -> list[str]:
        return sorted(label.code for label in venue.labels.all())

    def get_amenities(self, venue) -> list[str]:
        return sorted(amenity.code for amenity in venue.amenities.all())

    def get_url(self, venue) -> str:
        """Its page: a peer's venue is on its own node, in the reader's language when published."""
        if venue.origin:
            return origins.localized_url(venue.origin_urls, translation.get_language())
        request = self.context["request"]
        return request.build_absolute_uri(venue.get_url(request))

    def get_origin(self, venue) -> str:
        """The base URL of the node that owns the venue (ours for our own)."""
        return origins.origin_url(venue.origin)

    def get_origin_name(self, venue) -> str:
        return origins.origin_name(venue.origin)

    def get_distance_km(self, venue) -> float | None:
        distance = getattr(venue, "distance_km", None)
        return None if distance is None else round(distance, 3)


class VenueListApi(generics.ListAPIView):
    """Venues, nearest first with ``near``; paginated with ``limit`` / ``offset``."""

    permission_classes = [AllowAny]
    serializer_class = VenueOutputSerializer
    pagination_class = Pagination

    @extend_schema(parameters=[VenueFilterSerializer])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        filters = VenueFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.venue_search(filters=filters.to_filters())

    def paginate_queryset(self, queryset):
        return selectors.venues_prefetch(super().paginate_queryset(queryset))


class VenueDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=VenueOutputSerializer)
    def get(self, request, pk: int):
        venue = selectors.venue_get(pk=pk)
        if venue is None:
            raise NotFound(_("No venue with this id."), code="venue_not_found")
        return Response(VenueOutputSerializer(venue, context={"request": request}).data)
