"""Slips from the real provincial database: the read queries and the ``hub slip`` command.

Rows go in through the real projector; each test uses its own dossier codes (and, for the
register, its own unit), so tests and reruns share one database without seeing each other.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from uuid import uuid4

import asyncpg
import pytest

from adapters.provincial_db import project
from adapters.provincial_db.slips import dossier_slip, register
from adapters.provincial_db.statistics import Period
from schemas import (
    VIETNAM,
    Applicant,
    CanonicalMessage,
    Channel,
    DelayApologised,
    DocumentRef,
    Dossier,
    DossierAccepted,
    DossierEvent,
    DossierReceived,
    DossierRefused,
    DossierTransferred,
    FeePaid,
    ResultIssued,
    SupplementRequested,
    new_envelope,
)

pytestmark = pytest.mark.integration

COMMUNE = "19744"
PAC = "474-PAC"
LAND = "1.012753"
NAME = "Hoàng Thị <b>Mai</b>"
MONDAY = datetime(2019, 4, 15, 8, 5, tzinfo=VIETNAM)
DUE = datetime(2019, 5, 14, 17, 0, tzinfo=VIETNAM)


def new_code(received: datetime = MONDAY) -> str:
    return f"000.{uuid4().hex[:10]}.H57-{received:%y%m%d}-{random.randrange(1, 10_000):04d}"


def a_dossier(code: str, *, unit: str = COMMUNE, received: datetime = MONDAY) -> Dossier:
    return Dossier(
        code=code,
        procedure_code=LAND,
        receiving_unit=unit,
        channel=Channel.IN_PERSON,
        received_at=received,
        applicant=Applicant(full_name=NAME, id_number="046190000777", address="5 Lê Lợi"),
        documents=(DocumentRef(name="Đơn đăng ký", uri="s3://hue/1.pdf", sha256="a" * 64),),
    )


@dataclass
class Timeline:
    """Projects a dossier's events one after another, as the hub would record them."""

    conn: asyncpg.Connection
    code: str
    sequence: int = 0

    async def add(self, event: DossierEvent, at: datetime) -> None:
        self.sequence += 1
        message: CanonicalMessage = new_envelope(
            event,
            sender="hub",
            recipient="province",
            dossier_code=self.code,
            occurred_at=at,
            sequence=self.sequence,
        )
        assert await project(self.conn, message)


async def received_and_transferred(
    conn: asyncpg.Connection, code: str, *, unit: str = COMMUNE, to: str = PAC
) -> Timeline:
    dossier = a_dossier(code, unit=unit)
    timeline = Timeline(conn, code)
    await timeline.add(DossierReceived(dossier=dossier), dossier.received_at)
    transfer = DossierTransferred(
        from_unit=unit, to_unit=to, procedure_code=LAND, due_at=DUE, dossier=dossier
    )
    await timeline.add(transfer, dossier.received_at + timedelta(hours=2))
    return timeline


async def a_late_land_dossier(conn: asyncpg.Connection) -> str:
    """Received, transferred, accepted, supplement, fee, apology, resolved after due."""
    code = new_code()
    timeline = await received_and_transferred(conn, code)
    await timeline.add(DossierAccepted(unit=PAC, due_at=DUE), MONDAY + timedelta(days=1))
    items = ("Bản sao sổ hộ khẩu", "Trích đo địa chính")
    await timeline.add(
        SupplementRequested(unit=PAC, missing_items=items, note="Thiếu giấy tờ"),
        MONDAY + timedelta(days=2),
    )
    await timeline.add(
        FeePaid(unit=COMMUNE, amount_vnd=100_000, receipt_number="0000123"),
        MONDAY + timedelta(days=3),
    )
    new_due = DUE + timedelta(days=7)
    await timeline.add(
        DelayApologised(unit=PAC, reason="Chờ xác minh", due_at=new_due, previous_due_at=DUE),
        DUE - timedelta(days=1),
    )
    await timeline.add(ResultIssued(unit=PAC, decision_number="99/QĐ"), DUE + timedelta(days=2))
    return code


