"""Write a JSON Schema file for every canonical message and every native peer message."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from schemas.batch import EVENT_BATCH_TYPE, EventBatch
from schemas.envelope import Envelope
from schemas.events import ALL_EVENT_TYPES


def canonical_schemas() -> dict[str, dict[str, Any]]:
    """``<event type>`` → JSON Schema of the envelope carrying that event, and the schema of
    the batches events travel in on ``dossier.events``."""
    out: dict[str, dict[str, Any]] = {EVENT_BATCH_TYPE: EventBatch.model_json_schema()}
    for event_type in ALL_EVENT_TYPES:
        name = str(event_type.model_fields["type"].default)
        model: type[BaseModel] = Envelope[event_type]  # type: ignore[valid-type]
        out[name] = model.model_json_schema()
    return out


def export_json_schemas(
    directory: Path, extra: dict[str, type[BaseModel]] | None = None
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    schemas = canonical_schemas()
    for name, model in (extra or {}).items():
        schemas[name] = model.model_json_schema()
    written = []
    for name, schema in sorted(schemas.items()):
        path = directory / f"{name}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", "utf-8")
        written.append(path)
    return written
