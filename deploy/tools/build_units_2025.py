"""One-off generator of hub/registry/data/units-hue-2025.json, the two-tier era.

Run by a developer (not at run time):
``python deploy/tools/build_units_2025.py deploy/tools/hue-communes-2025.json DEST``.
Commune names and GSO codes come from the source list (Resolution 1675/NQ-UBTVQH15 and the
GSO's dispatch 1027/CTK-CSCL, see its ``source``). Unit codes are ``<GSO code>-2025``:
the GSO reused old commune codes for the merged units (19753 was Phường Thuận Lộc and is
now Phường Phú Xuân), so the hub's codes must differ from the seed era's. Agency codes
(Decision 20/2020/QĐ-TTg shape, group ``60``), postal codes (the province's 49000), the
city-level police and social-insurance units and the centres' names are synthesised.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PROVINCE_AGENCY = "H57"
PROVINCE_POSTAL = "49000"
ERA_SUFFIX = "2025"
COMPETENT_KINDS = {
    "district_pac": "provincial_pac",
    "district_police": "provincial_police",
    "district_social_insurance": "provincial_social_insurance",
}
CITY_AGENCIES = (
    ("PAC", "provincial_pac", "Trung tâm Phục vụ hành chính công thành phố Huế", "00"),
    ("CA", "provincial_police", "Công an thành phố Huế", "80"),
    ("BHXH", "provincial_social_insurance", "Bảo hiểm xã hội thành phố Huế", "81"),
)


def _centre_name(commune_name: str) -> str:
    level, _, place = commune_name.partition(" ")
    return f"Trung tâm Phục vụ hành chính công {level.lower()} {place}"


def build(source: dict) -> dict:  # type: ignore[type-arg]
    province = source["province"]
    units: list[dict[str, object]] = [
        {
            "code": f"{province['code']}-{suffix}",
            "kind": kind,
            "name": name,
            "agency_code": f"000.{group}.00.{PROVINCE_AGENCY}",
            "gso_code": province["code"],
            "district_code": None,
            "postal_code": PROVINCE_POSTAL,
        }
        for suffix, kind, name, group in CITY_AGENCIES
    ]
    for index, commune in enumerate(source["communes"], start=1):
        units.append(
            {
                "code": f"{commune['code']}-{ERA_SUFFIX}",
                "kind": "commune",
                "name": _centre_name(commune["name"]),
                "agency_code": f"000.{index:02d}.60.{PROVINCE_AGENCY}",
                "gso_code": commune["code"],
                "district_code": None,
                "postal_code": PROVINCE_POSTAL,
            }
        )
    return {
        "era": "two_tier",
        "effective_from": "2025-07-01",
        "effective_to": None,
        "province_code": province["code"],
        "province_name": province["name"],
        "source": source["source"].rstrip(".")
        + ". Synthesised, unverified: unit codes (<GSO code>-2025), agency codes (Decision "
        "20/2020/QĐ-TTg shape, group 60), postal codes (49000), the centres' names (after "
        "Decree 118/2025/NĐ-CP), the city police and social-insurance units (46-CA, 46-BHXH) "
        "and competent_kinds (every district-level kind goes to the city-level unit of the "
        "matching kind).",
        "competent_kinds": COMPETENT_KINDS,
        "units": units,
    }


if __name__ == "__main__":
    src, dest = Path(sys.argv[1]), Path(sys.argv[2])
    data = build(json.loads(src.read_text(encoding="utf-8")))
    dest.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(data['units'])} units to {dest}")
