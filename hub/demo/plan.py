"""The demo's workload: which communes, which dossiers. Pure and seeded."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from hub.registry import Registry, Unit, UnitKind
from schemas import VIETNAM
from simulators.commune import DossierSpec

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Quang", "Thanh"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai", "Nam"]


@dataclass(frozen=True)
class DemoPlan:
    day: date
    communes: tuple[Unit, ...]
    agencies: tuple[Unit, ...]
    dossiers: tuple[DossierSpec, ...]

    @property
    def simulated_units(self) -> list[str]:
        """The codes of every unit whose software the run simulates."""
        return [u.code for u in (*self.communes, *self.agencies)]


def choose_communes(registry: Registry, *, districts: int = 3, per_district: int = 6) -> list[Unit]:
    chosen: list[Unit] = []
    district_codes = sorted(
        {u.district_code for u in registry.of_kind(UnitKind.COMMUNE) if u.district_code}
    )
    for district in district_codes[:districts]:
        chosen.extend(sorted(registry.communes_of(district), key=lambda u: u.code)[:per_district])
    return chosen


def build_plan(
    registry: Registry,
    *,
    day: date,
    count: int,
    seed: int = 7,
    handoff_share: float = 0.4,
    post_share: float = 0.3,
    late_share: float = 0.1,
    refuse_share: float = 0.05,
    withdraw_share: float = 0.03,
    linked_share: float = 0.04,
) -> DemoPlan:
    rng = random.Random(seed)
    communes = choose_communes(registry)
    procedures = sorted(registry.procedures.values(), key=lambda p: p.code)
    local = [p for p in procedures if p.competent is UnitKind.COMMUNE]
    remote = [p for p in procedures if p.competent is not UnitKind.COMMUNE]
    flags = _quota(rng, count, handoff_share), _quota(rng, count, post_share)
    late = _quota(rng, count, late_share)
    refused = _quota(rng, count, refuse_share)
    withdrawn = _quota(rng, count, withdraw_share)
    linked = _quota(rng, count, linked_share) if registry.groups else [False] * count
    sequences: dict[str, int] = {}
    start = datetime.combine(day, time(7, 30), VIETNAM)
    specs = []
    for i in range(count):
        unit = communes[i % len(communes)]
        sequences[unit.code] = sequences.get(unit.code, 0) + 1
        procedure = rng.choice(remote if flags[0][i] else local)
        by_post = flags[1][i]
        self_decided = procedure.competent is UnitKind.COMMUNE
        refuses = refused[i] and self_decided
        withdraws = withdrawn[i] and self_decided and not refuses
        specs.append(
            DossierSpec(
                unit=unit.code,
                code=f"{unit.agency_code}-{day:%y%m%d}-{sequences[unit.code]:04d}",
                procedure=procedure.code,
                received_at=start + timedelta(seconds=int(9 * 3600 * i / max(count, 1))),
                channel=rng.choice((1, 1, 1, 2, 2, 3)),
                by_post=by_post,
                applicant=_applicant(rng, unit),
                delivery=_delivery(rng, unit) if by_post else None,
                self_decided=self_decided,
                late=late[i],
                refused=refuses,
                withdrawn=withdraws,
                fee_vnd=procedure.fee_vnd if self_decided and not withdraws else 0,
            )
        )
    specs = [_linked(registry, rng, spec) if linked[i] else spec for i, spec in enumerate(specs)]
    district_codes = {u.district_code for u in communes}
    agencies = tuple(
        u
        for u in registry.peers()
        if u.kind is not UnitKind.COMMUNE
        and (u.district_code in district_codes or u.kind is UnitKind.PROVINCIAL_PAC)
    )
    return DemoPlan(day, tuple(communes), agencies, tuple(specs))


def _linked(registry: Registry, rng: random.Random, spec: DossierSpec) -> DossierSpec:
    """The same slot as one dossier for a linked procedure group, whose civil-status part
    the commune decides itself."""
    group = registry.group(rng.choice(sorted(registry.groups)))
    own = [c for c in group.parts if registry.procedure(c).competent is UnitKind.COMMUNE]
    return replace(
        spec,
        procedure=group.lead,
        group=group.code,
        own_part=own[0] if own else None,
        self_decided=False,
        late=False,
        refused=False,
        withdrawn=False,
        fee_vnd=0,
    )


def _quota(rng: random.Random, count: int, share: float) -> list[bool]:
    """Exactly ceil(share × count) True values, shuffled."""
    hits = math.ceil(share * count)
    flags = [True] * hits + [False] * (count - hits)
    rng.shuffle(flags)
    return flags


def _applicant(rng: random.Random, unit: Unit) -> dict[str, str]:
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return {
        "HoTen": name,
        "SoCCCD": f"046{rng.randrange(10**9):09d}",
        "SoDienThoai": f"09{rng.randrange(10**8):08d}",
        "DiaChi": f"Thôn {rng.randint(1, 12)}, {unit.name.removeprefix('UBND ')}",
    }


def _delivery(rng: random.Random, unit: Unit) -> dict[str, str]:
    applicant = _applicant(rng, unit)
    return {
        "HoTenNguoiNhan": applicant["HoTen"],
        "SoDienThoai": applicant["SoDienThoai"],
        "DiaChi": applicant["DiaChi"],
        "MaXa": unit.code,
        "MaHuyen": unit.district_code or "",
        "MaTinh": "46",
    }