async def test_a_slip_reads_its_dossier_timeline_and_registry_names(
    conn: asyncpg.Connection,
) -> None:
    code = await a_late_land_dossier(conn)
    slip = await dossier_slip(conn, code)
    assert slip is not None
    assert slip.receiving_unit.name == "UBND Phường Phú Thuận"
    assert slip.receiving_unit.is_commune
    assert slip.competent_unit.name == "Trung tâm Hành chính công Thành phố Huế"
    assert slip.procedure.code == LAND
    assert slip.procedure.processing_kind == "working_days"
    assert slip.applicant_name == NAME
    assert slip.documents == ("Đơn đăng ký",)
    assert [s.kind for s in slip.steps] == [
        "dossier.received",
        "dossier.transferred",
        "dossier.accepted",
        "dossier.supplement_requested",
        "dossier.fee_paid",
        "dossier.delay_apologised",
        "dossier.result_issued",
    ]
    transfer, apology = slip.steps[1], slip.steps[5]
    assert transfer.from_unit is not None
    assert transfer.from_unit.code == COMMUNE
    assert apology.new_due_at == DUE + timedelta(days=7)
    assert apology.previous_due_at == DUE
    assert slip.steps[3].missing_items == ("Bản sao sổ hộ khẩu", "Trích đo địa chính")
    assert slip.resolved_at == DUE + timedelta(days=2)


async def test_an_unknown_dossier_has_no_slip(conn: asyncpg.Connection) -> None:
    assert await dossier_slip(conn, new_code()) is None


async def a_unit(conn: asyncpg.Connection) -> str:
    """A unit of this test's own, so the register holds only this test's dossiers."""
    code = f"T{uuid4().hex[:10]}"
    await conn.execute(
        "INSERT INTO province.units (code, kind, name, agency_code, gso_code, district_code)"
        " VALUES ($1, 'commune', $2, $3, '99999', '474')",
        code,
        f"UBND Xã Thử Nghiệm {code}",
        f"000.{code}.H57",
    )
    return code


async def test_the_register_holds_dossiers_received_or_handed_over_in_the_period(
    conn: asyncpg.Connection,
) -> None:
    unit = await a_unit(conn)
    inside, before, handed = new_code(), new_code(), new_code()
    tuesday = MONDAY + timedelta(days=1)
    later = a_dossier(inside, unit=unit, received=tuesday)
    await Timeline(conn, inside).add(DossierReceived(dossier=later), tuesday)
    march = datetime(2019, 3, 29, 9, 0, tzinfo=VIETNAM)
    early = a_dossier(before, unit=unit, received=march)
    await Timeline(conn, before).add(DossierReceived(dossier=early), march)
    await received_and_transferred(conn, handed, to=unit)

    found = await register(conn, unit, Period.parse("2019Q2"))

    assert found is not None
    assert found.unit.name == f"UBND Xã Thử Nghiệm {unit}"
    assert [e.code for e in found.entries] == [handed, inside]  # by reception time
    assert found.entries[1].applicant_name == NAME
    assert found.entries[0].transferred_at == MONDAY + timedelta(hours=2)
    assert found.entries[0].competent_unit.code == unit
    assert await register(conn, "no-such-unit", Period.parse("2019Q2")) is None


# --- the command ------------------------------------------------------------------------


@dataclass
class Done:
    code: int
    out: str
    err: str


