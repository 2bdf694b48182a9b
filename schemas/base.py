"""Base model for every wire contract: frozen, no unknown fields."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)


def field_of(model: BaseModel, name: str, default: Any = None) -> Any:
    """The value of ``model``'s field ``name``, or ``default`` when it has no such field.

    Like ``getattr(model, name, default)``, but a pydantic model answers a name it lacks
    through ``__getattr__`` and a raised ``AttributeError`` (about 2 µs), and the hub asks
    this several times per event (is it about a part, which unit). A model keeps its fields'
    values in its instance ``__dict__``.
    """
    return model.__dict__.get(name, default)
