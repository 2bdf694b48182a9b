"""The canonical dossier: what a one-stop section registers for one procedure."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AwareDatetime, Field, field_validator, model_validator

from schemas.base import WireModel
from schemas.status import Channel, ReturnMethod

DOSSIER_CODE_PATTERN = r"^[0-9A-Za-z.]+-\d{6}-\d{4}$"
"""Circular 01/2018/TT-VPCP Art.19: ``<agency code>-<YYMMDD>-<NNNN>``."""

DossierCode = Annotated[
    str,
    Field(
        pattern=DOSSIER_CODE_PATTERN,
        max_length=64,
        description="Dossier code <agency code>-<YYMMDD>-<NNNN> (Circular 01/2018/TT-VPCP).",
        examples=["000.00.31.H57-190417-0001"],
    ),
]
UnitCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        pattern=r"^[0-9A-Za-z_-]+$",
        description="Registry code of an administrative unit or agency.",
        examples=["19744", "474-PAC"],
    ),
]
ProcedureCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        description="Code of a published administrative procedure (opaque).",
        examples=["1.001193"],
    ),
]

GroupCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        pattern=r"^[0-9A-Za-z._-]+$",
        description="Code of a linked procedure group in the catalog (opaque).",
        examples=["LT-KS-TT-BHYT"],
    ),
]


def dossier_code_agency(code: str) -> str:
    """The receiving unit's agency code embedded in a dossier code."""
    match = re.match(r"^(.+)-\d{6}-\d{4}$", code)
    if match is None:
        raise ValueError(f"not a dossier code: {code!r}")
    return match.group(1)


class Applicant(WireModel):
    """The citizen or organisation that owns the dossier. Personal data: never log raw."""

    full_name: str = Field(min_length=1, max_length=200, examples=["Nguyễn Văn An"])
    id_number: str = Field(
        pattern=r"^\d{9}(\d{3})?$", description="CCCD (12 digits) or CMND (9 digits)."
    )
    phone: str | None = Field(default=None, pattern=r"^\+?\d{8,15}$")
    address: str = Field(min_length=1, max_length=500)


class PostalAddress(WireModel):
    """Where the postal service delivers the result."""

    receiver_name: str = Field(min_length=1, max_length=200)
    receiver_phone: str = Field(pattern=r"^\+?\d{8,15}$")
    address: str = Field(min_length=1, max_length=500)
    commune_code: UnitCode
    district_code: UnitCode
    province_code: UnitCode


class DocumentRef(WireModel):
    """Claim check for a scanned document: a reference and a digest, never the bytes."""

    name: str = Field(min_length=1, max_length=300)
    uri: str = Field(min_length=1, max_length=1000, examples=["s3://hue-dossiers/scan-1.pdf"])
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")

    @field_validator("uri")
    @classmethod
    def _no_inline_data(cls, value: str) -> str:
        if value.startswith("data:"):
            raise ValueError("documents travel by reference (claim check), not inline")
        return value


class Dossier(WireModel):
    """A dossier as registered by the receiving one-stop section."""

    code: DossierCode | None = Field(
        description="Null only on a dossier.received the hub has not handled yet, when the "
        "receiving unit left the code to the hub; the hub issues it before recording anything, "
        "so every event it publishes carries the code."
    )
    procedure_code: ProcedureCode
    receiving_unit: UnitCode
    channel: Channel
    received_at: AwareDatetime
    applicant: Applicant
    return_method: ReturnMethod = ReturnMethod.IN_PERSON
    delivery_address: PostalAddress | None = None
    documents: tuple[DocumentRef, ...] = ()
    fee_vnd: int = Field(default=0, ge=0)
    group_code: GroupCode | None = Field(
        default=None,
        description="Linked procedure group (liên thông) the dossier was registered for: one "
        "dossier, several parts decided by several units; procedure_code is the group's lead.",
    )

    @property
    def issued_code(self) -> str:
        """The code; every dossier the hub tracks, records or sends on has one."""
        if self.code is None:
            raise ValueError("the dossier has no code yet: the hub issues it on reception")
        return self.code

    @model_validator(mode="after")
    def _address_when_by_post(self) -> Dossier:
        if self.return_method is ReturnMethod.POST and self.delivery_address is None:
            raise ValueError("return by post needs a delivery address")
        return self
