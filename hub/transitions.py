"""The national status codes' allowed transitions (docs/architecture.md, "State machine")."""

from __future__ import annotations

from schemas import DossierStatus

S = DossierStatus
ALLOWED: dict[DossierStatus, frozenset[DossierStatus]] = {
    S.NEWLY_REGISTERED: frozenset(
        {
            S.ACCEPTED,
            S.NOT_ACCEPTED,
            S.IN_PROGRESS,
            S.SUPPLEMENT_REQUESTED,
            S.RESOLVED,
            S.WITHDRAWN,
            S.PROCESSING_STOPPED,
        }
    ),
    S.ACCEPTED: frozenset(
        {
            S.IN_PROGRESS,
            S.SUPPLEMENT_REQUESTED,
            S.NOT_ACCEPTED,
            S.AWAITING_FINANCIAL_OBLIGATION,
            S.RESOLVED,
            S.WITHDRAWN,
            S.PROCESSING_STOPPED,
        }
    ),
    S.IN_PROGRESS: frozenset(
        {
            S.IN_PROGRESS,
            S.SUPPLEMENT_REQUESTED,
            S.NOT_ACCEPTED,
            S.AWAITING_FINANCIAL_OBLIGATION,
            S.RESOLVED,
            S.WITHDRAWN,
            S.PROCESSING_STOPPED,
        }
    ),
    S.SUPPLEMENT_REQUESTED: frozenset(
        {S.ACCEPTED, S.IN_PROGRESS, S.NOT_ACCEPTED, S.WITHDRAWN, S.PROCESSING_STOPPED}
    ),
    S.AWAITING_FINANCIAL_OBLIGATION: frozenset(
        {S.IN_PROGRESS, S.RESOLVED, S.WITHDRAWN, S.PROCESSING_STOPPED}
    ),
    S.RESOLVED: frozenset({S.RESULT_RETURNED}),
    S.NOT_ACCEPTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.PROCESSING_STOPPED: frozenset(),
    S.RESULT_RETURNED: frozenset(),
}
"""Allowed status transitions of a dossier, and of each part of a linked group dossier."""
