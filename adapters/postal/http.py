"""The postal client's HTTP transport, over aiohttp: one pooled session, answers read whole,
and every transport failure (connection refused or cut, timeout, broken answer) as one
error for the caller's bounded retry.

(httpx did the same at ~0.75 ms of CPU per call more: a tracking poll every second and an
order per returned dossier made it the worker's largest single library cost after the
database and the broker.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp


@dataclass(frozen=True)
class Answer:
    """An HTTP answer, read whole (the postal API answers with small JSON documents)."""

    status_code: int
    content: bytes


class TransportFailure(Exception):
    """No answer: the connection was refused or cut, or the answer did not come in time."""


class Http:
    def __init__(self, base_url: str, *, timeout: float) -> None:
        self._base = base_url.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        """The session, opened on first use (inside the event loop that uses it)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout)
        return self._session

    async def request(self, method: str, path: str, **kwargs: Any) -> Answer:
        """``kwargs``: ``headers``, ``params``, ``json`` or ``data`` (a form)."""
        try:
            async with self._open().request(method, self._base + path, **kwargs) as response:
                return Answer(response.status, await response.read())
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise TransportFailure(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
