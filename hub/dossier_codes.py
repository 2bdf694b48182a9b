"""Dossier codes per Circular 01/2018/TT-VPCP Art.19: ``<agency code>-<YYMMDD>-<NNNN>``.

Pure: formatting, parsing and validation only. The daily sequence itself is allocated in
PostgreSQL (``hub/store/codes.py``) so several hub workers never issue the same code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from hub.errors import PermanentError
from schemas import VIETNAM

MAX_SEQUENCE = 9999
"""Four digits: the last code a receiving unit can issue on one day."""

AGENCY_CODE = re.compile(r"[0-9A-Za-z.]+")
"""Agency codes are opaque (two standards order their groups differently): only the
characters the wire contract allows (``schemas.dossier.DOSSIER_CODE_PATTERN``)."""

_CODE = re.compile(r"(?P<agency>[0-9A-Za-z.]+)-(?P<day>\d{6})-(?P<sequence>\d{4})")
_MAX_LENGTH = 64


class InvalidDossierCode(PermanentError):
    """Text that is not ``<agency code>-<YYMMDD>-<NNNN>``, or parts that cannot form one."""

    reason_code = "invalid_dossier_code"


class SequenceExhausted(PermanentError):
    """A receiving unit has issued all 9999 codes of one day."""

    reason_code = "dossier_code_sequence_exhausted"


@dataclass(frozen=True, order=True)
class DossierCode:
    agency_code: str
    day: date
    sequence: int

    def __post_init__(self) -> None:
        if not AGENCY_CODE.fullmatch(self.agency_code):
            raise InvalidDossierCode(f"agency code {self.agency_code!r} is not [0-9A-Za-z.]+")
        if not 2000 <= self.day.year <= 2099:
            raise InvalidDossierCode(f"day {self.day} has no two-digit year in 2000-2099")
        if not 1 <= self.sequence <= MAX_SEQUENCE:
            raise InvalidDossierCode(f"sequence {self.sequence} is not within 1..{MAX_SEQUENCE}")
        if len(str(self)) > _MAX_LENGTH:
            raise InvalidDossierCode(f"a dossier code is at most {_MAX_LENGTH} characters")

    def __str__(self) -> str:
        return f"{self.agency_code}-{self.day:%y%m%d}-{self.sequence:04d}"


def reception_day(received_at: datetime) -> date:
    """The day a dossier counts as received: the calendar day in Vietnam time."""
    if received_at.tzinfo is None:
        raise ValueError("reception time must be timezone-aware")
    return received_at.astimezone(VIETNAM).date()


def format_code(agency_code: str, received_at: datetime, sequence: int) -> str:
    """The code of the ``sequence``-th dossier a unit received on that (Vietnam) day."""
    if sequence > MAX_SEQUENCE:
        raise SequenceExhausted(
            f"agency {agency_code} already issued {MAX_SEQUENCE} dossier codes "
            f"on {reception_day(received_at):%d/%m/%Y}"
        )
    return str(DossierCode(agency_code, reception_day(received_at), sequence))


def parse_code(text: str) -> DossierCode:
    """Split a dossier code into its parts; :class:`InvalidDossierCode` if it is not one."""
    match = _CODE.fullmatch(text)
    if match is None:
        raise InvalidDossierCode(f"{text!r} is not <agency code>-<YYMMDD>-<NNNN>")
    day = match["day"]
    try:
        parsed = date(2000 + int(day[:2]), int(day[2:4]), int(day[4:]))
    except ValueError:
        raise InvalidDossierCode(f"{text!r}: {day} is not a date (YYMMDD)") from None
    return DossierCode(match["agency"], parsed, int(match["sequence"]))


def is_valid_code(text: str) -> bool:
    try:
        parse_code(text)
    except InvalidDossierCode:
        return False
    return True
