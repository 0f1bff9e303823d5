"""OAuth2 access tokens for the Aula API: checking the one a client brings, issuing one for the CLI.

Tokens come from django-oauth-toolkit's authorization-code + PKCE flow at /o/. Only a checksum of
each token is stored (RFC 9700), so a token is found by its SHA-256, as the toolkit does itself.
The scope decides the assurance level of the session the token opens: `aula-sensitive` is level 3
(MitID in Aula), `aula` level 2.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils import timezone
from oauth2_provider.models import (
    AbstractAccessToken,
    AbstractApplication,
    get_access_token_model,
    get_application_model,
    set_token_value,
)
from oauth2_provider.settings import oauth2_settings

SCOPE_SENSITIVE = "aula-sensitive"
SCOPE_NORMAL = "aula"
SCOPE_LEVELS = {SCOPE_SENSITIVE: 3, SCOPE_NORMAL: 2}
CLI_APPLICATION_NAME = "kinabog-cli"
CLI_REDIRECT_URI = "http://127.0.0.1:8000/o/callback/"
MAX_TOKEN_LENGTH = 512


def level_of(token: AbstractAccessToken) -> int | None:
    """The assurance level a token gives, or None when it carries no Aula scope."""
    levels = [SCOPE_LEVELS[scope] for scope in token.scope.split() if scope in SCOPE_LEVELS]
    return max(levels) if levels else None


def find_valid_token(raw: str) -> AbstractAccessToken | None:
    """The unexpired token with an Aula scope and an active user, or None — never an exception."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH:
        return None
    checksum = hashlib.sha256(raw.encode("utf-8", errors="replace")).hexdigest()
    token = get_access_token_model().objects.select_related("user").filter(token_checksum=checksum).first()
    if token is None or token.user is None or not token.user.is_active:
        return None
    if token.is_expired() or level_of(token) is None:
        return None
    return token


def cli_application() -> AbstractApplication:
    """The public client `./run token` issues tokens for; created on first use."""
    application_model = get_application_model()
    application = application_model.objects.filter(name=CLI_APPLICATION_NAME).first()
    if application is None:
        application = application_model.objects.create(
            name=CLI_APPLICATION_NAME,
            client_type=application_model.CLIENT_PUBLIC,
            authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
            redirect_uris=CLI_REDIRECT_URI,
            algorithm="",
        )
    return application


def issue_token(user: AbstractBaseUser, scope: str = SCOPE_NORMAL) -> str:
    """A fresh access token for a user (development and tests); returns the raw token."""
    if scope not in SCOPE_LEVELS:
        raise ValueError(f"unknown scope {scope!r}")
    raw = secrets.token_urlsafe(32)
    token = get_access_token_model()(
        user=user,
        application=cli_application(),
        scope=scope,
        expires=timezone.now() + timedelta(seconds=oauth2_settings.ACCESS_TOKEN_EXPIRE_SECONDS),
    )
    set_token_value(token, raw)
    token.save()
    return raw
