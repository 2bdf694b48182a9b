"""Hub → commune: the acknowledgement carrying a dossier code the hub issued."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from adapters.commune.wire import XacNhanTiepNhan
from adapters.native import format_compact_time, payload_as
from schemas import CanonicalMessage, DossierReceived

_ACK_NAMESPACE = uuid5(NAMESPACE_URL, "urn:dossier-hub:reception-ack")


def acknowledgement_id(reception_id: UUID) -> UUID:
    """The acknowledgement's own id: the same for every rendering of one reception."""
    return uuid5(_ACK_NAMESPACE, str(reception_id))


def reception_ack(
    message: CanonicalMessage, *, deciding_unit: str, due_at: datetime | None
) -> bytes:
    """Render the recorded ``dossier.received`` (its id is the commune's ``MaBanTin``, its
    correlation id the issued code) as ``XacNhanTiepNhan``."""
    event = payload_as(message, DossierReceived)
    return (
        XacNhanTiepNhan(
            MaBanTin=str(acknowledgement_id(message.message_id)),
            MaBanTinGoc=str(message.message_id),
            MaHoSo=event.dossier.issued_code,
            NgayTiepNhan=format_compact_time(event.dossier.received_at),
            DonViXuLy=deciding_unit,
            HanXuLy=None if due_at is None else format_compact_time(due_at),
        )
        .model_dump_json()
        .encode()
    )
