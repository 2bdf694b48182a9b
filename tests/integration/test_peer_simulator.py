"""What every peer simulator shares, on the real broker: each body is read once, whatever
is not a JSON object is counted as unreadable, a hub message id is acted on once, and what a
simulator sends is confirmed and reported with the fields it was built from."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import pytest

from hub.broker_setup import apply_topology
from hub.registry import load_registry
from hub.topology import build_topology, peer_queue
from simulators.peer import PeerBase

pytestmark = pytest.mark.integration

UNROUTED = "nowhere.00000.none"
"""A routing key ``dossier.in`` binds nowhere: the broker confirms and drops the message."""


@dataclass
class Recorder(PeerBase):
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    sent: list[tuple[str, int, dict[str, Any] | None]] = field(default_factory=list)
    last: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when a message with ``"last": true`` arrives."""

    async def on_message(self, unit: str, data: dict[str, Any]) -> None:
        if data.get("last"):
            self.last.set()
        else:
            self.received.append((unit, data))

    def published(self, routing_key: str, body: bytes, data: dict[str, Any] | None) -> None:
        self.sent.append((routing_key, len(body), data))


async def test_a_peer_reads_each_body_once_and_acts_on_a_message_id_once(amqp_url: str) -> None:
    registry = load_registry()
    await apply_topology(amqp_url, build_topology(registry.peers()))
    unit = next(iter(registry.peers())).code
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        await (await channel.declare_queue(peer_queue(unit), passive=True)).purge()
        peer = Recorder(amqp_url)
        await peer.connect([peer_queue(unit)])
        try:
            # Given a body that is not JSON, one that is JSON but no object, and one message
            # delivered twice (at least once delivery), then a last one
            notice = {"LoaiBanTin": "ThongBaoHoSo", "MaBanTin": "m-1", "MaHoSo": "X-1"}
            once = json.dumps(notice).encode()
            for body in (b"{not json", b"[1, 2]", once, once, b'{"last": true}'):
                await channel.default_exchange.publish(
                    aio_pika.Message(body), routing_key=peer_queue(unit)
                )
            # When the peer has taken them all (in order: one queue)
            async with asyncio.timeout(10):
                await peer.last.wait()
            # Then the first two are unreadable and the notice reached it once, as an object
            assert peer.unreadable == 2
            assert peer.received == [(unit, notice)]
            queue = await channel.declare_queue(peer_queue(unit), passive=True)
            assert queue.declaration_result.message_count == 0
        finally:
            await peer.close()


async def test_what_a_peer_sends_is_confirmed_and_reported_with_its_fields(amqp_url: str) -> None:
    registry = load_registry()
    await apply_topology(amqp_url, build_topology(registry.peers()))
    peer = Recorder(amqp_url)
    await peer.connect([])
    try:
        # When the simulator sends a message it built, and publishes raw bytes
        message = {"messageType": "STATUS", "messageId": "s-1", "dossierNo": "D-1"}
        await peer.send(UNROUTED, message)
        await peer.publish(UNROUTED, b"{broken")
        # Then both are confirmed; the built one is reported with its fields and its id kept
        assert peer.confirmed_ids == ["s-1"]
        assert json.loads(peer.confirmed_bodies["s-1"]) == message
        assert peer.sent == [
            (UNROUTED, len(json.dumps(message).encode()), message),
            (UNROUTED, len(b"{broken"), None),
        ]
    finally:
        await peer.close()
