"""OAuth2 client-credentials tokens: issued, checked, expired, revoked."""

from __future__ import annotations

import secrets
import time


class TokenBook:
    def __init__(self, *, client_id: str, client_secret: str, ttl_seconds: float) -> None:
        self._client = (client_id, client_secret)
        self._ttl = ttl_seconds
        self._expiry: dict[str, float] = {}
        self.issued = 0

    @property
    def ttl_seconds(self) -> float:
        return self._ttl

    def issue(self, client_id: str, client_secret: str) -> str | None:
        """A new token for the right credentials, else ``None``."""
        if not secrets.compare_digest(f"{client_id}\0{client_secret}", "\0".join(self._client)):
            return None
        token = secrets.token_urlsafe(24)
        self._expiry[token] = time.monotonic() + self._ttl
        self.issued += 1
        return token

    def is_valid(self, token: str) -> bool:
        expiry = self._expiry.get(token)
        return expiry is not None and time.monotonic() < expiry

    def revoke_all(self) -> None:
        self._expiry.clear()
