"""One-off generator of hub/registry/data/units-hue-2019.json from the GSO unit list.

Run by a developer (not at run time): ``python deploy/tools/build_units.py SRC DEST``.
GSO codes and names come from the source list; agency codes follow the structure of
Decision 20/2020/QĐ-TTg (``<level-4>.<commune>.<district>.<province>``, province H57) and
postal codes the 5-digit VNPost scheme for Huế (49xxx); both are synthesised, since the
seeds do not list the real ones.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PROVINCE_AGENCY = "H57"


def build(source: dict) -> dict:  # type: ignore[type-arg]
    units: list[dict[str, object]] = []
    province = source["province"]
    units.append(
        {
            "code": f"{province['code']}-PAC",
            "kind": "provincial_pac",
            "name": "Trung tâm Phục vụ hành chính công tỉnh Thừa Thiên Huế",
            "agency_code": f"000.00.00.{PROVINCE_AGENCY}",
            "gso_code": province["code"],
            "district_code": None,
            "postal_code": "49000",
        }
    )
    for d_index, district in enumerate(source["districts"]):
        group = f"{31 + d_index:02d}"
        postal = f"49{1 + d_index}00"
        short = district["name"]
        agencies = [
            ("PAC", "district_pac", f"Trung tâm Hành chính công {short}", "00"),
            ("CA", "district_police", f"Công an {short}", "80"),
            ("BHXH", "district_social_insurance", f"Bảo hiểm xã hội {short}", "81"),
        ]
        for suffix, kind, name, commune_group in agencies:
            units.append(
                {
                    "code": f"{district['code']}-{suffix}",
                    "kind": kind,
                    "name": name,
                    "agency_code": f"000.{commune_group}.{group}.{PROVINCE_AGENCY}",
                    "gso_code": district["code"],
                    "district_code": district["code"],
                    "postal_code": postal,
                }
            )
        for c_index, commune in enumerate(district["communes"], start=1):
            units.append(
                {
                    "code": commune["code"],
                    "kind": "commune",
                    "name": f"UBND {commune['name']}",
                    "agency_code": f"000.{c_index:02d}.{group}.{PROVINCE_AGENCY}",
                    "gso_code": commune["code"],
                    "district_code": district["code"],
                    "postal_code": f"49{1 + d_index}{c_index:02d}",
                }
            )
    return {
        "era": "three_tier",
        "effective_from": "2017-11-09",
        "effective_to": "2025-06-30",
        "province_code": province["code"],
        "province_name": province["name"],
        "source": source["source"]
        + "; agency and postal codes synthesised after Decision 20/2020/QĐ-TTg",
        "units": units,
    }


if __name__ == "__main__":
    src, dest = Path(sys.argv[1]), Path(sys.argv[2])
    data = build(json.loads(src.read_text(encoding="utf-8")))
    dest.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(data['units'])} units to {dest}")
