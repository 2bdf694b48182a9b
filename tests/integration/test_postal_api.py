"""The real postal client against the postal simulator on 127.0.0.1 (an ephemeral port)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import httpx
import pytest

from adapters.postal import codes
from adapters.postal.client import PostalClient
from adapters.postal.errors import (
    PostalAuthenticationFailed,
    PostalOrderConflict,
    PostalRequestRejected,
)
from adapters.postal.models import CreateOrderRequest, TrackingEvent
from adapters.postal.translate import to_canonical
from hub.errors import PermanentError, PostalServiceUnavailable
from simulators.postal_server import PostalSimConfig, RunningServer, start_postal_server

SLOW = PostalSimConfig(seed=7)
"""Real-time pacing: orders stay in 'registered' for the whole test."""
FAST = PostalSimConfig(seed=7, time_scale=0.00005)
"""An hour takes 0.18 s: an order is delivered in well under a second."""
DELIVERY_CODES = ["100", "200", "300", "400", "500"]

_numbers = itertools.count(1)
T = TypeVar("T")
PATIENCE_SECONDS = 5.0


def order_request(**changes: object) -> CreateOrderRequest:
    request = CreateOrderRequest(
        order_number=f"000.00.31.H57-190417-{next(_numbers):04d}",
        sender_name="Trung tâm Hành chính công Thành phố Huế",
        sender_address="Trung tâm Hành chính công Thành phố Huế",
        sender_province="49000",
        sender_district="49100",
        receiver_name="Nguyễn Văn An",
        receiver_phone="0905123456",
        receiver_address="12 Lê Lợi, Phú Hội",
        receiver_province="46",
        receiver_district="474",
    )
    return request.model_copy(update=changes)


@asynccontextmanager
async def serving(config: PostalSimConfig) -> AsyncIterator[RunningServer]:
    server = await start_postal_server(config, host="127.0.0.1", port=0)
    try:
        yield server
    finally:
        await server.stop()


def client_for(
    url: str, *, client_secret: str = "hub-secret", attempts: int = 3, page_size: int = 50
) -> PostalClient:
    return PostalClient(
        base_url=url,
        client_id="hub",
        client_secret=client_secret,
        attempts=attempts,
        page_size=page_size,
        backoff_seconds=0.01,
    )


@pytest.fixture
async def server() -> AsyncIterator[RunningServer]:
    async with serving(SLOW) as running:
        yield running


@pytest.fixture
async def fast_server() -> AsyncIterator[RunningServer]:
    async with serving(FAST) as running:
        yield running


@pytest.fixture
async def client(server: RunningServer) -> AsyncIterator[PostalClient]:
    async with client_for(server.url) as postal:
        yield postal


async def eventually(probe: Callable[[], Awaitable[T | None]]) -> T:
    """Poll ``probe`` until it returns something, for at most ``PATIENCE_SECONDS``."""
    async with asyncio.timeout(PATIENCE_SECONDS):
        while True:
            result = await probe()
            if result is not None:
                return result
            await asyncio.sleep(0.02)


async def track_until_delivered(postal: PostalClient, order_number: str) -> list[TrackingEvent]:
    async def delivered() -> list[TrackingEvent] | None:
        events = await postal.track(order_number)
        return events if events[-1].status_code == codes.DELIVERED else None

    return await eventually(delivered)


async def test_the_server_reports_the_port_it_actually_bound(server: RunningServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    assert not server.url.endswith(":0")


async def test_an_api_call_without_a_bearer_token_is_refused(server: RunningServer) -> None:
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.get("/api/v1/tracking", params={"Since": "0"})

    assert response.status_code == 401


async def test_a_token_can_be_requested_with_a_json_body(server: RunningServer) -> None:
    body = {"grant_type": "client_credentials", "client_id": "hub", "client_secret": "hub-secret"}
    async with httpx.AsyncClient(base_url=server.url) as http:
        response = await http.post("/oauth/token", json=body)

    assert response.status_code == 200
    assert response.json()["token_type"] == "Bearer"
    assert response.json()["expires_in"] == 3600


async def test_the_token_is_reused_and_refreshed_before_it_expires() -> None:
    config = PostalSimConfig(token_ttl_seconds=1.0)
    async with serving(config) as server, client_for(server.url) as postal:
        created = await postal.create_order(order_request())
        await postal.track(created.order_number)
        assert server.sim.tokens.issued == 1

        await asyncio.sleep(0.6)  # past half the lifetime: the client refreshes early
        await postal.track(created.order_number)

        assert server.sim.tokens.issued == 2


async def test_a_token_refused_with_401_is_replaced_once_and_the_call_succeeds(
    server: RunningServer, client: PostalClient
) -> None:
    created = await client.create_order(order_request())
    server.sim.revoke_tokens()

    events = await client.track(created.order_number)

    assert [event.status_code for event in events] == [codes.REGISTERED]
    assert server.sim.tokens.issued == 2


async def test_wrong_client_credentials_are_a_permanent_error(server: RunningServer) -> None:
    async with client_for(server.url, client_secret="wrong") as postal:
        with pytest.raises(PostalAuthenticationFailed) as raised:
            await postal.track_since(None)

    assert raised.value.status_code == 401
    assert isinstance(raised.value, PermanentError)


async def test_creating_the_same_order_twice_returns_the_existing_order(
    client: PostalClient,
) -> None:
    request = order_request()

    first = await client.create_order(request)
    again = await client.create_order(request)

    assert again == first
    assert first.order_number == request.order_number
    assert first.item_code.startswith("EB")
    assert first.item_code.endswith("VN")
    assert len(first.item_code) == 13


async def test_re_creating_an_order_number_with_a_different_body_is_a_conflict(
    client: PostalClient,
) -> None:
    request = order_request()
    await client.create_order(request)

    with pytest.raises(PostalOrderConflict) as raised:
        await client.create_order(request.model_copy(update={"cod_amount": 50_000}))

    assert raised.value.status_code == 409
    assert isinstance(raised.value, PostalRequestRejected)


async def test_an_order_with_an_invalid_field_is_rejected_with_400(client: PostalClient) -> None:
    with pytest.raises(PostalRequestRejected) as raised:
        await client.create_order(order_request(receiver_district="không hợp lệ"))

    assert raised.value.status_code == 400
    assert "ReceiverDistrict" in str(raised.value)


async def test_a_brief_503_is_retried_and_the_call_succeeds(
    server: RunningServer, client: PostalClient
) -> None:
    server.sim.fail_next(2)

    created = await client.create_order(order_request())

    assert created.status == codes.REGISTERED
    assert server.sim.unavailable_answers == 2


async def test_a_persistent_503_becomes_postal_service_unavailable_after_three_attempts(
    server: RunningServer, client: PostalClient
) -> None:
    server.sim.fail_next(100)

    with pytest.raises(PostalServiceUnavailable):
        await client.create_order(order_request())

    assert server.sim.unavailable_answers == 3


async def test_a_postal_service_that_does_not_answer_is_unavailable() -> None:
    async with serving(SLOW) as server:
        url = server.url
    async with client_for(url, attempts=2) as postal:
        with pytest.raises(PostalServiceUnavailable):
            await postal.track_since(None)


async def test_a_postal_service_that_takes_the_call_and_never_answers_times_out() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)  # the request, and then nothing
        await asyncio.sleep(5)
        writer.close()

    listener = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    postal = PostalClient(
        base_url=f"http://127.0.0.1:{port}",
        client_id="hub",
        client_secret="hub-secret",
        timeout=0.2,
        attempts=2,
        backoff_seconds=0.01,
    )
    try:
        async with asyncio.timeout(3):
            with pytest.raises(PostalServiceUnavailable, match="failed 2 times"):
                await postal.track_since(None)
    finally:
        await postal.aclose()
        listener.close()


async def test_cancelling_a_registered_order_records_the_cancellation(
    client: PostalClient,
) -> None:
    created = await client.create_order(order_request())

    await client.cancel_order(created.order_number)
    await client.cancel_order(created.order_number)

    events = await client.track(created.order_number)
    assert [event.status_code for event in events] == [codes.REGISTERED, codes.CANCELLED]


async def test_tracking_an_unknown_order_is_rejected_with_404(client: PostalClient) -> None:
    with pytest.raises(PostalRequestRejected) as raised:
        await client.track("000.00.31.H57-190417-9999")

    assert raised.value.status_code == 404


async def test_an_order_reaches_delivered_with_a_fast_time_scale(
    fast_server: RunningServer,
) -> None:
    async with client_for(fast_server.url) as postal:
        created = await postal.create_order(order_request())

        events = await track_until_delivered(postal, created.order_number)

    assert [event.status_code for event in events] == DELIVERY_CODES
    assert {event.item_code for event in events} == {created.item_code}
    final = to_canonical(events[-1])
    assert final.delivered is True
    assert final.status_message == "Phát thành công"
    assert final.event_time.utcoffset() is not None


async def test_tracking_follows_the_pages_of_an_order_with_more_events_than_a_page(
    fast_server: RunningServer,
) -> None:
    async with client_for(fast_server.url, page_size=2) as postal:
        created = await postal.create_order(order_request())

        events = await track_until_delivered(postal, created.order_number)

    assert [event.status_code for event in events] == DELIVERY_CODES


async def test_a_failed_delivery_is_followed_by_redelivery() -> None:
    config = PostalSimConfig(
        seed=7, time_scale=0.00005, delivery_failure_rate=1.0, max_delivery_failures=1
    )
    async with serving(config) as server, client_for(server.url) as postal:
        created = await postal.create_order(order_request())

        events = await track_until_delivered(postal, created.order_number)

    assert [event.status_code for event in events] == [
        "100",
        "200",
        "300",
        "400",
        "401",
        "400",
        "500",
    ]


async def test_the_tracking_feed_returns_each_new_event_once(fast_server: RunningServer) -> None:
    async with client_for(fast_server.url, page_size=3) as postal:
        orders = [(await postal.create_order(order_request())).order_number for _ in range(2)]
        seen: list[TrackingEvent] = []
        cursor: str | None = None

        async def both_delivered() -> bool | None:
            nonlocal cursor
            events, cursor = await postal.track_since(cursor)
            seen.extend(events)
            delivered = {e.order_number for e in seen if e.status_code == codes.DELIVERED}
            return True if delivered == set(orders) else None

        await eventually(both_delivered)
        leftovers, same_cursor = await postal.track_since(cursor)

    for order_number in orders:
        codes_seen = [e.status_code for e in seen if e.order_number == order_number]
        assert codes_seen == DELIVERY_CODES
    assert leftovers == []
    assert same_cursor == cursor
