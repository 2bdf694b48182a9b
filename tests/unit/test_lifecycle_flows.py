"""`hub.lifecycle.decide` on the later steps: supplement and resubmission, withdrawal and
processing stopped, apology once, deadline warnings, fees and ratings (real registry)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from hub.deadlines import due_at
from hub.errors import (
    DeadlineAlreadyExtended,
    IllegalTransition,
    SchemaInvalid,
    SenderNotAllowed,
    SupplementAlreadyRequested,
)
from hub.lifecycle import DossierState, decide
from hub.registry import Registry, load_registry
from schemas import (
    HUB_UNIT,
    VIETNAM,
    CanonicalMessage,
    Channel,
    DelayApologised,
    DossierEvent,
    DossierStatus,
    DossierWithdrawn,
    DueSoonWarned,
    FeePaid,
    OverdueFlagged,
    ProcessingStopped,
    SatisfactionRated,
    SupplementRequested,
    SupplementResubmitted,
    new_envelope,
)
from tests.unit.test_lifecycle import (
    COMMUNE,
    DISTRICT_PAC,
    kinds,
    make_dossier,
    registered,
)

LAND = "1.012753"  # decided by the district PAC, N working days
AT = datetime(2019, 4, 18, 9, 0, tzinfo=VIETNAM)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def send(payload: DossierEvent, *, sender: str, code: str, at: datetime = AT) -> CanonicalMessage:
    return new_envelope(
        payload, sender=sender, recipient=HUB_UNIT, dossier_code=code, occurred_at=at
    )


def transferred(registry: Registry, *, channel: Channel = Channel.IN_PERSON) -> DossierState:
    dossier = make_dossier(procedure=LAND).model_copy(update={"channel": channel})
    return registered(registry, dossier)


def supplement(code: str, sender: str = DISTRICT_PAC) -> CanonicalMessage:
    request = SupplementRequested(unit=sender, missing_items=("Sơ đồ thửa đất", "Bản sao CCCD"))
    return send(request, sender=sender, code=code)


def resubmission(code: str, at: datetime) -> CanonicalMessage:
    payload = SupplementResubmitted(
        unit=COMMUNE, completed_items=("Sơ đồ thửa đất", "Bản sao CCCD")
    )
    return send(payload, sender=COMMUNE, code=code, at=at)


# Supplement request and resubmission


def test_a_supplement_request_is_recorded_and_the_commune_gets_every_missing_item(
    registry: Registry,
) -> None:
    state = transferred(registry)

    decision = decide(state, supplement(state.code), registry)

    assert decision.state.status is DossierStatus.SUPPLEMENT_REQUESTED
    assert decision.state.supplement_requested
    assert kinds(decision) == [("event", HUB_UNIT), ("commune_notice", COMMUNE)]
    recorded = decision.outgoing[0].message.payload
    assert isinstance(recorded, SupplementRequested)
    assert recorded.missing_items == ("Sơ đồ thửa đất", "Bản sao CCCD")
    assert not recorded.by_post


def test_a_supplement_request_on_a_dossier_that_came_by_post_goes_by_post(
    registry: Registry,
) -> None:
    state = transferred(registry, channel=Channel.POSTAL)

    decision = decide(state, supplement(state.code), registry)

    assert kinds(decision) == [
        ("event", HUB_UNIT),
        ("commune_notice", COMMUNE),
        ("postal_order", HUB_UNIT),
    ]
    recorded = decision.outgoing[0].message.payload
    assert isinstance(recorded, SupplementRequested)
    assert recorded.by_post


def test_a_second_supplement_request_is_refused_because_all_items_go_in_one_go(
    registry: Registry,
) -> None:
    state = transferred(registry)
    requested = decide(state, supplement(state.code), registry).state
    resubmitted = decide(requested, resubmission(state.code, AT), registry).state

    with pytest.raises(SupplementAlreadyRequested):
        decide(resubmitted, supplement(state.code), registry)


def test_a_resubmission_restarts_the_deadline_and_goes_to_the_deciding_agency(
    registry: Registry,
) -> None:
    state = transferred(registry)
    requested = decide(state, supplement(state.code), registry).state
    later = datetime(2019, 4, 24, 14, 0, tzinfo=VIETNAM)

    decision = decide(requested, resubmission(state.code, later), registry)

    expected = due_at(registry.procedure(LAND).processing, later)
    assert state.due_at is not None
    assert expected > state.due_at
    assert decision.state.status is DossierStatus.ACCEPTED
    assert decision.state.due_at == expected
    assert kinds(decision) == [("event", HUB_UNIT), ("agency_resubmission", DISTRICT_PAC)]
    recorded = decision.outgoing[0].message.payload
    assert isinstance(recorded, SupplementResubmitted)
    assert recorded.due_at == expected


def test_a_resubmission_without_a_pending_supplement_request_is_an_illegal_transition(
    registry: Registry,
) -> None:
    state = transferred(registry)

    with pytest.raises(IllegalTransition):
        decide(state, resubmission(state.code, AT), registry)


def test_only_the_receiving_commune_may_resubmit(registry: Registry) -> None:
    first = transferred(registry)
    state = decide(first, supplement(first.code), registry).state
    wrong = send(
        SupplementResubmitted(unit=DISTRICT_PAC, completed_items=("x",)),
        sender=DISTRICT_PAC,
        code=state.code,
    )

    with pytest.raises(SenderNotAllowed):
        decide(state, wrong, registry)


# Withdrawal and processing stopped


def test_a_withdrawal_at_the_commune_stops_the_deciding_agency(registry: Registry) -> None:
    state = transferred(registry)
    withdrawn = send(
        DossierWithdrawn(unit=COMMUNE, reason="Công dân rút hồ sơ"), sender=COMMUNE, code=state.code
    )

    decision = decide(state, withdrawn, registry)

    assert decision.state.status is DossierStatus.WITHDRAWN
    assert kinds(decision) == [("event", HUB_UNIT), ("agency_withdrawal", DISTRICT_PAC)]


def test_a_withdrawal_of_a_commune_level_dossier_notifies_nobody(registry: Registry) -> None:
    state = registered(registry, make_dossier())
    withdrawn = send(DossierWithdrawn(unit=COMMUNE), sender=COMMUNE, code=state.code)

    decision = decide(state, withdrawn, registry)

    assert decision.state.status is DossierStatus.WITHDRAWN
    assert kinds(decision) == [("event", HUB_UNIT)]


def test_a_withdrawal_from_a_commune_that_did_not_receive_the_dossier_is_refused(
    registry: Registry,
) -> None:
    state = transferred(registry)
    withdrawn = send(DossierWithdrawn(unit="19747"), sender="19747", code=state.code)

    with pytest.raises(SenderNotAllowed):
        decide(state, withdrawn, registry)


def test_a_withdrawal_after_the_result_was_issued_is_an_illegal_transition(
    registry: Registry,
) -> None:
    state = replace(transferred(registry), status=DossierStatus.RESOLVED)
    withdrawn = send(DossierWithdrawn(unit=COMMUNE), sender=COMMUNE, code=state.code)

    with pytest.raises(IllegalTransition):
        decide(state, withdrawn, registry)


def test_processing_stopped_by_the_agency_goes_back_to_the_commune_with_its_reason(
    registry: Registry,
) -> None:
    state = transferred(registry)
    stopped = send(
        ProcessingStopped(unit=DISTRICT_PAC, reason="Đất đang có tranh chấp"),
        sender=DISTRICT_PAC,
        code=state.code,
    )

    decision = decide(state, stopped, registry)

    assert decision.state.status is DossierStatus.PROCESSING_STOPPED
    assert kinds(decision) == [("event", HUB_UNIT), ("commune_notice", COMMUNE)]


def test_the_receiving_commune_may_not_stop_a_dossier_the_agency_decides(
    registry: Registry,
) -> None:
    state = transferred(registry)
    stopped = send(ProcessingStopped(unit=COMMUNE, reason="x"), sender=COMMUNE, code=state.code)

    with pytest.raises(SenderNotAllowed):
        decide(state, stopped, registry)


# Apology with a new date, once


def apology(state: DossierState, *, days: int = 5) -> CanonicalMessage:
    assert state.due_at is not None
    new_date = state.due_at + timedelta(days=days)
    payload = DelayApologised(unit=DISTRICT_PAC, reason="Chờ ý kiến phối hợp", due_at=new_date)
    return send(payload, sender=DISTRICT_PAC, code=state.code)


def test_an_apology_sets_the_new_date_and_the_commune_is_told(registry: Registry) -> None:
    state = transferred(registry)
    message = apology(state)

    decision = decide(state, message, registry)

    assert isinstance(message.payload, DelayApologised)
    assert decision.state.due_at == message.payload.due_at
    assert decision.state.deadline_extended
    assert kinds(decision) == [("event", HUB_UNIT), ("apology_notice", COMMUNE)]
    recorded = decision.outgoing[0].message.payload
    assert isinstance(recorded, DelayApologised)
    assert recorded.previous_due_at == state.due_at
    assert decision.state.status is state.status


def test_a_second_apology_for_the_same_dossier_is_refused(registry: Registry) -> None:
    first = transferred(registry)
    state = decide(first, apology(first), registry).state

    with pytest.raises(DeadlineAlreadyExtended, match="already re-set once"):
        decide(state, apology(state), registry)


def test_an_apology_whose_new_date_is_not_later_is_refused(registry: Registry) -> None:
    state = transferred(registry)
    assert state.due_at is not None
    earlier = DelayApologised(unit=DISTRICT_PAC, reason="x", due_at=state.due_at)

    with pytest.raises(SchemaInvalid):
        decide(state, send(earlier, sender=DISTRICT_PAC, code=state.code), registry)


def test_an_apology_from_the_receiving_commune_for_an_agency_dossier_is_refused(
    registry: Registry,
) -> None:
    state = transferred(registry)
    message = apology(state).model_copy(update={"sender": COMMUNE})

    with pytest.raises(SenderNotAllowed):
        decide(state, message, registry)


# Deadline warnings raised by the hub


def warning(state: DossierState, kind: type[DueSoonWarned | OverdueFlagged]) -> CanonicalMessage:
    assert state.due_at is not None
    return send(
        kind(unit=state.competent_unit, due_at=state.due_at), sender=HUB_UNIT, code=state.code
    )


def test_a_due_soon_warning_goes_to_the_agency_and_the_commune_once(registry: Registry) -> None:
    state = transferred(registry)

    decision = decide(state, warning(state, DueSoonWarned), registry)
    again = decide(decision.state, warning(state, DueSoonWarned), registry)

    assert kinds(decision) == [
        ("event", HUB_UNIT),
        ("due_warning", DISTRICT_PAC),
        ("due_warning", COMMUNE),
    ]
    assert decision.state.warned_due_at == state.due_at
    assert again.outgoing == ()
    assert again.state is decision.state


def test_a_commune_deciding_its_own_dossier_gets_one_warning(registry: Registry) -> None:
    state = registered(registry, make_dossier())

    decision = decide(state, warning(state, OverdueFlagged), registry)

    assert kinds(decision) == [("event", HUB_UNIT), ("due_warning", COMMUNE)]
    assert decision.state.overdue_due_at == state.due_at


def test_a_warning_about_a_due_date_that_has_changed_is_ignored(registry: Registry) -> None:
    state = transferred(registry)
    stale = warning(state, DueSoonWarned)
    moved = decide(state, apology(state), registry).state

    assert decide(moved, stale, registry).outgoing == ()


def test_a_peer_may_not_raise_deadline_warnings(registry: Registry) -> None:
    state = transferred(registry)

    with pytest.raises(SenderNotAllowed):
        decide(
            state, warning(state, OverdueFlagged).model_copy(update={"sender": COMMUNE}), registry
        )


# Fees and satisfaction ratings


def test_a_fee_and_a_rating_are_recorded_without_changing_the_status(registry: Registry) -> None:
    state = transferred(registry)
    fee = send(
        FeePaid(unit=COMMUNE, amount_vnd=50_000, receipt_number="BL-000123"),
        sender=COMMUNE,
        code=state.code,
    )
    rating = send(
        SatisfactionRated(unit=COMMUNE, rating=3, feedback="Nhanh"), sender=COMMUNE, code=state.code
    )

    paid = decide(state, fee, registry)
    rated = decide(paid.state, rating, registry)

    assert (paid.state.status, rated.state.status) == (state.status, state.status)
    assert rated.state.sequence == state.sequence + 2
    assert kinds(paid) == kinds(rated) == [("event", HUB_UNIT)]


def test_a_rating_from_the_deciding_agency_is_refused(registry: Registry) -> None:
    state = transferred(registry)
    rating = send(
        SatisfactionRated(unit=DISTRICT_PAC, rating=1), sender=DISTRICT_PAC, code=state.code
    )

    with pytest.raises(SenderNotAllowed):
        decide(state, rating, registry)


def test_a_fee_on_a_withdrawn_dossier_is_an_illegal_transition(registry: Registry) -> None:
    state = replace(transferred(registry), status=DossierStatus.WITHDRAWN)
    fee = send(
        FeePaid(unit=COMMUNE, amount_vnd=1, receipt_number="BL-1"), sender=COMMUNE, code=state.code
    )

    with pytest.raises(IllegalTransition):
        decide(state, fee, registry)
