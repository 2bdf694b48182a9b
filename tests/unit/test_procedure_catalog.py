"""The procedure catalog shipped in ``hub/registry/data/procedures.json``."""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources

import pytest

from hub.registry import Registry, UnitKind, load_registry
from hub.registry.model import ProcedureCatalogFile

# Fields the seed documents name: hộ tịch, chứng thực, đất đai, bảo trợ xã hội, người có công,
# thi đua - khen thưởng; plus residence, decided by the police. The health-insurance card for a
# child under 6 is a synthesised entry (no verified national code), for the linked group.
SEED_FIELDS = {
    "civil_status",
    "certification",
    "land",
    "social_protection",
    "people_with_merit",
    "commendation",
    "residence",
}
CODE_SHAPE = re.compile(r"^\d\.\d{6}$")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry()


@pytest.fixture(scope="module")
def catalog() -> ProcedureCatalogFile:
    raw = (
        resources.files("hub.registry")
        .joinpath("data", "procedures.json")
        .read_text(encoding="utf-8")
    )
    return ProcedureCatalogFile.model_validate_json(raw)


def test_catalog_holds_at_least_twelve_procedures(registry: Registry) -> None:
    assert len(registry.procedures) >= 12


def test_catalog_covers_every_field_named_by_the_seeds(registry: Registry) -> None:
    fields = {p.field for p in registry.procedures.values()}
    assert not SEED_FIELDS - fields, SEED_FIELDS - fields


def test_catalog_has_at_least_five_commune_and_five_district_centre_procedures(
    registry: Registry,
) -> None:
    kinds = Counter(p.competent for p in registry.procedures.values())
    assert kinds[UnitKind.COMMUNE] >= 5
    assert kinds[UnitKind.DISTRICT_PAC] >= 5


def test_procedure_codes_are_unique_and_shaped_like_national_codes(
    catalog: ProcedureCatalogFile,
) -> None:
    codes = [p.code for p in catalog.procedures]
    assert len(codes) == len(set(codes))
    assert all(CODE_SHAPE.match(code) for code in codes), codes


def test_birth_registration_is_a_same_day_commune_procedure(registry: Registry) -> None:
    birth = registry.procedure("1.001193")
    assert birth.competent is UnitKind.COMMUNE
    assert birth.processing.kind == "same_day"


def test_every_competent_kind_has_a_unit_in_the_registry(registry: Registry) -> None:
    for kind in {p.competent for p in registry.procedures.values()}:
        assert registry.of_kind(kind), f"no unit of kind {kind.value}"


def test_every_procedure_names_its_source_and_a_vietnamese_field_name(registry: Registry) -> None:
    for procedure in registry.procedures.values():
        assert procedure.source.strip(), procedure.code
        assert procedure.field_name.strip(), procedure.code


def test_multi_day_procedures_state_a_positive_number_of_days(registry: Registry) -> None:
    for procedure in registry.procedures.values():
        if procedure.processing.kind == "working_days":
            assert procedure.processing.days > 0, procedure.code


def test_every_linked_group_names_catalog_procedures_with_a_commune_lead(
    registry: Registry,
) -> None:
    assert {"LT-KS-TT-BHYT", "LT-KT-XTT"} <= set(registry.groups)
    for group in registry.groups.values():
        assert group.source.strip(), group.code
        assert group.name.strip(), group.code
        assert len(set(group.parts)) == len(group.parts) >= 2
        kinds = [registry.procedure(code).competent for code in group.parts]
        assert kinds[0] is UnitKind.COMMUNE, group.code  # the commune decides the lead
        assert len(set(kinds)) == len(kinds), group.code  # each part, another unit


def test_synthesised_procedure_codes_say_so_in_their_source(registry: Registry) -> None:
    for procedure in registry.procedures.values():
        if procedure.code.startswith("9."):
            assert "unverified" in procedure.source
            assert "placeholder" in procedure.source
