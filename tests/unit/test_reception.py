"""A reception whose dossier code the hub issues, and the paper hand-off time on a transfer:
the pure steps around ``decide`` (real registry), rendered as the peers receive them."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID, uuid4

import pytest

from adapters.commune.reception import acknowledgement_id
from adapters.commune.translate import to_canonical
from adapters.commune.wire import XacNhanTiepNhan
from hub.lifecycle import decide
from hub.reception import acknowledged, codeless_dossier, with_issued_code
from hub.registry import Registry, load_registry
from hub.rendering import render
from schemas import VIETNAM, CanonicalMessage, DossierReceived, DossierTransferred

COMMUNE = "19744"
AGENCY_CODE = "000.01.31.H57"
ISSUED = f"{AGENCY_CODE}-190426-0007"
LAND = "1.012753"  # decided by the district PAC, 20 working days
BIRTH = "1.001193"  # decided by the commune, same day


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def reception(*, procedure: str = BIRTH, at: str = "20190426083000", **fields: object) -> bytes:
    native = {
        "LoaiBanTin": "TiepNhanHoSo",
        "MaBanTin": str(uuid4()),
        "MaDonVi": COMMUNE,
        "MaTTHC": procedure,
        "NgayTiepNhan": at,
        "HinhThuc": 1,
        "ChuHoSo": {"HoTen": "Lê Văn Nam", "SoCCCD": "046090001234", "DiaChi": "Phú Thuận"},
        **fields,
    }
    return json.dumps(native).encode()


def codeless(**fields: object) -> CanonicalMessage:
    return to_canonical(reception(**fields), unit_code=COMMUNE)


def test_an_issued_code_goes_on_the_dossier_and_replaces_the_interim_correlation() -> None:
    message = codeless()
    assert codeless_dossier(message) is not None

    coded = with_issued_code(message, ISSUED)

    assert coded.correlation_id == ISSUED
    assert isinstance(coded.payload, DossierReceived)
    assert coded.payload.dossier.code == ISSUED
    assert coded.message_id == message.message_id
    before = codeless_dossier(message)
    assert before is not None
    assert coded.payload.dossier.model_dump(exclude={"code"}) == before.model_dump(exclude={"code"})
    assert codeless_dossier(coded) is None


def test_a_reception_that_has_its_code_is_never_given_another() -> None:
    coded = with_issued_code(codeless(), ISSUED)
    with pytest.raises(ValueError, match="only a reception without a dossier code"):
        with_issued_code(coded, f"{AGENCY_CODE}-190426-0008")


def test_the_commune_is_acknowledged_with_the_issued_code_and_nothing_carries_the_interim_id(
    registry: Registry,
) -> None:
    # Given a code-less reception of a land dossier, coded by the service
    message = codeless(procedure=LAND)
    interim = message.correlation_id
    coded = with_issued_code(message, ISSUED)

    # When the hub decides it and acknowledges the reception
    decision = acknowledged(decide(None, coded, registry))

    # Then the commune gets an acknowledgement after the events and the transfer
    assert [o.kind for o in decision.outgoing] == [
        "event",
        "event",
        "agency_transfer",
        "reception_ack",
    ]
    assert decision.outgoing[-1].recipient == COMMUNE
    # And every outgoing message, event and outbox row carries the issued code only
    rows = [render(o, decision.state) for o in decision.outgoing]
    assert {o.message.correlation_id for o in decision.outgoing} == {ISSUED}
    assert {row.headers["x-dossier-code"] for row in rows} == {ISSUED}
    assert decision.state.code == ISSUED
    for row in rows[:2]:
        event = CanonicalMessage.model_validate_json(row.body)
        assert isinstance(event.payload, DossierReceived | DossierTransferred)
        assert (event.correlation_id, event.payload.dossier.code) == (ISSUED, ISSUED)
        assert interim not in (event.correlation_id, event.payload.dossier.code)
    assert json.loads(rows[2].body)["dossierNo"] == ISSUED
    # And the acknowledgement names the commune's message, the code, the deciding unit and due date
    ack = XacNhanTiepNhan.model_validate_json(rows[-1].body)
    assert ack.MaBanTinGoc == str(message.message_id)
    assert ack.MaBanTin == str(acknowledgement_id(message.message_id)) != ack.MaBanTinGoc
    assert ack.MaHoSo == ISSUED
    assert ack.NgayTiepNhan == "20190426083000"
    assert ack.DonViXuLy == "474-PAC"
    assert decision.state.due_at is not None
    assert ack.HanXuLy == decision.state.due_at.strftime("%Y%m%d%H%M%S")


def test_an_acknowledgement_of_a_commune_level_dossier_names_the_commune_as_deciding_unit(
    registry: Registry,
) -> None:
    decision = acknowledged(decide(None, with_issued_code(codeless(), ISSUED), registry))

    ack = json.loads(render(decision.outgoing[-1], decision.state).body)

    assert (ack["LoaiBanTin"], ack["DonViXuLy"], ack["HanXuLy"]) == (
        "XacNhanTiepNhan",
        COMMUNE,
        "20190426163000",
    )


def test_the_acknowledgement_id_is_stable_for_one_reception() -> None:
    reception_id = UUID("3f6c2a10-5b7e-4d1a-9c0e-2a8f1b9d7e41")
    assert acknowledgement_id(reception_id) == acknowledgement_id(reception_id)
    assert acknowledgement_id(reception_id) != acknowledgement_id(uuid4())


@pytest.mark.parametrize(
    ("received", "handed_over", "due"),
    [
        ("20190426145900", datetime(2019, 4, 26, 14, 59), datetime(2019, 5, 28, 17, 0)),
        ("20190426150100", datetime(2019, 5, 2, 7, 30), datetime(2019, 5, 29, 17, 0)),
    ],
    ids=["friday-14:59-same-day", "friday-15:01-after-the-holidays"],
)
def test_a_paper_transfer_carries_the_hand_off_time_and_the_deadline_counts_from_it(
    registry: Registry, received: str, handed_over: datetime, due: datetime
) -> None:
    # Given a land dossier received at the counter on the Friday before 29/4–1/5 2019
    message = to_canonical(reception(procedure=LAND, at=received, MaHoSo=ISSUED), unit_code=COMMUNE)

    # When the hub transfers it to the district PAC
    decision = decide(None, message, registry)

    # Then the transfer event, the TRANSFER and the deadline use the hand-off time
    transferred = decision.outgoing[1].message
    assert isinstance(transferred.payload, DossierTransferred)
    assert transferred.occurred_at == handed_over.replace(tzinfo=VIETNAM)
    assert transferred.payload.due_at == decision.state.due_at == due.replace(tzinfo=VIETNAM)
    body = json.loads(render(decision.outgoing[2], decision.state).body)
    assert datetime.fromisoformat(body["handedOverAt"]) == handed_over.replace(tzinfo=VIETNAM)
    assert datetime.fromisoformat(body["receivedAt"]) == message.occurred_at
    assert datetime.fromisoformat(body["dueDate"]) == due.replace(tzinfo=VIETNAM)
    # And the reception itself is recorded at the reception time
    assert decision.outgoing[0].message.occurred_at == message.occurred_at


def test_an_online_transfer_after_15_00_is_handed_over_at_once(registry: Registry) -> None:
    message = to_canonical(
        reception(procedure=LAND, at="20190426150100", MaHoSo=ISSUED, HinhThuc=2),
        unit_code=COMMUNE,
    )

    transferred = decide(None, message, registry).outgoing[1].message

    assert transferred.occurred_at == message.occurred_at
