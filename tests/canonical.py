"""Canonical messages for tests that project events: one dossier of commune 19744 and its
reception, with codes no other test uses."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from uuid import uuid4

from schemas import (
    VIETNAM,
    Applicant,
    CanonicalMessage,
    Channel,
    Dossier,
    DossierEvent,
    DossierReceived,
    PostalAddress,
    ReturnMethod,
    new_envelope,
)

COMMUNE = "19744"
ID_NUMBER = "046190000123"
MONDAY_8AM = datetime(2019, 4, 15, 8, 0, tzinfo=VIETNAM)


def new_code() -> str:
    """A dossier code no other test uses (agency part random, Circular 01/2018 shape)."""
    day = MONDAY_8AM + timedelta(days=random.randrange(2000))
    return f"000.{uuid4().hex[:10]}.H57-{day:%y%m%d}-{random.randrange(1, 10_000):04d}"


def a_dossier(code: str, *, by_post: bool = False) -> Dossier:
    address = PostalAddress(
        receiver_name="Nguyễn Văn An",
        receiver_phone="0905123456",
        address="12 Lê Lợi",
        commune_code=COMMUNE,
        district_code="474",
        province_code="46",
    )
    return Dossier(
        code=code,
        procedure_code="1.001193",
        receiving_unit=COMMUNE,
        channel=Channel.ONLINE,
        received_at=MONDAY_8AM,
        applicant=Applicant(full_name="Nguyễn Văn An", id_number=ID_NUMBER, address="12 Lê Lợi"),
        return_method=ReturnMethod.POST if by_post else ReturnMethod.IN_PERSON,
        delivery_address=address if by_post else None,
    )


def message(
    code: str, payload: DossierEvent, sequence: int | None, hours: float = 0
) -> CanonicalMessage:
    return new_envelope(
        payload,
        sender="hub",
        recipient="province",
        dossier_code=code,
        occurred_at=MONDAY_8AM + timedelta(hours=hours),
        sequence=sequence,
    )


def received(code: str, seq: int = 1, *, by_post: bool = False) -> CanonicalMessage:
    return message(code, DossierReceived(dossier=a_dossier(code, by_post=by_post)), seq)
