"""The AsyncAPI document, generated from the application's brokers and subscribers."""

from __future__ import annotations

from faststream.specification import AsyncAPI

from hub.app import create_app
from hub.settings import Settings


def asyncapi_json(settings: Settings) -> str:
    app = create_app(settings)
    spec = AsyncAPI(*app.brokers, title="Dossier integration hub", version="1.0.0")
    return spec.to_specification().to_json()
