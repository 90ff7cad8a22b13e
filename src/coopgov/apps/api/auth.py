from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from coopgov.apps.accounts.models import ApiToken


class TokenAuth(HttpBearer):
    """``Authorization: Bearer cg_…`` with a token issued to an account (stored hashed)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.objects.authenticate(token)
        if user is not None:
            request.user = user
        return user


class OptionalAuth:
    """Public endpoints: authenticate when credentials are given, but allow anonymous calls."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if header.lower().startswith("bearer "):
            user = ApiToken.objects.authenticate(header[7:].strip())
            if user is not None:
                request.user = user
                return user
            return None
        return getattr(request, "user", None) or True


token_auth = TokenAuth()
session_auth = SessionAuth()
