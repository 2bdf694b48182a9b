"""The real postal adapter: VNPost's API over HTTP (:mod:`adapters.postal.http`, aiohttp),
errors translated at the boundary.

5xx answers, timeouts and connection errors are retried a bounded number of times (every call is
safe to repeat: orders are idempotent on OrderNumber) and then raise
:class:`~hub.errors.PostalServiceUnavailable`; 4xx answers raise :class:`PostalRequestRejected`.
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import structlog
from pydantic import BaseModel, SecretStr

from adapters.postal.errors import PostalAuthenticationFailed, PostalServiceUnavailable
from adapters.postal.http import Answer, Http, TransportFailure
from adapters.postal.models import CreatedOrder, CreateOrderRequest, TrackingEvent, TrackingPage
from adapters.postal.responses import decoded
from adapters.postal.tokens import ServerTrouble, TokenCache

log = structlog.get_logger(__name__)

FEED_PAGES_PER_CALL = 20
M = TypeVar("M", bound=BaseModel)


class PostalClient:
    def __init__(
        self,
        *,
        base_url: str,
        client_id: str,
        client_secret: str | SecretStr,
        timeout: float = 10.0,
        attempts: int = 3,
        backoff_seconds: float = 0.2,
        page_size: int = 50,
        refresh_margin_seconds: float = 60.0,
    ) -> None:
        if attempts < 1 or page_size < 1 or timeout <= 0 or backoff_seconds < 0:
            raise ValueError("need attempts >= 1, page_size >= 1, timeout > 0, backoff >= 0")
        secret = client_secret if isinstance(client_secret, SecretStr) else SecretStr(client_secret)
        self._http = Http(base_url, timeout=timeout)
        self._tokens = TokenCache(
            client_id=client_id, client_secret=secret, refresh_margin_seconds=refresh_margin_seconds
        )
        self._attempts = attempts
        self._backoff = backoff_seconds
        self._page_size = page_size

    async def create_order(self, request: CreateOrderRequest) -> CreatedOrder:
        body = request.model_dump(by_alias=True)
        created = await self._call("POST", "/api/v1/orders", CreatedOrder, json=body)
        log.info(
            "postal_order_created",
            order_number=created.order_number,
            item_code=created.item_code,
            status_code=created.status,
        )
        return created

    async def cancel_order(self, order_number: str) -> None:
        path = f"/api/v1/orders/{quote(order_number, safe='')}/cancel"
        await self._call("POST", path, CreatedOrder)
        log.info("postal_order_cancelled", order_number=order_number)

    async def track(self, order_number: str) -> list[TrackingEvent]:
        """Every tracking event of one order, oldest first, following the pages."""
        events: list[TrackingEvent] = []
        page_number = 1
        while True:
            params = {"OrderNumber": order_number, "Page": page_number, "PageSize": self._page_size}
            page = await self._call("GET", "/api/v1/tracking", TrackingPage, params=params)
            events.extend(page.items)
            if not page.items or len(events) >= page.total_count:
                return events
            page_number += 1

    async def track_since(self, cursor: str | None) -> tuple[list[TrackingEvent], str]:
        """New events of every order after ``cursor`` and the cursor to pass next time."""
        events: list[TrackingEvent] = []
        position = cursor or "0"
        for _ in range(FEED_PAGES_PER_CALL):
            params = {"Since": position, "PageSize": self._page_size}
            page = await self._call("GET", "/api/v1/tracking", TrackingPage, params=params)
            events.extend(page.items)
            position = page.next_cursor or position
            if len(page.items) >= page.total_count or not page.items:
                break
        return events, position

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _call(self, method: str, path: str, model: type[M], **kwargs: Any) -> M:
        failure = "none"
        for attempt in range(1, self._attempts + 1):
            try:
                return decoded(await self._authorized(method, path, **kwargs), model)
            except (TransportFailure, ServerTrouble) as exc:
                failure = str(exc) or type(exc).__name__
            log.warning("postal_call_failed", path=path, attempt=attempt, failure=failure)
            if attempt < self._attempts:
                await asyncio.sleep(self._backoff * 2 ** (attempt - 1))
        raise PostalServiceUnavailable(f"{method} {path} failed {self._attempts} times: {failure}")

    async def _authorized(self, method: str, path: str, **kwargs: Any) -> Answer:
        """One request with a bearer token; on 401 a fresh token and one more try."""
        for fresh_token in (False, True):
            token = await self._tokens.get(self._http)
            headers = {"Authorization": f"Bearer {token}"}
            response = await self._http.request(method, path, headers=headers, **kwargs)
            if response.status_code != 401:
                return response
            self._tokens.invalidate(token)
            log.info("postal_token_refused", path=path, after_refresh=fresh_token)
        raise PostalAuthenticationFailed("bearer token refused", status_code=401)
