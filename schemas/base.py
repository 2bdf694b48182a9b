"""Base model for every wire contract: frozen, no unknown fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)
