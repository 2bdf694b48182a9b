"""The postal API's wire formats: PascalCase on the wire, snake_case in Python."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_pascal


class PostalWireModel(BaseModel):
    """Tolerant reader: unknown response fields are ignored."""

    model_config = ConfigDict(
        alias_generator=to_pascal, populate_by_name=True, frozen=True, extra="ignore"
    )


class TokenResponse(BaseModel):
    """OAuth2 token response (RFC 6749 field names)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    access_token: str = Field(min_length=1, repr=False)
    token_type: str = "Bearer"
    expires_in: float = Field(gt=0, description="Seconds the token is valid for.")


class CreateOrderRequest(PostalWireModel):
    """A postal return order. Names, phone and addresses are personal data: kept out of repr."""

    model_config = ConfigDict(extra="forbid")

    order_number: str = Field(
        min_length=1,
        max_length=64,
        description="The dossier code.",
        examples=["000.00.31.H57-190417-0001"],
    )
    sender_name: str = Field(min_length=1, max_length=500, repr=False)
    sender_address: str = Field(min_length=1, max_length=500, repr=False)
    sender_province: str = Field(description="Postal code of the sender's province.")
    sender_district: str = Field(description="Postal code of the sender's district.")
    receiver_name: str = Field(min_length=1, max_length=500, repr=False)
    receiver_phone: str = Field(pattern=r"^\+?\d{8,15}$", repr=False)
    receiver_address: str = Field(min_length=1, max_length=500, repr=False)
    receiver_province: str
    receiver_district: str
    cod_amount: int = Field(default=0, ge=0, description="Cash on delivery, VND.")
    weight: int = Field(default=500, ge=1, description="Grams.")
    note: str = ""


class CreatedOrder(PostalWireModel):
    order_number: str
    item_code: str = Field(examples=["EB123456785VN"])
    status: str = Field(description="Current tracking status code.")
    status_message: str = ""


class TrackingEvent(PostalWireModel):
    order_number: str
    item_code: str
    status_code: str
    status_message: str
    event_time: str = Field(description="dd/MM/yyyy HH:mm:ss, Vietnam time.")
    pos_id: str | None = Field(default=None, alias="POSID", description="Post office id.")


class TrackingPage(PostalWireModel):
    page: int
    page_size: int
    total_count: int
    items: tuple[TrackingEvent, ...] = ()
    next_cursor: str | None = None
