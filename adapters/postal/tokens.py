"""OAuth2 client-credentials token, cached and refreshed before it expires."""

from __future__ import annotations

import asyncio
import time

import structlog
from pydantic import SecretStr, ValidationError

from adapters.postal.errors import PostalAuthenticationFailed, PostalResponseInvalid
from adapters.postal.http import Http
from adapters.postal.models import TokenResponse

log = structlog.get_logger(__name__)

TOKEN_PATH = "/oauth/token"


class ServerTrouble(Exception):
    """A 5xx answer: the caller's retry loop decides what happens next."""

    def __init__(self, status_code: int) -> None:
        super().__init__(f"http_{status_code}")
        self.status_code = status_code


class TokenCache:
    def __init__(
        self, *, client_id: str, client_secret: SecretStr, refresh_margin_seconds: float
    ) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._margin = refresh_margin_seconds
        self._token: str | None = None
        self._refresh_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self, http: Http) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._refresh_at:
                self._token = await self._fetch(http)
            return self._token

    def invalidate(self, token: str) -> None:
        if self._token == token:
            self._token = None

    async def _fetch(self, http: Http) -> str:
        started = time.monotonic()
        response = await http.request("POST", TOKEN_PATH, data=self._form())
        if response.status_code >= 500:
            raise ServerTrouble(response.status_code)
        if response.status_code != 200:
            raise PostalAuthenticationFailed("token refused", status_code=response.status_code)
        try:
            token = TokenResponse.model_validate_json(response.content)
        except ValidationError as exc:
            raise PostalResponseInvalid(f"unreadable token response: {exc}") from exc
        margin = min(self._margin, token.expires_in / 2)
        self._refresh_at = started + token.expires_in - margin
        log.info("postal_token_fetched", expires_in=token.expires_in)
        return token.access_token

    def _form(self) -> dict[str, str]:
        return {
            "grant_type": "client_credentials",
            "client_id": self._client_id,
            "client_secret": self._client_secret.get_secret_value(),
        }
