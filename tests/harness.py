"""A running hub (``hub run`` child process) on the real broker and a test database, and
peers that publish native messages and read their own queues."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from hub.event_batches import is_batch, read_batch
from hub.registry import load_registry
from hub.store.outbox import OutboxMessage
from schemas import CanonicalMessage
from simulators.peer import dossier_code_of

REGISTRY = load_registry()
ENTROPY = random.SystemRandom()
"""Not the global generator: hypothesis reseeds that one for every example, which would make
every run draw the same dossier codes."""


def unique_code(unit_code: str) -> str:
    """A dossier code no other test run is likely to have used (seed-era dates before the
    demo's first day, random sequence)."""
    day = date(2017, 11, 13) + timedelta(days=ENTROPY.randrange(500))
    agency = REGISTRY.unit(unit_code).agency_code
    return f"{agency}-{day:%y%m%d}-{ENTROPY.randrange(10_000):04d}"


def new_dossier(
    unit: str, procedure: str, *, by_post: bool = False, **changes: Any
) -> dict[str, Any]:
    commune = REGISTRY.unit(unit)
    body: dict[str, Any] = {
        "LoaiBanTin": "TiepNhanHoSo",
        "MaBanTin": str(uuid.uuid4()),
        "MaDonVi": unit,
        "MaHoSo": changes.pop("MaHoSo", None) or unique_code(unit),
        "MaTTHC": procedure,
        "NgayTiepNhan": "20180410083000",
        "HinhThuc": 1,
        "ChuHoSo": {
            "HoTen": "Trần Thị Bích",
            "SoCCCD": "046190000123",
            "SoDienThoai": "0905123456",
            "DiaChi": "Kiệt 12 Phú Thuận",
        },
        "HinhThucTraKQ": 2 if by_post else 1,
        "DiaChiNhanKQ": {
            "HoTenNguoiNhan": "Trần Thị Bích",
            "SoDienThoai": "0905123456",
            "DiaChi": "Kiệt 12 Phú Thuận",
            "MaXa": unit,
            "MaHuyen": commune.district_code,
            "MaTinh": "46",
        }
        if by_post
        else None,
    }
    body.update(changes)
    return body


def status_update(unit: str, code: str, status: int, **extra: Any) -> dict[str, Any]:
    return {
        "LoaiBanTin": "CapNhatTrangThai",
        "MaBanTin": str(uuid.uuid4()),
        "MaDonVi": unit,
        "MaHoSo": code,
        "TrangThai": status,
        "ThoiGian": "20180410100000",
        **extra,
    }


def agency_status(unit: str, code: str, status: int, **extra: Any) -> dict[str, Any]:
    return {
        "messageType": "STATUS",
        "messageId": str(uuid.uuid4()),
        "agencyUnit": unit,
        "dossierNo": code,
        "statusCode": status,
        "eventTime": "2018-04-11T09:00:00+07:00",
        **extra,
    }


@dataclass
class Inbox:
    """Messages that arrived on one queue, for tests to wait on."""

    messages: list[AbstractIncomingMessage] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        await message.ack()
        self.messages.append(message)
        self.arrived.set()

    async def wait_for(
        self, predicate: Callable[[AbstractIncomingMessage], bool], timeout: float = 20.0
    ) -> AbstractIncomingMessage:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for message in self.messages:
                if predicate(message):
                    return message
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(
                    f"no matching message within {timeout}s ({len(self.messages)} others arrived)"
                )
            self.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.arrived.wait(), remaining)


def body_contains(text: str) -> Callable[[AbstractIncomingMessage], bool]:
    return lambda message: text.encode() in message.body


@dataclass
class Peers:
    """Publishes on dossier.in as any unit and listens on chosen queues."""

    connection: aio_pika.abc.AbstractRobustConnection
    channel: aio_pika.abc.AbstractChannel
    inboxes: dict[str, Inbox] = field(default_factory=dict)

    @classmethod
    async def open(cls, amqp_url: str) -> Peers:
        connection = await aio_pika.connect_robust(amqp_url)
        channel = await connection.channel(publisher_confirms=True)
        return cls(connection, channel)

    async def listen(self, queue_name: str) -> Inbox:
        if queue_name not in self.inboxes:
            queue = await self.channel.get_queue(queue_name, ensure=False)
            await queue.purge()
            inbox = Inbox()
            await queue.consume(inbox.on_message)
            self.inboxes[queue_name] = inbox
        return self.inboxes[queue_name]

    async def publish(
        self, routing_key: str, body: bytes | dict[str, Any], **properties: Any
    ) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        properties.setdefault("correlation_id", dossier_code_of(raw))
        exchange = await self.channel.get_exchange("dossier.in", ensure=False)
        await exchange.publish(
            aio_pika.Message(raw, content_type="application/json", **properties),
            routing_key=routing_key,
        )

    async def close(self) -> None:
        await self.connection.close()


def worker_log(log_dir: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-3000:] for p in log_dir.glob("*.log"))


class Published:
    """A publisher that keeps what it is given, for tests where the broker is not what is
    covered; with ``gate`` set, each publish waits for it (a broker slow to confirm)."""

    def __init__(self, gate: asyncio.Event | None = None) -> None:
        self.messages: list[OutboxMessage] = []
        self.gate = gate

    async def publish(self, message: OutboxMessage) -> None:
        if self.gate is not None:
            await self.gate.wait()
        self.messages.append(message)

    def events(self) -> list[CanonicalMessage]:
        """The canonical events published so far, in order, taken out of their batches."""
        return [
            item.message
            for m in self.messages
            if is_batch(m.headers)
            for item in read_batch(m.body)
            if item.message is not None
        ]
