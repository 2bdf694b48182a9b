"""`hub.lifecycle.decide`: what the hub does with one canonical message (real registry)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from hub.errors import (
    DuplicateDossier,
    IllegalTransition,
    SenderNotAllowed,
    UnknownDossier,
    UnknownProcedure,
)
from hub.lifecycle import Decision, DossierState, decide
from hub.registry import Registry, UnitKind, load_registry
from schemas import (
    HUB_UNIT,
    VIETNAM,
    Applicant,
    CanonicalMessage,
    Channel,
    Dossier,
    DossierAccepted,
    DossierEvent,
    DossierReceived,
    DossierStatus,
    DossierTransferred,
    PostalAddress,
    PostalStatusChanged,
    ProgressReported,
    ResultIssued,
    ResultReturned,
    ReturnMethod,
    new_envelope,
)
from tests.harness import unique_code

COMMUNE = "19744"  # Phường Phú Thuận, Thành phố Huế (district 474)
NEIGHBOUR = "19747"  # another commune of the same district
DISTRICT_PAC = "474-PAC"
COMMUNE_PROCEDURE = "1.001193"  # Đăng ký khai sinh: commune, same day
RECEIVED_AT = datetime(2019, 4, 17, 8, 30, tzinfo=VIETNAM)  # a Wednesday morning
ADDRESS = PostalAddress(
    receiver_name="Nguyễn Văn An",
    receiver_phone="0905123456",
    address="12 Lê Lợi, Phú Hội",
    commune_code="19750",
    district_code="474",
    province_code="46",
)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def district_procedure(registry: Registry) -> str:
    """Any catalog procedure decided by the district public-administration centre."""
    return next(
        p.code for p in registry.procedures.values() if p.competent is UnitKind.DISTRICT_PAC
    )


def dossier_code() -> str:
    """A fresh dossier code carrying the commune's agency code (day and number drawn, so
    codes do not meet the dossiers earlier runs left in the test database)."""
    return unique_code(COMMUNE)


def make_dossier(
    *,
    code: str | None = None,
    procedure: str = COMMUNE_PROCEDURE,
    receiving_unit: str = COMMUNE,
    by_post: bool = False,
) -> Dossier:
    return Dossier(
        code=code or dossier_code(),
        procedure_code=procedure,
        receiving_unit=receiving_unit,
        channel=Channel.IN_PERSON,
        received_at=RECEIVED_AT,
        applicant=Applicant(
            full_name="Nguyễn Văn An", id_number="046190000123", address="Phú Thuận, Huế"
        ),
        return_method=ReturnMethod.POST if by_post else ReturnMethod.IN_PERSON,
        delivery_address=ADDRESS if by_post else None,
    )


def received(dossier: Dossier, *, sender: str = COMMUNE) -> CanonicalMessage:
    return new_envelope(
        DossierReceived(dossier=dossier),
        sender=sender,
        recipient=HUB_UNIT,
        dossier_code=dossier.code,
        occurred_at=dossier.received_at,
    )


def message(payload: DossierEvent, *, sender: str, code: str) -> CanonicalMessage:
    return new_envelope(
        payload,
        sender=sender,
        recipient=HUB_UNIT,
        dossier_code=code,
        occurred_at=datetime(2019, 4, 17, 14, 0, tzinfo=VIETNAM),
    )


def registered(registry: Registry, dossier: Dossier) -> DossierState:
    return decide(None, received(dossier), registry).state


def result_issued(unit: str, code: str) -> CanonicalMessage:
    return message(ResultIssued(unit=unit, decision_number="12/QĐ-UBND"), sender=unit, code=code)


def kinds(decision: Decision) -> list[tuple[str, str]]:
    return [(out.kind, out.recipient) for out in decision.outgoing]


# Registration


def test_a_commune_level_dossier_is_registered_at_the_commune_without_a_transfer(
    registry: Registry,
) -> None:
    dossier = make_dossier()
    cause = received(dossier)

    decision = decide(None, cause, registry)

    assert decision.state.competent_unit == COMMUNE
    assert decision.state.status is DossierStatus.NEWLY_REGISTERED
    assert decision.state.sequence == 1
    assert kinds(decision) == [("event", HUB_UNIT)]
    event = decision.outgoing[0].message
    assert event.payload == cause.payload
    assert event.message_id == cause.message_id
    assert event.sequence == 1


def test_a_same_day_dossier_received_in_the_morning_is_due_the_same_afternoon(
    registry: Registry,
) -> None:
    decision = decide(None, received(make_dossier()), registry)

    assert decision.state.due_at == datetime(2019, 4, 17, 16, 30, tzinfo=VIETNAM)


def test_a_district_level_dossier_is_transferred_to_the_pac_of_the_communes_district(
    registry: Registry, district_procedure: str
) -> None:
    # Given a dossier for a procedure the district PAC decides, received at a commune
    dossier = make_dossier(procedure=district_procedure)

    # When the commune registers it
    decision = decide(None, received(dossier), registry)

    # Then the district PAC of that commune's district is competent and receives a transfer
    assert decision.state.competent_unit == DISTRICT_PAC
    assert kinds(decision) == [
        ("event", HUB_UNIT),
        ("event", HUB_UNIT),
        ("agency_transfer", DISTRICT_PAC),
    ]
    assert [out.message.sequence for out in decision.outgoing] == [1, 2, 2]
    assert decision.state.sequence == 2
    transfer = decision.outgoing[2].message
    assert isinstance(transfer.payload, DossierTransferred)
    assert (transfer.payload.from_unit, transfer.payload.to_unit) == (COMMUNE, DISTRICT_PAC)
    assert transfer.payload.due_at == decision.state.due_at is not None
    assert transfer.payload.dossier == dossier
    assert transfer.sender == HUB_UNIT
    assert transfer.causation_id == decision.outgoing[0].message.message_id


def test_the_district_pac_is_chosen_by_the_receiving_communes_district(
    registry: Registry, district_procedure: str
) -> None:
    other = next(
        u
        for u in registry.of_kind(UnitKind.COMMUNE)
        if u.district_code not in (None, registry.unit(COMMUNE).district_code)
    )
    code = f"{other.agency_code}-190417-0001"
    dossier = make_dossier(code=code, procedure=district_procedure, receiving_unit=other.code)

    decision = decide(None, received(dossier, sender=other.code), registry)

    assert decision.state.competent_unit == f"{other.district_code}-PAC"


def test_a_dossier_code_without_the_receiving_communes_agency_code_is_refused(
    registry: Registry,
) -> None:
    foreign_code = f"{registry.unit(NEIGHBOUR).agency_code}-190417-0001"

    with pytest.raises(SenderNotAllowed):
        decide(None, received(make_dossier(code=foreign_code)), registry)


def test_a_commune_may_not_register_a_dossier_for_another_commune(registry: Registry) -> None:
    with pytest.raises(SenderNotAllowed):
        decide(None, received(make_dossier(), sender=NEIGHBOUR), registry)


def test_a_district_agency_may_not_register_a_dossier_as_if_it_were_a_commune(
    registry: Registry,
) -> None:
    code = f"{registry.unit(DISTRICT_PAC).agency_code}-190417-0001"
    dossier = make_dossier(code=code, receiving_unit=DISTRICT_PAC)

    with pytest.raises(SenderNotAllowed):
        decide(None, received(dossier, sender=DISTRICT_PAC), registry)


def test_a_dossier_for_an_unknown_procedure_is_refused(registry: Registry) -> None:
    with pytest.raises(UnknownProcedure):
        decide(None, received(make_dossier(procedure="9.999999")), registry)


def test_registering_the_same_dossier_twice_is_a_duplicate(registry: Registry) -> None:
    # Given a registered dossier
    dossier = make_dossier()
    state = registered(registry, dossier)

    # When the registration arrives again, Then it is a duplicate
    with pytest.raises(DuplicateDossier):
        decide(state, received(dossier), registry)


# Status changes


def test_a_status_change_for_an_unknown_dossier_is_unknown(registry: Registry) -> None:
    accepted = message(DossierAccepted(unit=COMMUNE), sender=COMMUNE, code=dossier_code())

    with pytest.raises(UnknownDossier):
        decide(None, accepted, registry)


def test_the_competent_commune_accepts_its_own_dossier_without_notifying_itself(
    registry: Registry,
) -> None:
    state = registered(registry, make_dossier())

    decision = decide(
        state, message(DossierAccepted(unit=COMMUNE), sender=COMMUNE, code=state.code), registry
    )

    assert decision.state.status is DossierStatus.ACCEPTED
    assert decision.state.sequence == 2
    assert kinds(decision) == [("event", HUB_UNIT)]


def test_a_status_from_the_competent_agency_is_recorded_and_the_commune_is_notified(
    registry: Registry, district_procedure: str
) -> None:
    state = registered(registry, make_dossier(procedure=district_procedure))
    accepted = message(DossierAccepted(unit=DISTRICT_PAC), sender=DISTRICT_PAC, code=state.code)

    decision = decide(state, accepted, registry)

    assert decision.state.status is DossierStatus.ACCEPTED
    assert decision.state.sequence == 3
    assert kinds(decision) == [("event", HUB_UNIT), ("commune_notice", COMMUNE)]
    assert decision.outgoing[0].message.message_id == accepted.message_id


@pytest.mark.parametrize("sender", [COMMUNE, "474-CA", "476-PAC"])
def test_a_status_from_a_unit_that_is_not_the_competent_unit_is_refused(
    registry: Registry, district_procedure: str, sender: str
) -> None:
    state = registered(registry, make_dossier(procedure=district_procedure))

    with pytest.raises(SenderNotAllowed):
        decide(
            state, message(DossierAccepted(unit=sender), sender=sender, code=state.code), registry
        )


def test_an_accepted_status_after_the_result_was_issued_is_an_illegal_transition(
    registry: Registry,
) -> None:
    state = replace(registered(registry, make_dossier()), status=DossierStatus.RESOLVED)

    with pytest.raises(IllegalTransition):
        decide(
            state, message(DossierAccepted(unit=COMMUNE), sender=COMMUNE, code=state.code), registry
        )


@pytest.mark.parametrize(
    "payload",
    [
        DossierAccepted(unit=COMMUNE),
        ProgressReported(unit=COMMUNE, status=DossierStatus.IN_PROGRESS),
        ResultIssued(unit=COMMUNE, decision_number="12/QĐ-UBND"),
        ResultReturned(unit=COMMUNE, method=ReturnMethod.IN_PERSON),
    ],
    ids=lambda p: p.type,
)
def test_nothing_may_follow_a_returned_result(registry: Registry, payload: DossierEvent) -> None:
    state = replace(registered(registry, make_dossier()), status=DossierStatus.RESULT_RETURNED)

    with pytest.raises(IllegalTransition):
        decide(state, message(payload, sender=COMMUNE, code=state.code), registry)


def test_a_progress_report_may_not_set_status_one(registry: Registry) -> None:
    state = registered(registry, make_dossier())
    progress = ProgressReported(unit=COMMUNE, status=DossierStatus.NEWLY_REGISTERED)

    with pytest.raises(IllegalTransition):
        decide(state, message(progress, sender=COMMUNE, code=state.code), registry)


def test_the_commune_returns_a_counter_result_once_it_is_resolved(registry: Registry) -> None:
    # Given a resolved dossier returned at the counter
    state = registered(registry, make_dossier())
    state = decide(state, result_issued(COMMUNE, state.code), registry).state

    # When the commune hands the result over
    returned = ResultReturned(unit=COMMUNE, method=ReturnMethod.IN_PERSON)
    decision = decide(state, message(returned, sender=COMMUNE, code=state.code), registry)

    # Then the dossier is closed
    assert decision.state.status is DossierStatus.RESULT_RETURNED
    assert decision.state.sequence == 3


# Return by post


def test_a_result_issued_on_a_by_post_dossier_orders_postal_return_and_notifies_the_commune(
    registry: Registry, district_procedure: str
) -> None:
    # Given a by-post dossier transferred to the district PAC
    state = registered(registry, make_dossier(procedure=district_procedure, by_post=True))

    # When the district PAC issues the result
    decision = decide(state, result_issued(DISTRICT_PAC, state.code), registry)

    # Then the result is recorded, the commune told, and a postal order requested
    assert decision.state.status is DossierStatus.RESOLVED
    assert kinds(decision) == [
        ("event", HUB_UNIT),
        ("commune_notice", COMMUNE),
        ("postal_order", HUB_UNIT),
    ]
    assert len({out.message.message_id for out in decision.outgoing}) == 1


def test_a_result_issued_by_the_commune_on_its_own_by_post_dossier_only_orders_postal_return(
    registry: Registry,
) -> None:
    state = registered(registry, make_dossier(by_post=True))

    decision = decide(state, result_issued(COMMUNE, state.code), registry)

    assert kinds(decision) == [("event", HUB_UNIT), ("postal_order", HUB_UNIT)]


def test_a_result_issued_on_a_counter_dossier_orders_no_postal_return(
    registry: Registry, district_procedure: str
) -> None:
    state = registered(registry, make_dossier(procedure=district_procedure))

    decision = decide(state, result_issued(DISTRICT_PAC, state.code), registry)

    assert "postal_order" not in [kind for kind, _ in kinds(decision)]


def test_the_commune_may_not_return_a_by_post_result_at_the_counter(registry: Registry) -> None:
    # Given a resolved by-post dossier
    state = registered(registry, make_dossier(by_post=True))
    state = decide(state, result_issued(COMMUNE, state.code), registry).state

    # When the commune reports status 10, Then it is refused: the post returns it
    returned = ResultReturned(unit=COMMUNE, method=ReturnMethod.IN_PERSON)
    with pytest.raises(IllegalTransition):
        decide(state, message(returned, sender=COMMUNE, code=state.code), registry)


def postal_delivered(code: str, *, delivered: bool = True) -> CanonicalMessage:
    return message(
        PostalStatusChanged(
            order_number=code,
            item_code="EB123456785VN",
            status_code="5" if delivered else "2",
            status_message="Phát thành công" if delivered else "Đang vận chuyển",
            event_time=datetime(2019, 4, 19, 10, 5, tzinfo=VIETNAM),
            delivered=delivered,
        ),
        sender=HUB_UNIT,
        code=code,
    )


def test_delivery_by_post_of_a_resolved_dossier_returns_the_result_and_notifies_the_commune(
    registry: Registry, district_procedure: str
) -> None:
    # Given a by-post dossier whose result the district PAC issued
    state = registered(registry, make_dossier(procedure=district_procedure, by_post=True))
    state = decide(state, result_issued(DISTRICT_PAC, state.code), registry).state
    sequence = state.sequence

    # When the postal service reports delivery
    decision = decide(state, postal_delivered(state.code), registry)

    # Then the dossier is closed with a by-post ResultReturned, and the commune is told
    assert decision.state.status is DossierStatus.RESULT_RETURNED
    assert kinds(decision) == [
        ("event", HUB_UNIT),
        ("event", HUB_UNIT),
        ("commune_notice", COMMUNE),
    ]
    returned = decision.outgoing[1].message
    assert isinstance(returned.payload, ResultReturned)
    assert returned.payload.method is ReturnMethod.POST
    assert returned.payload.unit == COMMUNE
    assert returned.occurred_at == datetime(2019, 4, 19, 10, 5, tzinfo=VIETNAM)
    assert [out.message.sequence for out in decision.outgoing] == [
        sequence + 1,
        sequence + 2,
        sequence + 2,
    ]


def test_a_tracking_event_that_is_not_a_delivery_is_recorded_without_closing_the_dossier(
    registry: Registry,
) -> None:
    state = registered(registry, make_dossier(by_post=True))
    state = decide(state, result_issued(COMMUNE, state.code), registry).state

    decision = decide(state, postal_delivered(state.code, delivered=False), registry)

    assert decision.state.status is DossierStatus.RESOLVED
    assert kinds(decision) == [("event", HUB_UNIT)]


def test_tracking_events_after_the_result_was_returned_change_nothing(registry: Registry) -> None:
    state = replace(
        registered(registry, make_dossier(by_post=True)), status=DossierStatus.RESULT_RETURNED
    )

    decision = decide(state, postal_delivered(state.code), registry)

    assert decision == Decision(state, ())