async def hub(db_url: str, *args: str) -> Done:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hub.cli",
        *args,
        env=os.environ | {"HUB_DATABASE_URL": db_url, "HUB_LOG_JSON": "true"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return Done(process.returncode, out.decode(), err.decode())


async def test_hub_slip_writes_the_receipt_and_logs_no_personal_data(
    conn: asyncpg.Connection, db_url: str, tmp_path: Path
) -> None:
    code = await a_late_land_dossier(conn)
    out = tmp_path / "receipt.html"

    done = await hub(db_url, "slip", "--dossier", code, "--kind", "receipt", "--out", str(out))

    assert done.code == 0, done.err
    page = out.read_text(encoding="utf-8")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in page
    assert code in page
    assert "Hoàng Thị &lt;b&gt;Mai&lt;/b&gt;" in page
    assert "<b>Mai</b>" not in page
    assert "100.000 đồng (biên lai điện tử số 0000123)" in page
    assert '"slip_rendered"' in done.err
    assert code in done.err
    assert "Mai" not in done.err


async def test_hub_slip_prints_every_slip_that_applies_to_stdout(
    conn: asyncpg.Connection, db_url: str
) -> None:
    code = await a_late_land_dossier(conn)
    headings = {
        "supplement": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
        "apology": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "control": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    }
    results = await asyncio.gather(
        *(hub(db_url, "slip", "--dossier", code, "--kind", kind) for kind in headings)
    )
    for done, heading in zip(results, headings.values(), strict=True):
        assert done.code == 0, done.err
        assert heading in done.out
    apology, control = results[1].out, results[2].out
    assert "Lý do: Chờ xác minh" in apology
    assert "17 giờ 00 phút, ngày 21/05/2019" in apology
    assert "Quá hạn" in control


async def test_a_slip_that_does_not_apply_or_an_unknown_dossier_exits_1_with_the_reason(
    conn: asyncpg.Connection, db_url: str
) -> None:
    code = await a_late_land_dossier(conn)
    refused = new_code()
    timeline = Timeline(conn, refused)
    await timeline.add(DossierReceived(dossier=a_dossier(refused)), MONDAY)
    await timeline.add(DossierRefused(unit=COMMUNE, reason="Sai thẩm quyền"), MONDAY)

    never_refused, unknown, no_receipt, bad_kind = await asyncio.gather(
        hub(db_url, "slip", "--dossier", code, "--kind", "refusal"),
        hub(db_url, "slip", "--dossier", new_code(), "--kind", "receipt"),
        hub(db_url, "slip", "--dossier", refused, "--kind", "receipt"),
        hub(db_url, "slip", "--dossier", code, "--kind", "thank-you"),
    )

    assert (never_refused.code, never_refused.out) == (1, "")
    assert f"dossier {code} was never refused; it is status 9" in never_refused.err
    assert (unknown.code, unknown.out) == (1, "")
    assert "in the provincial database" in unknown.err
    assert no_receipt.code == 1
    assert "refused at reception" in no_receipt.err
    assert bad_kind.code == 2


async def test_hub_slip_register_prints_a_units_register_for_a_period(
    conn: asyncpg.Connection, db_url: str
) -> None:
    unit = await a_unit(conn)
    code = new_code()
    await Timeline(conn, code).add(DossierReceived(dossier=a_dossier(code, unit=unit)), MONDAY)

    done, empty, unknown, bad_period = await asyncio.gather(
        hub(db_url, "slip", "register", "--unit", unit, "--period", "2019Q2"),
        hub(db_url, "slip", "register", "--unit", unit, "--period", "2019-05"),
        hub(db_url, "slip", "register", "--unit", "no-such-unit", "--period", "2019Q2"),
        hub(db_url, "slip", "register", "--unit", unit, "--period", "2019Q7"),
    )

    assert done.code == 0, done.err
    assert "SỔ THEO DÕI HỒ SƠ" in done.out
    assert code in done.out
    assert "từ ngày 01/04/2019 đến ngày 30/06/2019" in done.out
    assert empty.code == 0
    assert "Không có hồ sơ trong kỳ." in empty.out
    assert unknown.code == 1
    assert "no unit 'no-such-unit'" in unknown.err
    assert bad_period.code == 2
