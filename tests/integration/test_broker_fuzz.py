"""Fuzzing over the real broker: batches of hostile peer messages (garbage bytes, random
JSON, receptions with a corrupted field, wrong routing keys) go through a running hub. Each
one is parked with a reason or, when the corruption happens to leave a valid message,
processed; a good dossier sent after them still goes through; the hub never crashes."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.demo.workers import HubWorkers
from hub.registry import load_registry
from tests.dead_letters import parked_letters
from tests.harness import Peers, new_dossier

pytestmark = [pytest.mark.integration]

COMMUNE = "19744"
BIRTH = "1.001193"
MARKER_FIELD = "MaBanTin"
AGENCY = load_registry().unit(COMMUNE).agency_code

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
odd_values = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=50),
    st.text(min_size=3000, max_size=3000),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
RECEPTION_FIELDS = (
    "MaDonVi",
    "MaHoSo",
    "MaTTHC",
    "NgayTiepNhan",
    "HinhThuc",
    "ChuHoSo",
    "HinhThucTraKQ",
    "DiaChiNhanKQ",
    "LoaiBanTin",
)


@st.composite
def hostile(draw: st.DrawFn) -> tuple[str, str, bytes, str]:
    """(kind, routing key, body, marker found in the body)."""
    marker = str(uuid.uuid4())
    kind = draw(st.sampled_from(["bytes", "json", "corrupt", "drop", "foreign_unit"]))
    key = f"commune.{COMMUNE}.hoso"
    if kind == "bytes":
        return kind, key, marker.encode() + draw(st.binary(max_size=300)), marker
    if kind == "json":
        value: Any = {MARKER_FIELD: marker, "x": draw(json_values)}
        return kind, key, json.dumps(value).encode(), marker
    sequence = draw(st.integers(0, 9999))  # no `random` inside a strategy
    body = new_dossier(COMMUNE, BIRTH, MaHoSo=f"{AGENCY}-180410-{sequence:04d}")
    body[MARKER_FIELD] = marker
    if kind == "corrupt":
        body[draw(st.sampled_from(RECEPTION_FIELDS))] = draw(odd_values)
    elif kind == "drop":
        del body[draw(st.sampled_from(RECEPTION_FIELDS))]
    else:  # a unit publishing as another unit, or as a unit that does not exist
        key = f"commune.{draw(st.sampled_from(['19747', '99999', 'x']))}.hoso"
    return kind, key, json.dumps(body, ensure_ascii=False).encode(), marker


async def parked_or_processed(conn: asyncpg.Connection, marker: str) -> str:
    for _ in range(300):
        letters = await parked_letters(conn, marker)
        if letters:
            assert letters[0]["reason_code"], letters[0]
            return f"parked:{letters[0]['reason_code']}"
        if await conn.fetchval("SELECT 1 FROM hub.inbox WHERE message_id = $1::uuid", marker):
            return "processed"
        await asyncio.sleep(0.1)
    raise AssertionError(f"message {marker} was neither parked nor processed")


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=st.lists(hostile(), min_size=8, max_size=16))
async def test_hostile_batches_are_parked_with_reasons_and_good_traffic_flows(
    hub_worker: HubWorkers,
    peers: Peers,
    registry_db: asyncpg.Connection,
    batch: list[tuple[str, str, bytes, str]],
) -> None:
    for _, key, body, _ in batch:
        await peers.publish(key, body)
    good = new_dossier(COMMUNE, BIRTH)
    await peers.publish(f"commune.{COMMUNE}.hoso", good)

    outcomes = [
        (kind, await parked_or_processed(registry_db, marker)) for kind, _, _, marker in batch
    ]
    assert await parked_or_processed(registry_db, good[MARKER_FIELD]) == "processed"
    for kind, outcome in outcomes:
        if kind in ("bytes", "json", "foreign_unit"):  # can never be a valid message
            assert outcome.startswith("parked:"), outcomes
    assert all(p.poll() is None for p in hub_worker.processes), "a hub worker died"
