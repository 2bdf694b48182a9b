"""The registry of every era: the era picked by reception date, and routing in each era."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from hub.definitions import render_definitions
from hub.errors import UnknownUnit
from hub.lifecycle import Decision, decide
from hub.registry import Registry, UnitKind, load_registry
from hub.registry.loader import check_contiguous
from hub.registry.model import UnitRegistryFile
from hub.topology import build_topology, peer_queue
from schemas import (
    HUB_UNIT,
    VIETNAM,
    Applicant,
    CanonicalMessage,
    Channel,
    Dossier,
    DossierReceived,
    DossierTransferred,
    PostalAddress,
    ReturnMethod,
    new_envelope,
)

LAND = "1.012753"  # catalog: district_pac
RESIDENCE = "1.004222"  # catalog: district_police
BIRTH = "1.001193"  # catalog: commune
SEED_COMMUNE = "19744"  # Phường Phú Thuận (district 474), three-tier era
PHU_XUAN = "19753-2025"  # Phường Phú Xuân, two-tier era (GSO 19753)
KIM_LONG = "19774-2025"  # Phường Kim Long, two-tier era (GSO 19774)
LAST_SEED_MINUTE = datetime(2025, 6, 30, 23, 59, tzinfo=VIETNAM)
FIRST_TWO_TIER_MINUTE = datetime(2025, 7, 1, 0, 0, tzinfo=VIETNAM)
AUGUST_2025 = datetime(2025, 8, 12, 9, 0, tzinfo=VIETNAM)
APRIL_2019 = datetime(2019, 4, 17, 8, 30, tzinfo=VIETNAM)


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


def dossier(
    registry: Registry,
    *,
    unit: str,
    procedure: str,
    received_at: datetime,
    delivery_commune: str | None = None,
    group: str | None = None,
) -> CanonicalMessage:
    agency = registry.unit(unit).agency_code
    delivery = (
        PostalAddress(
            receiver_name="Nguyễn Văn An",
            receiver_phone="0905123456",
            address="12 Lê Lợi",
            commune_code=delivery_commune,
            district_code="46",
            province_code="46",
        )
        if delivery_commune
        else None
    )
    body = Dossier(
        code=f"{agency}-{received_at:%y%m%d}-0001",
        procedure_code=procedure,
        receiving_unit=unit,
        channel=Channel.IN_PERSON,
        received_at=received_at,
        applicant=Applicant(full_name="Nguyễn Văn An", id_number="046190000123", address="Huế"),
        return_method=ReturnMethod.POST if delivery else ReturnMethod.IN_PERSON,
        delivery_address=delivery,
        group_code=group,
    )
    return new_envelope(
        DossierReceived(dossier=body),
        sender=unit,
        recipient=HUB_UNIT,
        dossier_code=body.issued_code,
        occurred_at=received_at,
    )


def transfers(decision: Decision) -> list[tuple[str, str]]:
    return [(out.kind, out.recipient) for out in decision.outgoing]


# Era selection


def test_the_last_minute_of_30_june_2025_is_still_the_three_tier_era(registry: Registry) -> None:
    assert registry.at(LAST_SEED_MINUTE).era.era == "three_tier"


def test_the_first_minute_of_1_july_2025_is_the_two_tier_era(registry: Registry) -> None:
    assert registry.at(FIRST_TWO_TIER_MINUTE).era.era == "two_tier"


def test_the_era_follows_the_date_in_vietnam_not_in_utc(registry: Registry) -> None:
    # 2025-06-30 17:00 UTC is 2025-07-01 00:00 in Vietnam
    assert registry.at(datetime(2025, 6, 30, 17, 0, tzinfo=UTC)).era.era == "two_tier"
    assert registry.at(datetime(2025, 6, 30, 16, 59, tzinfo=UTC)).era.era == "three_tier"


def test_a_reception_before_the_first_era_uses_the_oldest_registry(registry: Registry) -> None:
    assert registry.at(datetime(2016, 1, 4, 9, 0, tzinfo=VIETNAM)).era.era == "three_tier"


def test_the_shipped_eras_follow_each_other_without_gap_or_overlap(registry: Registry) -> None:
    eras = [e.era for e in registry.eras]
    assert [(e.effective_from, e.effective_to) for e in eras] == [
        (date(2017, 11, 9), date(2025, 6, 30)),
        (date(2025, 7, 1), None),
    ]


def test_eras_with_a_gap_are_refused(registry: Registry) -> None:
    seed, two_tier = (e.era for e in registry.eras)
    late = two_tier.model_copy(update={"effective_from": date(2025, 7, 2)})
    with pytest.raises(ValueError, match="does not end the day before"):
        check_contiguous([seed, late])


# The two-tier registry's data


def test_the_two_tier_era_has_40_commune_centres_and_no_district_level(registry: Registry) -> None:
    era = registry.at(AUGUST_2025)
    assert len(era.of_kind(UnitKind.COMMUNE)) == 40
    assert all(u.district_code is None for u in era.units.values())
    assert not any(kind.value.startswith("district_") for kind in {u.kind for u in era.peers()})


def test_codes_of_different_units_never_collide_across_eras(registry: Registry) -> None:
    seed, two_tier = (e.units for e in registry.eras)
    shared = set(seed) & set(two_tier)
    assert shared == {"46-PAC"}  # the provincial centre is the same unit in both eras
    assert seed["46-PAC"].agency_code == two_tier["46-PAC"].agency_code
    units = list(registry.peers())
    assert len(units) == len(seed) + len(two_tier) - len(shared)
    assert len({u.agency_code for u in units}) == len(units)
    assert all(re.fullmatch(r"[0-9A-Za-z_-]+", u.code) for u in units)


def test_a_gso_code_reused_for_a_merged_commune_names_two_units(registry: Registry) -> None:
    seed, two_tier = registry.eras
    assert seed.unit("19753").name == "UBND Phường Thuận Lộc"
    assert two_tier.unit(PHU_XUAN).gso_code == "19753"
    assert two_tier.unit(PHU_XUAN).name.endswith("phường Phú Xuân")


def test_every_unit_file_says_where_its_data_comes_from(registry: Registry) -> None:
    two_tier: UnitRegistryFile = registry.eras[-1].era
    assert "1675/NQ-UBTVQH15" in two_tier.source
    assert "Synthesised, unverified" in two_tier.source


def test_every_procedure_has_a_competent_unit_for_every_commune_in_every_era(
    registry: Registry,
) -> None:
    for era in registry.eras:
        for commune in era.of_kind(UnitKind.COMMUNE):
            for code in era.procedures:
                assert era.competent_unit(code, receiving_code=commune.code), (era, code)


# Routing by reception date


def test_a_land_dossier_received_in_2019_goes_to_the_district_centre(registry: Registry) -> None:
    message = dossier(registry, unit=SEED_COMMUNE, procedure=LAND, received_at=APRIL_2019)
    decision = decide(None, message, registry)
    assert decision.state.competent_unit == "474-PAC"
    assert ("agency_transfer", "474-PAC") in transfers(decision)


def test_a_land_dossier_received_in_2025_goes_to_the_city_centre(registry: Registry) -> None:
    message = dossier(registry, unit=PHU_XUAN, procedure=LAND, received_at=AUGUST_2025)
    decision = decide(None, message, registry)
    assert decision.state.competent_unit == "46-PAC"
    assert ("agency_transfer", "46-PAC") in transfers(decision)


@pytest.mark.parametrize(
    ("procedure", "competent"),
    [(RESIDENCE, "46-CA"), ("9.000601", "46-BHXH"), (BIRTH, PHU_XUAN)],
)
def test_in_2025_district_kinds_map_to_city_units_and_commune_ones_stay(
    registry: Registry, procedure: str, competent: str
) -> None:
    message = dossier(registry, unit=PHU_XUAN, procedure=procedure, received_at=AUGUST_2025)
    assert decide(None, message, registry).state.competent_unit == competent


def test_in_2025_a_centre_receives_for_an_applicant_living_in_another_commune(
    registry: Registry,
) -> None:
    message = dossier(
        registry,
        unit=PHU_XUAN,
        procedure=LAND,
        received_at=AUGUST_2025,
        delivery_commune=KIM_LONG,
    )
    decision = decide(None, message, registry)
    transferred = [
        out.message.payload
        for out in decision.outgoing
        if isinstance(out.message.payload, DossierTransferred) and out.kind == "event"
    ]
    assert decision.state.dossier.receiving_unit == PHU_XUAN
    assert [(t.from_unit, t.to_unit) for t in transferred] == [(PHU_XUAN, "46-PAC")]


def test_a_seed_era_commune_cannot_register_a_dossier_received_in_2025(
    registry: Registry,
) -> None:
    message = dossier(registry, unit=SEED_COMMUNE, procedure=BIRTH, received_at=AUGUST_2025)
    with pytest.raises(UnknownUnit, match="two_tier"):
        decide(None, message, registry)


def test_a_linked_group_received_in_2025_fans_out_to_city_agencies(registry: Registry) -> None:
    message = dossier(
        registry, unit=PHU_XUAN, procedure=BIRTH, received_at=AUGUST_2025, group="LT-KS-TT-BHYT"
    )
    parts = decide(None, message, registry).state.parts
    assert [p.unit for p in parts] == [PHU_XUAN, "46-CA", "46-BHXH"]


# Topology and deadlines


def test_the_topology_has_a_peer_queue_for_the_units_of_both_eras(registry: Registry) -> None:
    names = {q.name for q in build_topology(registry.peers()).queues}
    for code in (SEED_COMMUNE, "474-PAC", PHU_XUAN, "46-CA", "46-BHXH", "46-PAC"):
        assert peer_queue(code) in names, code


def test_the_broker_definitions_have_one_user_per_unit_of_either_era(registry: Registry) -> None:
    units = list(registry.peers())
    definitions = render_definitions(
        build_topology(units), units, vhost="v", secret="s", hub_password="h"
    )
    users = [u["name"] for u in definitions["users"]]
    assert len(users) == len(set(users)) == len(units) + 1  # + the hub itself
    assert {f"unit-{SEED_COMMUNE}", f"unit-{PHU_XUAN}", "unit-46-CA"} <= set(users)


def test_hub_due_date_for_a_2025_reception_uses_the_two_tier_rules() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "hub.cli",
            "due-date",
            "--procedure",
            LAND,
            "--received",
            "2025-08-12T09:00:00+07:00",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "two-tier-2025" in done.stderr
    assert done.stdout.strip().endswith("+07:00")
