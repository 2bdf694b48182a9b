"""Dossier codes the hub issues (Circular 01/2018 Art.19) through a running hub, with the
test acting as the peers: a commune registers dossiers without ``MaHoSo``, the hub issues
``<agency code>-<YYMMDD>-<NNNN>`` from the unit's daily sequence in the transaction that
claims the inbox, and tells the commune with ``XacNhanTiepNhan``."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import date, datetime, time, timedelta
from typing import Any

import asyncpg
import pytest

from hub.demo.workers import HubWorkers
from hub.registry import load_registry
from schemas import VIETNAM
from tests.harness import Inbox, Peers, body_contains, new_dossier, status_update

pytestmark = [pytest.mark.integration]

REGISTRY = load_registry()
PAC = "474-PAC"
LAND = "1.012753"  # decided by the district PAC
BIRTH = "1.001193"  # decided by the commune
ENTROPY = random.SystemRandom()


def fresh_day() -> date:
    """A reception day other tests' random codes (2017–2019) and the demo never use."""
    return date(2021, 1, 4) + timedelta(days=ENTROPY.randrange(1_000))


def a_commune_of(district: str, day: date) -> str:
    """A commune of the district in the registry era of ``day`` (three tiers before 7/2025)."""
    era = REGISTRY.at(datetime.combine(day, time(9), VIETNAM))
    return ENTROPY.choice(era.communes_of(district)).code


def codeless(unit: str, procedure: str, day: date) -> dict[str, Any]:
    body = new_dossier(unit, procedure, NgayTiepNhan=f"{day:%Y%m%d}090000")
    del body["MaHoSo"]
    return body


async def publish_codeless(peers: Peers, body: dict[str, Any], **properties: Any) -> None:
    """A peer without a code yet sets the AMQP correlation id to its MaBanTin."""
    properties.setdefault("correlation_id", body["MaBanTin"])
    await peers.publish(f"commune.{body['MaDonVi']}.hoso", body, **properties)


async def acknowledgement(inbox: Inbox, reception: dict[str, Any]) -> dict[str, Any]:
    arrived = await inbox.wait_for(
        lambda m: b"XacNhanTiepNhan" in m.body and reception["MaBanTin"].encode() in m.body
    )
    ack: dict[str, Any] = json.loads(arrived.body)
    return ack


async def last_issued(conn: asyncpg.Connection, agency_code: str, day: date) -> int:
    last = await conn.fetchval(
        "SELECT last FROM hub.dossier_code_sequences WHERE agency_code = $1 AND day = $2",
        agency_code,
        day,
    )
    return int(last or 0)


async def provincial_dossier(conn: asyncpg.Connection, code: str, **expected: Any) -> Any:
    for _ in range(200):
        row = await conn.fetchrow("SELECT * FROM province.dossiers WHERE code = $1", code)
        if row is not None and all(row[k] == v for k, v in expected.items()):
            return row
        await asyncio.sleep(0.1)
    raise AssertionError(f"{code} never matched {expected} in the provincial database")


async def test_code_less_receptions_get_consecutive_codes_that_the_commune_then_uses(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    # Given a commune and a reception day whose sequence is where it is
    day = fresh_day()
    unit = a_commune_of("474", day)
    agency = REGISTRY.unit(unit).agency_code
    before = await last_issued(registry_db, agency, day)
    commune = await peers.listen(f"peer.{unit}")
    district = await peers.listen(f"peer.{PAC}")

    # When the commune registers a land dossier and then a birth, both without MaHoSo
    land, birth = codeless(unit, LAND, day), codeless(unit, BIRTH, day)
    await publish_codeless(peers, land)
    first = await acknowledgement(commune, land)
    await publish_codeless(peers, birth)
    second = await acknowledgement(commune, birth)

    # Then the hub issued the unit's next two codes of that reception day, in order
    assert first["MaHoSo"] == f"{agency}-{day:%y%m%d}-{before + 1:04d}"
    assert second["MaHoSo"] == f"{agency}-{day:%y%m%d}-{before + 2:04d}"
    assert (first["MaBanTinGoc"], second["MaBanTinGoc"]) == (land["MaBanTin"], birth["MaBanTin"])
    assert (first["DonViXuLy"], second["DonViXuLy"]) == (PAC, unit)
    assert first["NgayTiepNhan"] == land["NgayTiepNhan"]
    assert await last_issued(registry_db, agency, day) == before + 2
    # And the district PAC got the land dossier under its new code
    transfer = json.loads((await district.wait_for(body_contains(first["MaHoSo"]))).body)
    assert transfer["dossierNo"] == first["MaHoSo"]
    # And the provincial database holds both dossiers under their codes
    await provincial_dossier(registry_db, first["MaHoSo"], receiving_unit=unit, competent_unit=PAC)
    await provincial_dossier(registry_db, second["MaHoSo"], receiving_unit=unit, status=1)
    # When the commune accepts the birth dossier under its issued code
    accepted = status_update(unit, second["MaHoSo"], 2)
    await peers.publish(f"commune.{unit}.trangthai", accepted)
    # Then the hub applies it to that dossier
    await provincial_dossier(registry_db, second["MaHoSo"], status=2)


async def test_a_redelivered_code_less_reception_consumes_no_second_number(
    hub_worker: HubWorkers, peers: Peers, registry_db: asyncpg.Connection
) -> None:
    # Given a code-less reception the hub has issued a code for
    day = fresh_day()
    unit = a_commune_of("474", day)
    agency = REGISTRY.unit(unit).agency_code
    before = await last_issued(registry_db, agency, day)
    commune = await peers.listen(f"peer.{unit}")
    reception = codeless(unit, BIRTH, day)
    await publish_codeless(peers, reception)
    issued = (await acknowledgement(commune, reception))["MaHoSo"]
    assert issued == f"{agency}-{day:%y%m%d}-{before + 1:04d}"

    # When the same message (same MaBanTin) arrives again, then another reception, on the
    # same shard so that it is applied after the redelivery
    await publish_codeless(peers, reception)
    later = codeless(unit, BIRTH, day)
    await publish_codeless(peers, later, correlation_id=reception["MaBanTin"])
    following = (await acknowledgement(commune, later))["MaHoSo"]

    # Then the redelivery issued nothing: the next reception got the very next number
    assert following == f"{agency}-{day:%y%m%d}-{before + 2:04d}"
    assert await last_issued(registry_db, agency, day) == before + 2
    acks = [m for m in commune.messages if reception["MaBanTin"].encode() in m.body]
    assert len(acks) == 1
    # And the provincial database holds the two dossiers, under those two codes only
    await provincial_dossier(registry_db, issued, receiving_unit=unit)
    await provincial_dossier(registry_db, following, receiving_unit=unit)
    registered = await registry_db.fetchval(
        "SELECT count(*) FROM province.dossiers WHERE code LIKE $1", f"{agency}-{day:%y%m%d}-%"
    )
    assert registered == 2
