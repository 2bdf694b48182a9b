"""`hub.lifecycle.decide` on linked procedure groups (liên thông): fan-out to every part's
competent unit, each part's status, fan-in to the receiving commune (real registry)."""

from __future__ import annotations

from datetime import datetime

import pytest

from hub.deadlines import due_at
from hub.errors import IllegalTransition, SchemaInvalid, SenderNotAllowed
from hub.lifecycle import Decision, DossierState, decide
from hub.lifecycle_model import PartState
from hub.linked_rules import overall_status
from hub.registry import Registry, load_registry
from schemas import (
    HUB_UNIT,
    VIETNAM,
    CanonicalMessage,
    DossierAccepted,
    DossierEvent,
    DossierRefused,
    DossierStatus,
    DossierTransferred,
    DossierWithdrawn,
    GroupFannedOut,
    GroupOutcome,
    ResultIssued,
    ResultReturned,
    ReturnMethod,
    SupplementRequested,
    new_envelope,
)
from tests.unit.test_lifecycle import COMMUNE, kinds, make_dossier, received

S = DossierStatus
CHILD_GROUP = "LT-KS-TT-BHYT"
BIRTH, RESIDENCE, HEALTH_CARD = "1.001193", "1.004222", "9.000601"
DEATH_GROUP = "LT-KT-XTT"
DEATH, RESIDENCE_REMOVAL = "1.000656", "9.000602"
POLICE, SOCIAL_INSURANCE = "474-CA", "474-BHXH"
AT = datetime(2019, 4, 18, 9, 0, tzinfo=VIETNAM)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def send(payload: DossierEvent, *, sender: str, code: str) -> CanonicalMessage:
    return new_envelope(
        payload, sender=sender, recipient=HUB_UNIT, dossier_code=code, occurred_at=AT
    )


def group_dossier(
    registry: Registry, group: str = CHILD_GROUP, *, by_post: bool = False
) -> Decision:
    lead = registry.group(group).lead
    dossier = make_dossier(procedure=lead, by_post=by_post).model_copy(update={"group_code": group})
    return decide(None, received(dossier), registry)


def resolve(state: DossierState, unit: str, part: str | None = None) -> Decision:
    payload = ResultIssued(unit=unit, decision_number="7/QĐ", summary="Đã cấp", part=part)
    return decide(state, send(payload, sender=unit, code=state.code), registry=load_registry())


def refuse(state: DossierState, unit: str, reason: str) -> Decision:
    payload = DossierRefused(unit=unit, reason=reason)
    return decide(state, send(payload, sender=unit, code=state.code), registry=load_registry())


def events(decision: Decision) -> list[DossierEvent]:
    return [o.message.payload for o in decision.outgoing if o.kind == "event"]


def outcome_of(decision: Decision) -> GroupOutcome:
    (outcome,) = [e for e in events(decision) if isinstance(e, GroupOutcome)]
    return outcome


# Fan-out


def test_a_child_group_fans_out_to_police_and_social_insurance_with_each_parts_procedure(
    registry: Registry,
) -> None:
    decision = group_dossier(registry)
    transfers = [o for o in decision.outgoing if o.kind == "agency_transfer"]
    assert [(o.recipient, o.message.payload.procedure_code) for o in transfers] == [  # type: ignore[union-attr]
        (POLICE, RESIDENCE),
        (SOCIAL_INSURANCE, HEALTH_CARD),
    ]
    assert [(p.procedure_code, p.unit, p.status) for p in decision.state.parts] == [
        (BIRTH, COMMUNE, S.NEWLY_REGISTERED),
        (RESIDENCE, POLICE, S.NEWLY_REGISTERED),
        (HEALTH_CARD, SOCIAL_INSURANCE, S.NEWLY_REGISTERED),
    ]
    assert decision.state.status is S.NEWLY_REGISTERED
    assert decision.state.competent_unit == COMMUNE  # the commune coordinates the group
    assert ("commune_notice", COMMUNE) not in kinds(decision)


def test_each_part_is_due_by_its_own_procedure_and_the_group_by_the_latest_part(
    registry: Registry,
) -> None:
    decision = group_dossier(registry)
    received_at = decision.state.dossier.received_at
    for part in decision.state.parts:
        expected = due_at(registry.procedure(part.procedure_code).processing, received_at)
        assert part.due_at == expected
    assert decision.state.due_at == max(p.due_at for p in decision.state.parts if p.due_at)
    transferred = [e for e in events(decision) if isinstance(e, DossierTransferred)]
    assert {e.to_unit: e.due_at for e in transferred} == {
        p.unit: p.due_at for p in decision.state.parts[1:]
    }
    (fanned,) = [e for e in events(decision) if isinstance(e, GroupFannedOut)]
    assert fanned.due_at == decision.state.due_at
    assert len(fanned.parts) == 3


