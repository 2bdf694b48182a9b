from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.postal import codes
from adapters.postal.errors import NotDeliverableByPost, PostalResponseInvalid
from adapters.postal.models import CreatedOrder, CreateOrderRequest, TrackingEvent
from adapters.postal.translate import (
    format_event_time,
    order_created,
    order_request_for,
    parse_event_time,
    to_canonical,
)
from hub.errors import PermanentError
from hub.registry.model import Unit, UnitKind
from schemas.dossier import Applicant, Dossier, PostalAddress
from schemas.envelope import VIETNAM
from schemas.status import Channel, ReturnMethod

DOSSIER_CODE = "000.00.31.H57-190417-0001"

HUE_PAC = Unit(
    code="474.PAC",
    kind=UnitKind.DISTRICT_PAC,
    name="Trung tâm Hành chính công Thành phố Huế",
    agency_code="000.00.31.H57",
    gso_code="474",
    district_code="474",
    postal_code="49100",
)
ADDRESS = PostalAddress(
    receiver_name="Nguyễn Văn An",
    receiver_phone="0905123456",
    address="12 Lê Lợi, Phú Hội",
    commune_code="19750",
    district_code="474",
    province_code="46",
)


def dossier(*, delivery_address: PostalAddress | None = ADDRESS) -> Dossier:
    return Dossier(
        code=DOSSIER_CODE,
        procedure_code="1.001193",
        receiving_unit="19744",
        channel=Channel.IN_PERSON,
        received_at=datetime(2019, 4, 17, 8, 30, tzinfo=VIETNAM),
        applicant=Applicant(full_name="Nguyễn Văn An", id_number="046190000123", address="Huế"),
        return_method=ReturnMethod.POST if delivery_address else ReturnMethod.IN_PERSON,
        delivery_address=delivery_address,
    )


def tracking_event(status_code: str, event_time: str = "17/04/2019 14:05:09") -> TrackingEvent:
    return TrackingEvent.model_validate(
        {
            "OrderNumber": DOSSIER_CODE,
            "ItemCode": "EB123456785VN",
            "StatusCode": status_code,
            "StatusMessage": "Phát thành công",
            "EventTime": event_time,
            "POSID": "49100",
        }
    )


def test_the_order_number_is_the_dossier_code_and_the_sender_is_the_units_post_office() -> None:
    request = order_request_for(dossier(), sender_unit=HUE_PAC, cod_amount=30_000)

    assert request.order_number == DOSSIER_CODE
    assert (request.sender_district, request.sender_province) == ("49100", "49000")
    assert request.sender_name == HUE_PAC.name
    assert request.cod_amount == 30_000


def test_the_receiver_comes_from_the_delivery_address_with_its_codes_as_given() -> None:
    request = order_request_for(dossier(), sender_unit=HUE_PAC)

    assert request.receiver_name == ADDRESS.receiver_name
    assert request.receiver_phone == ADDRESS.receiver_phone
    assert request.receiver_address == ADDRESS.address
    assert (request.receiver_district, request.receiver_province) == ("474", "46")


def test_the_order_goes_on_the_wire_with_pascal_case_field_names() -> None:
    wire = order_request_for(dossier(), sender_unit=HUE_PAC).model_dump(by_alias=True)

    assert set(wire) == {
        "OrderNumber",
        "SenderName",
        "SenderAddress",
        "SenderProvince",
        "SenderDistrict",
        "ReceiverName",
        "ReceiverPhone",
        "ReceiverAddress",
        "ReceiverProvince",
        "ReceiverDistrict",
        "CodAmount",
        "Weight",
        "Note",
    }


def test_personal_data_stays_out_of_the_order_requests_repr() -> None:
    text = repr(order_request_for(dossier(), sender_unit=HUE_PAC))

    assert DOSSIER_CODE in text
    for personal in (ADDRESS.receiver_name, ADDRESS.receiver_phone, ADDRESS.address):
        assert personal not in text


def test_a_dossier_without_a_delivery_address_cannot_be_sent_by_post() -> None:
    with pytest.raises(NotDeliverableByPost):
        order_request_for(dossier(delivery_address=None), sender_unit=HUE_PAC)


def test_a_sending_unit_without_a_postal_code_cannot_send_by_post() -> None:
    unit = HUE_PAC.model_copy(update={"postal_code": None})

    with pytest.raises(NotDeliverableByPost) as raised:
        order_request_for(dossier(), sender_unit=unit)
    assert isinstance(raised.value, PermanentError)


def test_a_created_order_becomes_postal_order_created_for_the_receivers_commune() -> None:
    created = CreatedOrder(order_number=DOSSIER_CODE, item_code="EB123456785VN", status="100")

    event = order_created(created, dossier())

    assert (event.item_code, event.receiver_commune) == ("EB123456785VN", "19750")


def test_event_time_is_read_as_vietnam_local_time() -> None:
    event = to_canonical(tracking_event(codes.IN_TRANSIT, "17/04/2019 14:05:09"))

    assert event.event_time.utcoffset() == timedelta(hours=7)
    assert event.event_time.astimezone(UTC) == datetime(2019, 4, 17, 7, 5, 9, tzinfo=UTC)


def test_tracking_events_keep_their_codes_and_post_office() -> None:
    event = to_canonical(tracking_event(codes.OUT_FOR_DELIVERY))

    assert (event.order_number, event.item_code) == (DOSSIER_CODE, "EB123456785VN")
    assert (event.status_code, event.pos_id) == ("400", "49100")


def test_only_the_delivered_status_code_marks_the_event_delivered() -> None:
    assert codes.DELIVERED == "500"
    assert to_canonical(tracking_event(codes.DELIVERED)).delivered is True
    for status_code in (codes.REGISTERED, codes.OUT_FOR_DELIVERY, codes.DELIVERY_FAILED):
        assert to_canonical(tracking_event(status_code)).delivered is False


@pytest.mark.parametrize("text", ["2019-04-17 14:05:09", "17/04/2019", "31/02/2019 10:00:00", ""])
def test_an_unreadable_event_time_is_a_permanent_error(text: str) -> None:
    with pytest.raises(PostalResponseInvalid):
        parse_event_time(text)


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_event_times_survive_formatting_and_parsing_to_the_second(moment: datetime) -> None:
    aware = moment.replace(microsecond=0, tzinfo=VIETNAM)

    assert parse_event_time(format_event_time(aware)) == aware


def test_a_wire_order_request_reads_back_by_alias() -> None:
    request = order_request_for(dossier(), sender_unit=HUE_PAC)

    assert CreateOrderRequest.model_validate(request.model_dump(by_alias=True)) == request
