"""A deciding agency's system (district PAC, police, social insurance, provincial centre):
receives transferred dossiers, accepts them, and returns a decision, some of them late."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simulators.peer import PeerBase


@dataclass
class AgencySimulator(PeerBase):
    units: list[str] = field(default_factory=list)
    late_share: float = 0.1
    refuse_share: float = 0.0
    received: dict[str, dict[str, Any]] = field(default_factory=dict)
    rejections: list[dict[str, Any]] = field(default_factory=list)

    async def start(self) -> None:
        await self.connect([f"peer.{unit}" for unit in self.units])

    async def on_message(self, unit: str, body: bytes) -> None:
        data = json.loads(body)
        if data.get("messageType") == "REJECTED":
            self.rejections.append(data)
            return
        if data.get("messageType") != "TRANSFER":
            return
        code = data["dossierNo"]
        if code in self.received:
            return  # a redelivered transfer: already being handled
        self.received[code] = data
        handed = datetime.fromisoformat(data["handedOverAt"])
        due = datetime.fromisoformat(data["dueDate"]) if data.get("dueDate") else None
        late = self.rng.random() < self.late_share
        decided = (due + timedelta(days=2)) if (late and due) else handed + timedelta(hours=3)
        if due and not late and decided > due:
            decided = due - timedelta(minutes=30)
        self.later(lambda: self._status(unit, code, 2, handed + timedelta(minutes=30)))
        self.later(
            lambda: self._status(unit, code, 9, decided),
            delay=self.delays.high + self.delays.pick(self.rng),
        )

    async def _status(self, unit: str, code: str, status: int, moment: datetime) -> None:
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
        await self.publish(f"agency.{unit}.status", json.dumps(body).encode())
