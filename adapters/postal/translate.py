"""Pure translation between canonical dossiers and events and the postal API's formats."""

from __future__ import annotations

from datetime import datetime

from adapters.postal import codes
from adapters.postal.errors import NotDeliverableByPost, PostalResponseInvalid
from adapters.postal.models import CreatedOrder, CreateOrderRequest, TrackingEvent
from hub.registry.model import Unit
from schemas.dossier import Dossier
from schemas.envelope import VIETNAM
from schemas.events import PostalOrderCreated, PostalStatusChanged

DEFAULT_WEIGHT_GRAMS = 500


def order_request_for(
    dossier: Dossier,
    *,
    sender_unit: Unit,
    cod_amount: int = 0,
    weight_grams: int = DEFAULT_WEIGHT_GRAMS,
) -> CreateOrderRequest:
    """The return order for a dossier's result, sent from ``sender_unit`` to the citizen.

    The unit's own postal code is its district post office; its province is the first two
    digits followed by ``000``. The receiver's codes are taken from the address as given.
    """
    address = dossier.delivery_address
    if address is None:
        raise NotDeliverableByPost(f"dossier {dossier.code} has no delivery address")
    if not sender_unit.postal_code:
        raise NotDeliverableByPost(f"unit {sender_unit.code} has no postal code")
    return CreateOrderRequest(
        order_number=dossier.issued_code,
        sender_name=sender_unit.name,
        sender_address=sender_unit.name,
        sender_province=province_postal_code(sender_unit.postal_code),
        sender_district=sender_unit.postal_code,
        receiver_name=address.receiver_name,
        receiver_phone=address.receiver_phone,
        receiver_address=address.address,
        receiver_province=address.province_code,
        receiver_district=address.district_code,
        cod_amount=cod_amount,
        weight=weight_grams,
        note=f"Trả kết quả hồ sơ {dossier.code}",
    )


def province_postal_code(postal_code: str) -> str:
    """``49100`` -> ``49000``: Vietnamese postal codes start with the province's two digits."""
    return f"{postal_code[:2]}000"


def order_created(created: CreatedOrder, dossier: Dossier) -> PostalOrderCreated:
    if dossier.delivery_address is None:
        raise NotDeliverableByPost(f"dossier {dossier.code} has no delivery address")
    return PostalOrderCreated(
        order_number=created.order_number,
        item_code=created.item_code,
        receiver_commune=dossier.delivery_address.commune_code,
    )


def to_canonical(event: TrackingEvent) -> PostalStatusChanged:
    return PostalStatusChanged(
        order_number=event.order_number,
        item_code=event.item_code,
        status_code=event.status_code,
        status_message=event.status_message,
        event_time=parse_event_time(event.event_time),
        pos_id=event.pos_id or None,
        delivered=event.status_code == codes.DELIVERED,
    )


def parse_event_time(text: str) -> datetime:
    """``dd/MM/yyyy HH:mm:ss`` in Vietnam time -> an aware datetime."""
    try:
        naive = datetime.strptime(text.strip(), codes.EVENT_TIME_FORMAT)
    except ValueError as exc:
        raise PostalResponseInvalid(f"EventTime {text!r} is not dd/MM/yyyy HH:mm:ss") from exc
    return naive.replace(tzinfo=VIETNAM)


def format_event_time(moment: datetime) -> str:
    return moment.astimezone(VIETNAM).strftime(codes.EVENT_TIME_FORMAT)


SUPPLEMENT_LETTER_SUFFIX = "-BS"
"""Order number suffix of a supplement request letter (``<dossier code>-BS``); the result
return order's number is the dossier code itself."""


def supplement_letter_number(dossier_code: str) -> str:
    return dossier_code + SUPPLEMENT_LETTER_SUFFIX


def dossier_code_of(order_number: str) -> str:
    """The dossier an order belongs to: its number, without a letter suffix."""
    return order_number.removesuffix(SUPPLEMENT_LETTER_SUFFIX)


def supplement_letter_request(
    dossier: Dossier, *, sender_unit: Unit, receiving_unit: Unit, province_code: str
) -> CreateOrderRequest:
    """The letter carrying a supplement request to a citizen whose dossier came by post:
    to the delivery address when there is one, otherwise to the applicant's address in
    the receiving commune's district."""
    if dossier.delivery_address is not None:
        result = order_request_for(dossier, sender_unit=sender_unit, weight_grams=50)
        return result.model_copy(
            update={
                "order_number": supplement_letter_number(dossier.issued_code),
                "note": f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ {dossier.code}",
            }
        )
    applicant = dossier.applicant
    if not sender_unit.postal_code or not applicant.phone or not receiving_unit.district_code:
        raise NotDeliverableByPost(f"dossier {dossier.code}: no phone or postal code for a letter")
    return CreateOrderRequest(
        order_number=supplement_letter_number(dossier.issued_code),
        sender_name=sender_unit.name,
        sender_address=sender_unit.name,
        sender_province=province_postal_code(sender_unit.postal_code),
        sender_district=sender_unit.postal_code,
        receiver_name=applicant.full_name,
        receiver_phone=applicant.phone,
        receiver_address=applicant.address,
        receiver_province=province_code,
        receiver_district=receiving_unit.district_code,
        cod_amount=0,
        weight=50,
        note=f"Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ {dossier.code}",
    )