def test_a_group_dossier_must_name_the_groups_lead_procedure(registry: Registry) -> None:
    dossier = make_dossier(procedure=RESIDENCE).model_copy(update={"group_code": CHILD_GROUP})
    with pytest.raises(SchemaInvalid, match="lead procedure"):
        decide(None, received(dossier), registry)


# Fan-in


def test_the_commune_gets_one_complete_result_only_after_the_last_part(
    registry: Registry,
) -> None:
    # Given a child group dossier fanned out to the police and social insurance
    state = group_dossier(registry).state
    # When the commune decides its civil-status part and the police theirs
    first = resolve(state, COMMUNE, BIRTH)
    second = resolve(first.state, POLICE)
    # Then nothing goes to the commune yet, and the dossier is in progress
    for step in (first, second):
        assert not [o for o in step.outgoing if o.kind == "group_notice"]
    assert second.state.status is S.IN_PROGRESS
    # When the last part (the health-insurance card) is resolved
    last = resolve(second.state, SOCIAL_INSURANCE)
    # Then the commune gets the group result with every part's outcome
    assert ("group_notice", COMMUNE) in kinds(last)
    outcome = outcome_of(last)
    assert outcome.complete
    assert outcome.status is S.RESOLVED
    assert [(p.procedure_code, p.status, p.decision_number) for p in outcome.parts] == [
        (BIRTH, S.RESOLVED, "7/QĐ"),
        (RESIDENCE, S.RESOLVED, "7/QĐ"),
        (HEALTH_CARD, S.RESOLVED, "7/QĐ"),
    ]
    assert last.state.status is S.RESOLVED


def test_a_part_event_is_recorded_against_its_part_and_leaves_the_dossier_status_to_the_hub(
    registry: Registry,
) -> None:
    state = group_dossier(registry).state
    decision = decide(
        state, send(DossierAccepted(unit=POLICE), sender=POLICE, code=state.code), registry
    )
    accepted, progress = events(decision)
    assert isinstance(accepted, DossierAccepted)
    assert accepted.part == RESIDENCE  # inferred: the police decide exactly one part
    assert progress.type == "dossier.progress"
    assert decision.state.status is S.IN_PROGRESS
    assert decision.state.parts[1].status is S.ACCEPTED


def test_a_refused_part_is_reported_at_once_with_the_other_parts_outcomes(
    registry: Registry,
) -> None:
    state = resolve(group_dossier(registry).state, COMMUNE, BIRTH).state
    # When the police refuse the residence part
    refused = refuse(state, POLICE, "Chỗ ở không đủ điều kiện đăng ký thường trú")
    # Then the commune is told which part and why, with the others so far
    outcome = outcome_of(refused)
    assert ("group_notice", COMMUNE) in kinds(refused)
    assert not outcome.complete
    assert outcome.settled_part == RESIDENCE
    assert outcome.status is S.IN_PROGRESS
    by_code = {p.procedure_code: p for p in outcome.parts}
    assert by_code[RESIDENCE].status is S.NOT_ACCEPTED
    assert by_code[RESIDENCE].reason == "Chỗ ở không đủ điều kiện đăng ký thường trú"
    assert by_code[BIRTH].status is S.RESOLVED
    assert by_code[HEALTH_CARD].status is S.NEWLY_REGISTERED
    # When the last part is resolved, the group result holds the refusal too
    last = resolve(refused.state, SOCIAL_INSURANCE)
    final = outcome_of(last)
    assert final.complete
    assert final.status is S.RESOLVED  # the citizen collects the results there are
    assert [p.status for p in final.parts] == [S.RESOLVED, S.NOT_ACCEPTED, S.RESOLVED]


def test_the_commune_returns_a_complete_group_result_at_the_counter(registry: Registry) -> None:
    state = group_dossier(registry).state
    for unit in (COMMUNE, POLICE, SOCIAL_INSURANCE):
        state = resolve(state, unit).state
    returned = ResultReturned(unit=COMMUNE, method=ReturnMethod.IN_PERSON)
    decision = decide(state, send(returned, sender=COMMUNE, code=state.code), registry)
    assert decision.state.status is S.RESULT_RETURNED


