"""``/federation/v1/holds``: a peer holds, confirms, releases and cancels bookings here for its
people (signed, with an ``Idempotency-Key``; see ``federation.services.holds``)."""

from __future__ import annotations

import json

from django.views.decorators.http import require_POST
from rest_framework import serializers

from core.errors import DomainError
from federation.api.signed import signed
from federation.services import holds


class BookerSerializer(serializers.Serializer):
    handle = serializers.RegexField(holds.HANDLE.pattern)
    name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    email = serializers.EmailField(required=False, allow_blank=True)
    language = serializers.CharField(required=False, allow_blank=True, max_length=10, default="")


class HoldInputSerializer(serializers.Serializer):
    resource = serializers.UUIDField()
    start = serializers.DateTimeField(required=False)
    end = serializers.DateTimeField(required=False)
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    event = serializers.UUIDField(required=False, allow_null=True)
    recurrence_id = serializers.DateTimeField(required=False, allow_null=True)
    booker = BookerSerializer()
    return_url = serializers.URLField(required=False, allow_blank=True, max_length=1000)

    def validate(self, attrs):
        if not attrs.get("event") and not (attrs.get("start") and attrs.get("end")):
            raise serializers.ValidationError("start and end are required.", code="missing_times")
        if attrs.get("start") and attrs.get("end") and attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError("end must follow start.", code="end_before_start")
        return attrs


class CancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


def _json(request) -> dict | None:
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _invalid(serializer) -> tuple[int, dict]:
    return 400, {"detail": "The request is not valid.", "code": "invalid", "errors": serializer.errors}


def _guarded(call) -> tuple[int, dict]:
    try:
        return call()
    except DomainError as error:
        return holds.refusal(error)


@require_POST
@signed()
def hold_create(request, peer):
    serializer = HoldInputSerializer(data=_json(request) or {})
    if not serializer.is_valid():
        return _invalid(serializer)
    return _guarded(
        lambda: holds.hold_place(
            peer=peer,
            key=request.headers.get("Idempotency-Key"),
            data=serializer.validated_data,
            fingerprint=holds.fingerprint_of(request),
        )
    )


def _action(service, **extra):
    @require_POST
    @signed()
    def view(request, peer, uid):
        kwargs = dict(extra)
        if service is holds.hold_cancel:
            serializer = CancelInputSerializer(data=_json(request) or {})
            if not serializer.is_valid():
                return _invalid(serializer)
            kwargs["reason"] = serializer.validated_data["reason"]
        return _guarded(
            lambda: service(
                peer=peer,
                uid=uid,
                key=request.headers.get("Idempotency-Key"),
                fingerprint=holds.fingerprint_of(request),
                **kwargs,
            )
        )

    view.__name__ = service.__name__
    return view


hold_confirm = _action(holds.hold_confirm)
hold_release = _action(holds.hold_release)
hold_cancel = _action(holds.hold_cancel)
