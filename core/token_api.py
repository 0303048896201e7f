"""``POST /api/v1/auth/token/``: a token for ``Authorization: Token …``, throttled per client address
(``core.client_address``: ``X-Forwarded-For`` counts only from a trusted proxy).

django-axes counts failures here as on the login page, so a guessed password locks out both.
Higher apps add what else a password alone may not pass (accounts: a second factor) to
``token_login_checks``; a check raises a ``DomainError`` to refuse.
"""

from collections.abc import Callable

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import InvalidInput
from core.services import auth_token_issue
from core.throttling import ScopedRateThrottle

#: Called with the authenticated user before a token is issued; filled in by higher apps' ``ready()``.
token_login_checks: list[Callable] = []


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenInputSerializer, responses=TokenOutputSerializer)
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise InvalidInput(_("Unable to log in with these credentials."), code="invalid_credentials")
        for check in token_login_checks:
            check(user)
        return Response({"token": self.issue(user)})

    def issue(self, user) -> str:
        """The token handed out; ``accounts.api`` makes a named one instead (wired in ``sites/urls.py``)."""
        return auth_token_issue(user=user).key
