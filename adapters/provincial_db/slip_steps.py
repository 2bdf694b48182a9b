"""Pure mapping from timeline entries to the steps slips print. No I/O.

Tolerant by design: every payload key a slip prints is read when present and ignored when
missing or malformed, so an older or newer event shape never breaks a slip. Keys read:
``reason``, ``note``, ``missing_items``, ``due_at``, ``previous_due_at``, ``decision_number``,
``item_code``, ``method``, ``amount_vnd``, ``receipt_number``, ``from_unit``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.provincial_db.records import TimelineEntry
from hub.slips.model import Step, UnitInfo

APOLOGY = "dossier.delay_apologised"
"""Its ``due_at`` is the new return date; ``previous_due_at`` the one it replaces."""
SETS_DUE_DATE = frozenset({"dossier.accepted", "dossier.transferred", "dossier.resubmitted"})
"""Events whose ``due_at`` is a new due date; warnings only repeat the one in force."""


def unit_info(code: str, units: Mapping[str, UnitInfo]) -> UnitInfo:
    """The registry's unit, or a bare one named by its code when the registry lacks it."""
    return units.get(code) or UnitInfo(code=code, name=code)


def _text(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _time(payload: Mapping[str, Any], key: str) -> datetime | None:
    value = payload.get(key)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _items(payload: Mapping[str, Any]) -> tuple[str, ...]:
    value = payload.get("missing_items")
    if not isinstance(value, list | tuple):
        return ()
    return tuple(str(item) for item in value if str(item).strip())


def _amount(payload: Mapping[str, Any]) -> int | None:
    value = payload.get("amount_vnd")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def step_of(entry: TimelineEntry, units: Mapping[str, UnitInfo]) -> Step:
    payload = entry.payload
    from_unit = _text(payload, "from_unit")
    due_at = _time(payload, "due_at")
    return Step(
        kind=entry.type,
        at=entry.occurred_at,
        unit=unit_info(entry.unit or "", units),
        sequence=entry.sequence,
        status=entry.status,
        from_unit=unit_info(from_unit, units) if from_unit else None,
        due_at=due_at if entry.type in SETS_DUE_DATE else None,
        new_due_at=due_at if entry.type == APOLOGY else None,
        previous_due_at=_time(payload, "previous_due_at"),
        reason=_text(payload, "reason"),
        note=_text(payload, "note"),
        missing_items=_items(payload),
        decision_number=_text(payload, "decision_number"),
        item_code=_text(payload, "item_code"),
        method=_text(payload, "method"),
        amount_vnd=_amount(payload),
        receipt_number=_text(payload, "receipt_number"),
    )


def unit_codes(entries: list[TimelineEntry]) -> set[str]:
    """Every unit the timeline names, to look their names up in one query."""
    codes = {entry.unit for entry in entries if entry.unit}
    codes |= {f for e in entries if (f := _text(e.payload, "from_unit"))}
    return codes


def reception_facts(entries: list[TimelineEntry]) -> tuple[tuple[str, ...], int | None]:
    """The document names and the fee of the dossier as registered (``dossier.received``)."""
    for entry in entries:
        dossier = entry.payload.get("dossier")
        if entry.type == "dossier.received" and isinstance(dossier, dict):
            documents = dossier.get("documents") or []
            names = tuple(str(d["name"]) for d in documents if isinstance(d, dict) and "name" in d)
            fee = dossier.get("fee_vnd")
            return names, fee if isinstance(fee, int) else None
    return (), None
