"""Canonical wire contract of the dossier hub. Imports nothing from hub/ or adapters/."""

from __future__ import annotations

from schemas.dossier import Applicant, DocumentRef, Dossier, PostalAddress
from schemas.envelope import (
    HUB_UNIT,
    SCHEMA_VERSION,
    VIETNAM,
    CanonicalMessage,
    Envelope,
    new_envelope,
)
from schemas.events import (
    ALL_EVENT_TYPES,
    STATUS_OF_EVENT,
    DossierAccepted,
    DossierEvent,
    DossierReceived,
    DossierRefused,
    DossierTransferred,
    MessageNotAccepted,
    PostalOrderCreated,
    PostalStatusChanged,
    ProgressReported,
    ResultIssued,
    ResultReturned,
    SupplementRequested,
)
from schemas.status import FINAL_STATUSES, Channel, DossierStatus, ReturnMethod

__all__ = [
    "ALL_EVENT_TYPES",
    "FINAL_STATUSES",
    "HUB_UNIT",
    "SCHEMA_VERSION",
    "STATUS_OF_EVENT",
    "VIETNAM",
    "Applicant",
    "CanonicalMessage",
    "Channel",
    "DocumentRef",
    "Dossier",
    "DossierAccepted",
    "DossierEvent",
    "DossierReceived",
    "DossierRefused",
    "DossierStatus",
    "DossierTransferred",
    "Envelope",
    "MessageNotAccepted",
    "PostalAddress",
    "PostalOrderCreated",
    "PostalStatusChanged",
    "ProgressReported",
    "ResultIssued",
    "ResultReturned",
    "ReturnMethod",
    "SupplementRequested",
    "new_envelope",
]