def test_a_complete_group_result_returned_by_post_orders_a_postal_return(
    registry: Registry,
) -> None:
    state = group_dossier(registry, by_post=True).state
    for unit in (COMMUNE, POLICE):
        state = resolve(state, unit).state
    last = resolve(state, SOCIAL_INSURANCE)
    assert ("postal_order", HUB_UNIT) in kinds(last)


# The death registration + removal of permanent residence group


def test_death_and_residence_removal_fan_out_to_the_police_and_fan_in_when_both_are_done(
    registry: Registry,
) -> None:
    decision = group_dossier(registry, DEATH_GROUP)
    assert kinds(decision).count(("agency_transfer", POLICE)) == 1
    assert [(p.procedure_code, p.unit) for p in decision.state.parts] == [
        (DEATH, COMMUNE),
        (RESIDENCE_REMOVAL, POLICE),
    ]
    police_first = resolve(decision.state, POLICE, RESIDENCE_REMOVAL)
    assert not [o for o in police_first.outgoing if o.kind == "group_notice"]
    done = resolve(police_first.state, COMMUNE)
    assert outcome_of(done).complete
    assert done.state.status is S.RESOLVED


def test_a_group_where_every_part_is_refused_is_not_accepted(registry: Registry) -> None:
    state = group_dossier(registry, DEATH_GROUP).state
    state = refuse(state, COMMUNE, "Giấy báo tử không hợp lệ").state
    last = refuse(state, POLICE, "Không có hồ sơ thường trú")
    assert outcome_of(last).complete
    assert last.state.status is S.NOT_ACCEPTED


# Who may change a part, and what is parked


def test_a_unit_may_not_change_a_part_it_does_not_decide(registry: Registry) -> None:
    state = group_dossier(registry).state
    with pytest.raises(SenderNotAllowed):
        resolve(state, POLICE, HEALTH_CARD)
    with pytest.raises(SenderNotAllowed):
        resolve(state, "474-PAC")


def test_an_illegal_transition_of_a_part_is_refused_never_applied(registry: Registry) -> None:
    state = resolve(group_dossier(registry).state, POLICE).state
    accepted_again = send(DossierAccepted(unit=POLICE), sender=POLICE, code=state.code)
    with pytest.raises(IllegalTransition, match=r"part 1\.004222"):
        decide(state, accepted_again, registry)


def test_a_supplement_request_for_one_part_is_parked_with_the_reason(registry: Registry) -> None:
    state = group_dossier(registry).state
    request = SupplementRequested(unit=POLICE, missing_items=("Sổ hộ khẩu",))
    with pytest.raises(IllegalTransition, match="not supported"):
        decide(state, send(request, sender=POLICE, code=state.code), registry)


def test_naming_a_part_on_a_single_procedure_dossier_is_refused(registry: Registry) -> None:
    state = decide(None, received(make_dossier()), registry).state
    with pytest.raises(SchemaInvalid, match="not a linked group"):
        resolve(state, COMMUNE, BIRTH)


def test_a_withdrawal_stops_every_open_part_and_tells_their_agencies(registry: Registry) -> None:
    state = resolve(group_dossier(registry).state, POLICE).state
    withdrawal = send(DossierWithdrawn(unit=COMMUNE), sender=COMMUNE, code=state.code)
    decision = decide(state, withdrawal, registry)
    assert decision.state.status is S.WITHDRAWN
    assert ("agency_withdrawal", SOCIAL_INSURANCE) in kinds(decision)
    assert ("agency_withdrawal", POLICE) not in kinds(decision)  # already decided
    assert [p.status for p in decision.state.parts] == [S.WITHDRAWN, S.RESOLVED, S.WITHDRAWN]


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((S.NEWLY_REGISTERED, S.NEWLY_REGISTERED), S.NEWLY_REGISTERED),
        ((S.ACCEPTED, S.NEWLY_REGISTERED), S.IN_PROGRESS),
        ((S.RESOLVED, S.IN_PROGRESS), S.IN_PROGRESS),
        ((S.NOT_ACCEPTED, S.ACCEPTED), S.IN_PROGRESS),
        ((S.RESOLVED, S.NOT_ACCEPTED), S.RESOLVED),
        ((S.NOT_ACCEPTED, S.PROCESSING_STOPPED), S.NOT_ACCEPTED),
        ((S.PROCESSING_STOPPED, S.PROCESSING_STOPPED), S.PROCESSING_STOPPED),
    ],
)
def test_the_dossier_status_follows_from_its_parts(
    statuses: tuple[DossierStatus, ...], expected: DossierStatus
) -> None:
    parts = [
        PartState(procedure_code=f"1.00000{i}", unit="u", status=s) for i, s in enumerate(statuses)
    ]
    assert overall_status(parts) is expected
