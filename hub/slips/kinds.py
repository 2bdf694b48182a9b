"""Which slip applies to a dossier, and rendering the one asked for.

A slip that does not apply (a refusal slip for a dossier never refused, ...) is an error
saying why, never an empty form.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from hub.errors import PermanentError
from hub.slips.apology import render_apology
from hub.slips.control import CLOSED_WITHOUT_RESULT, render_control
from hub.slips.model import DossierSlip, Step
from hub.slips.receipt import render_receipt
from hub.slips.refusal import render_refusal
from hub.slips.supplement import render_supplement
from hub.slips.vietnamese import STATUS_NAMES, date_vn


class SlipKind(StrEnum):
    RECEIPT = "receipt"
    SUPPLEMENT = "supplement"
    REFUSAL = "refusal"
    APOLOGY = "apology"
    CONTROL = "control"


class SlipNotApplicable(PermanentError):
    """The dossier's timeline holds nothing this kind of slip is about."""

    reason_code = "slip_not_applicable"


def _state(slip: DossierSlip) -> str:
    return f"status {slip.status} ({STATUS_NAMES.get(slip.status, '?')})"


def _due(slip: DossierSlip) -> str:
    return "no due date" if slip.due_at is None else f"due {date_vn(slip.due_at)}"


def refused_at_reception(slip: DossierSlip) -> Step | None:
    """A refusal by the receiving unit before any acceptance or transfer: no receipt then."""
    for step in slip.steps:
        if step.kind in ("dossier.accepted", "dossier.transferred"):
            return None
        if step.kind == "dossier.refused" and step.unit.code == slip.receiving_unit.code:
            return step
    return None


def is_overdue(slip: DossierSlip, now: datetime) -> bool:
    """Resolved after its due date, or still open past it."""
    if slip.due_at is None:
        return False
    if slip.resolved_at is not None:
        return slip.resolved_at > slip.due_at
    return slip.status not in CLOSED_WITHOUT_RESULT and now > slip.due_at


def apology_step(slip: DossierSlip) -> Step | None:
    """The latest step that re-set the return date, if the timeline records one."""
    found = [step for step in slip.steps if step.new_due_at is not None]
    return found[-1] if found else None


def render_dossier_slip(kind: SlipKind, slip: DossierSlip, *, now: datetime) -> str:
    """The slip's HTML; :class:`SlipNotApplicable` when the dossier has no such slip."""
    if kind is SlipKind.CONTROL:
        return render_control(slip, issued_at=now)
    if kind is SlipKind.RECEIPT:
        refusal = refused_at_reception(slip)
        if refusal is not None:
            raise SlipNotApplicable(
                f"dossier {slip.code} was refused at reception on {date_vn(refusal.at)}: "
                "it has a refusal slip (--kind refusal), not a receipt"
            )
        return render_receipt(slip)
    if kind is SlipKind.SUPPLEMENT:
        request = slip.last("dossier.supplement_requested")
        if request is None:
            raise SlipNotApplicable(
                f"dossier {slip.code} has no supplement request recorded; it is {_state(slip)}"
            )
        return render_supplement(slip, request)
    if kind is SlipKind.REFUSAL:
        refused = slip.last("dossier.refused")
        if refused is None:
            raise SlipNotApplicable(f"dossier {slip.code} was never refused; it is {_state(slip)}")
        return render_refusal(slip, refused)
    if kind is not SlipKind.APOLOGY:
        raise ValueError(f"unknown slip kind {kind!r}")
    apology = apology_step(slip)
    if apology is None and not is_overdue(slip, now):
        raise SlipNotApplicable(
            f"dossier {slip.code} is not overdue ({_due(slip)}) and has no apology with a new "
            f"return date; it is {_state(slip)}"
        )
    return render_apology(slip, apology, issued_at=now)
