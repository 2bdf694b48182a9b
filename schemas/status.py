"""National public-service-portal codes: dossier status and reception channel."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class DossierStatus(IntEnum):
    """Status codes 1-10 used by provincial one-stop systems and the national portal."""

    NEWLY_REGISTERED = 1
    ACCEPTED = 2
    NOT_ACCEPTED = 3
    IN_PROGRESS = 4
    SUPPLEMENT_REQUESTED = 5
    AWAITING_FINANCIAL_OBLIGATION = 6
    WITHDRAWN = 7
    PROCESSING_STOPPED = 8
    RESOLVED = 9
    RESULT_RETURNED = 10

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset(
    {
        DossierStatus.NOT_ACCEPTED,
        DossierStatus.WITHDRAWN,
        DossierStatus.PROCESSING_STOPPED,
        DossierStatus.RESULT_RETURNED,
    }
)


class Channel(IntEnum):
    """How the dossier reached the one-stop section."""

    IN_PERSON = 1
    ONLINE = 2
    POSTAL = 3


class ReturnMethod(StrEnum):
    """How the result goes back to the citizen."""

    IN_PERSON = "in_person"
    POST = "post"
    ONLINE = "online"
