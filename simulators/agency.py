"""A deciding agency's system (district PAC, police, social insurance, provincial centre):
receives transferred dossiers, accepts them, and returns a decision, some of them late.
Some dossiers it finds incomplete: it asks for every missing item at once and decides once
the commune forwards the resubmission. Some it leaves until the hub warns that they are
due: then it apologises with a new date (once) or, once flagged past due, decides late."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulators.peer import PeerBase

MISSING_ITEMS = ["Sơ đồ thửa đất", "Bản sao Giấy chứng nhận quyền sử dụng đất"]


@dataclass
class AgencySimulator(PeerBase):
    units: list[str] = field(default_factory=list)
    late_share: float = 0.1
    refuse_share: float = 0.0
    supplement_share: float = 0.0
    """Share of dossiers found incomplete (every 1/share-th of those not held)."""
    hold_share: float = 0.0
    """Share of dossiers with a due date left undecided until the hub's due-date warning
    (every 1/share-th)."""
    apology_share: float = 0.5
    """Share of held dossiers the agency apologises for when warned."""
    received: dict[str, dict[str, Any]] = field(default_factory=dict)
    rejections: list[dict[str, Any]] = field(default_factory=list)
    stopped: set[str] = field(default_factory=set)
    held: set[str] = field(default_factory=set)
    seen: set[tuple[str, str]] = field(default_factory=set)
    """(unit, dossier code) of every transfer taken in: a linked group reaches several units."""
    group_refuse_share: float = 0.0
    """Share of linked group parts the agency refuses with a reason (every 1/share-th)."""
    parts: dict[tuple[str, str], str] = field(default_factory=dict)
    """(unit, dossier code) → the linked group part (procedure code) the unit decides."""
    with_due_date: int = 0
    """Dossiers taken in with a due date (the count the holds are picked from)."""
    not_held: int = 0
    """Dossiers taken in and not held (the count the supplement requests are picked from)."""

    async def start(self) -> None:
        await self.connect([f"peer.{unit}" for unit in self.units])

    async def on_message(self, unit: str, data: dict[str, Any]) -> None:
        kind = data.get("messageType")
        if kind == "REJECTED":
            self.rejections.append(data)
        elif kind == "TRANSFER":
            self._transfer(unit, data)
        elif kind == "RESUBMISSION":
            moment = datetime.fromisoformat(data["resubmittedAt"]) + timedelta(hours=3)
            self.later(lambda: self._status(unit, data["dossierNo"], 9, moment))
        elif kind == "WITHDRAWAL":
            self.stopped.add(data["dossierNo"])
        elif kind == "DUE_WARNING":
            self._warned(unit, data)

    def _transfer(self, unit: str, data: dict[str, Any]) -> None:
        code = data["dossierNo"]
        if (unit, code) in self.seen:
            return  # a redelivered transfer: already being handled
        self.seen.add((unit, code))
        self.received[code] = data
        handed = datetime.fromisoformat(data["handedOverAt"])
        due = datetime.fromisoformat(data["dueDate"]) if data.get("dueDate") else None
        self.later(lambda: self._status(unit, code, 2, handed + timedelta(minutes=30)))
        if data.get("groupCode"):
            self._group_part(unit, code, data["procedureCode"], handed)
            return
        after_acceptance = self.delays.high + self.delays.pick(self.rng)
        # Holds and supplement requests are quotas, not draws: their number must not hang
        # on the order the transfers happen to arrive in.
        if due:
            self.with_due_date += 1
            if every(self.with_due_date, self.hold_share):
                self.held.add(code)  # left undecided until the hub warns
                return
        self.not_held += 1
        if every(self.not_held, self.supplement_share):
            moment = handed + timedelta(hours=2)
            self.later(lambda: self._status(unit, code, 5, moment), delay=after_acceptance)
            return
        late = self.rng.random() < self.late_share
        decided = (due + timedelta(days=2)) if (late and due) else handed + timedelta(hours=3)
        if due and not late and decided > due:
            decided = due - timedelta(minutes=30)
        self.later(lambda: self._status(unit, code, 9, decided), delay=after_acceptance)

    def _group_part(self, unit: str, code: str, part: str, handed: datetime) -> None:
        """One part of a linked group: decided (or refused) without supplements or holds."""
        self.parts[(unit, code)] = part
        status = 3 if every(len(self.parts), self.group_refuse_share) else 9
        moment = handed + timedelta(hours=4)
        delay = self.delays.high + self.delays.pick(self.rng)
        self.later(lambda: self._status(unit, code, status, moment), delay=delay)

    def _warned(self, unit: str, data: dict[str, Any]) -> None:
        code, due = data["dossierNo"], datetime.fromisoformat(data["dueDate"])
        if code not in self.held or code in self.stopped:
            return
        if data["kind"] == "OVERDUE":
            self.held.discard(code)
            self.later(lambda: self._status(unit, code, 9, due + timedelta(days=1)))
        elif self.rng.random() < self.apology_share:
            self.held.discard(code)
            warned = datetime.fromisoformat(data["warnedAt"])
            self.later(lambda: self._apologise(unit, code, warned, due + timedelta(days=5)))
            self.later(
                lambda: self._status(unit, code, 9, due + timedelta(days=2)),
                delay=self.delays.high + self.delays.pick(self.rng),
            )

    async def _apologise(self, unit: str, code: str, moment: datetime, new_due: datetime) -> None:
        body = {
            "messageType": "APOLOGY",
            "messageId": str(uuid.uuid4()),
            "agencyUnit": unit,
            "dossierNo": code,
            "eventTime": moment.isoformat(),
            "reason": "Cần xác minh thực địa, phối hợp với cơ quan liên quan",
            "newDueDate": new_due.isoformat(),
        }
        await self.send(f"agency.{unit}.apology", body)

    async def _status(self, unit: str, code: str, status: int, moment: datetime) -> None:
        if code in self.stopped:
            return  # the citizen withdrew it: stop processing
        body: dict[str, Any] = {
            "messageType": "STATUS",
            "messageId": str(uuid.uuid4()),
            "agencyUnit": unit,
            "dossierNo": code,
            "statusCode": status,
            "eventTime": moment.isoformat(),
        }
        if status == 9:
            body["decisionNumber"] = f"{code[-4:]}/QĐ-{unit}"
            body["note"] = "Kết quả giải quyết"
        elif status == 3:
            body["reason"] = "Hồ sơ không đủ điều kiện giải quyết theo quy định"
        elif status == 5:
            body["missingItems"] = MISSING_ITEMS
            body["note"] = "Đề nghị bổ sung đầy đủ các thành phần sau"
        if (unit, code) in self.parts:
            body["procedureCode"] = self.parts[(unit, code)]
        await self.send(f"agency.{unit}.status", body)


def every(taken: int, share: float) -> bool:
    """Whether the ``taken``-th item (from 1) is picked when every 1/share-th one is."""
    return int(taken * share) > int((taken - 1) * share)
