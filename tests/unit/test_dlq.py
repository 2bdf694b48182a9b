"""What the dead-letter store reads from a parked message, and where a replay goes."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from hub.dlq.letters import (
    ActionRefused,
    ParkedDelivery,
    ReplayTarget,
    dead_letter,
    derived_message_id,
    json_safe,
    replay_headers,
    replay_message_id,
    replay_target,
)
from hub.relay import parked_copy
from hub.store.outbox import OutboxMessage

BODY = b'{"LoaiBanTin": "TiepNhanHoSo"}'


def delivery(headers: dict[str, Any], message_id: str | None = "m-1") -> ParkedDelivery:
    return ParkedDelivery(
        body=BODY,
        headers=headers,
        message_id=message_id,
        content_type="application/json",
        routing_key="commune.19744.hoso",
    )


def hub_parked_headers() -> dict[str, Any]:
    return {
        "content-type": "application/json",
        "x-trace": "abc",
        "x-hub-reason-code": "dependency_unavailable",
        "x-hub-reason": "gave up after 5 attempts: ConnectionError",
        "x-hub-attempts": 5,
        "x-hub-source-queue": "hub.ingress.commune",
        "x-hub-original-routing-key": "commune.19744.hoso",
        "x-hub-original-message-id": "peer-42",
        "x-hub-original-user-id": "unit-19744",
        "x-hub-parked-at": "2025-03-04T05:06:07+00:00",
    }


def broker_death(reason: str, queue: str, key: str, exchange: str = "dossier.in") -> dict[str, Any]:
    return {
        "count": 1,
        "reason": reason,
        "queue": queue,
        "exchange": exchange,
        "routing-keys": [key],
        "time": datetime(2025, 3, 4, 5, 6, 7),
    }


def test_a_message_the_hub_parked_is_read_from_its_hub_headers() -> None:
    letter = dead_letter(delivery(hub_parked_headers()))
    assert letter.parked_message_id == "m-1"
    assert letter.original_message_id == "peer-42"
    assert letter.source_queue == "hub.ingress.commune"
    assert letter.original_routing_key == "commune.19744.hoso"
    assert letter.reason_code == "dependency_unavailable"
    assert letter.attempts == 5
    assert letter.parked_at == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert letter.body == BODY


def test_a_message_over_the_delivery_limit_is_read_from_the_latest_death() -> None:
    headers = {
        "x-death": [
            broker_death("delivery_limit", "hub.ingress.agency", "agency.474-PAC.status"),
            broker_death("expired", "hub.ingress.agency.retry.1s", "hub.ingress.agency.retry.1s"),
        ],
        "x-first-death-queue": "hub.ingress.agency.retry.1s",
        "x-first-death-reason": "expired",
        "x-delivery-count": 20,
    }
    letter = dead_letter(delivery(headers))
    assert letter.reason_code == "delivery_limit"
    assert letter.source_queue == "hub.ingress.agency"
    assert letter.original_exchange == "dossier.in"
    assert letter.original_routing_key == "agency.474-PAC.status"
    assert letter.attempts == 20
    assert letter.original_message_id == "m-1"
    assert letter.parked_at == datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_without_x_death_the_first_death_headers_name_queue_and_reason() -> None:
    letter = dead_letter(
        delivery({"x-first-death-queue": "peer.19744", "x-first-death-reason": "rejected"})
    )
    assert (letter.source_queue, letter.reason_code) == ("peer.19744", "rejected")


def test_a_message_back_from_a_retry_queue_keeps_the_peers_routing_key() -> None:
    headers = {
        "x-death": [broker_death("delivery_limit", "hub.ingress.commune", "hub.ingress.commune")],
        "x-hub-original-routing-key": "commune.19744.trangthai",
        "x-hub-attempts": 2,
    }
    assert dead_letter(delivery(headers)).original_routing_key == "commune.19744.trangthai"


def test_broker_dead_letters_get_one_id_per_parking() -> None:
    first = dead_letter(delivery({"x-death": [broker_death("rejected", "peer.19744", "19744")]}))
    again = dead_letter(delivery({"x-death": [broker_death("rejected", "peer.19744", "19744")]}))
    later_death = broker_death("rejected", "peer.19744", "19744") | {"count": 2}
    later = dead_letter(delivery({"x-death": [later_death]}))
    assert first.parked_message_id == again.parked_message_id
    assert first.parked_message_id != later.parked_message_id
    assert first.parked_message_id.startswith("sha256:")


def test_a_hub_parked_message_without_message_id_gets_a_derived_one() -> None:
    letter = dead_letter(delivery(hub_parked_headers(), message_id=None))
    assert letter.parked_message_id == derived_message_id(BODY, hub_parked_headers())


def test_headers_become_json_values() -> None:
    value = json_safe({"a": b"x", "b": Decimal("1.5"), "c": [datetime(2025, 1, 1)], "d": None})
    assert value == {"a": "x", "b": "1.5", "c": ["2025-01-01T00:00:00+00:00"], "d": None}


def test_garbage_headers_do_not_break_parsing() -> None:
    letter = dead_letter(delivery({"x-death": "nonsense", "x-hub-attempts": "many"}))
    assert letter.reason_code == "unknown"
    assert letter.source_queue == "unknown"


@pytest.mark.parametrize(
    ("source_queue", "routing_key", "target"),
    [
        ("hub.ingress.commune", "commune.19744.hoso", ("dossier.in", "commune.19744.hoso")),
        ("hub.ingress.agency", "agency.474-PAC.status", ("dossier.in", "agency.474-PAC.status")),
        ("provincial.projection", "dossier.received", ("", "provincial.projection")),
        ("hub.postal.orders", "hub.postal.orders", ("", "hub.postal.orders")),
        ("peer.474-PAC", "474-PAC", ("dossier.out", "474-PAC")),
    ],
)
def test_a_replay_goes_back_to_where_the_message_was_parked_from(
    source_queue: str, routing_key: str, target: tuple[str, str]
) -> None:
    assert replay_target(source_queue, routing_key) == ReplayTarget(*target)


@pytest.mark.parametrize(
    ("source_queue", "routing_key"),
    [("unknown", "x"), ("hub.parked", ""), ("peer.", "x"), ("hub.ingress.commune", "")],
)
def test_a_replay_without_a_known_route_is_refused(source_queue: str, routing_key: str) -> None:
    with pytest.raises(ActionRefused):
        replay_target(source_queue, routing_key)


def test_a_replay_drops_the_hubs_and_the_brokers_headers() -> None:
    headers = hub_parked_headers() | {"x-death": [], "x-first-death-queue": "q"}
    assert replay_headers(headers, "application/json") == {
        "content-type": "application/json",
        "x-trace": "abc",
    }


def test_a_replay_keeps_the_original_message_id_as_a_uuid() -> None:
    original = "0b7e8f4e-7d2a-4d8e-9f59-1d1f7f2a3c4b"
    assert replay_message_id(original) == UUID(original)
    assert replay_message_id("peer-42") == replay_message_id("peer-42")
    assert replay_message_id("") is None


def test_an_outbox_row_the_broker_returned_is_replayed_to_its_own_exchange_and_key() -> None:
    row = OutboxMessage(
        UUID("0b7e8f4e-7d2a-4d8e-9f59-1d1f7f2a3c4b"),
        "dossier.out",
        "474-PAC",
        BODY,
        {"content-type": "application/json", "x-message-type": "dossier.transferred"},
    )
    parked = parked_copy(row, "returned by the broker (NO_ROUTE)")
    letter = dead_letter(
        ParkedDelivery(
            body=parked.body,
            headers=parked.headers,
            message_id=str(parked.message_id),
            content_type="application/json",
            routing_key=parked.routing_key,
        )
    )

    assert (letter.source_queue, letter.reason_code) == ("hub.outbox", "unroutable")
    assert letter.original_message_id == str(row.message_id)
    target = replay_target(
        letter.source_queue, letter.original_routing_key, letter.original_exchange
    )
    assert target == ReplayTarget("dossier.out", "474-PAC")
    assert replay_headers(letter.headers, letter.content_type) == row.headers


def test_an_outbox_row_without_its_exchange_is_not_replayed() -> None:
    with pytest.raises(ActionRefused):
        replay_target("hub.outbox", "474-PAC")


def test_a_parked_postal_tracking_event_is_not_replayed_and_says_why() -> None:
    with pytest.raises(ActionRefused, match="postal service's feed"):
        replay_target("postal.tracking", "")
