"""The JSON Schemas and the AsyncAPI document committed to the repository are the ones the
code generates (regenerate with `make schemas` and `hub asyncapi --out docs/asyncapi.json`)."""

from __future__ import annotations

import json
from pathlib import Path

from adapters.wire_catalog import NATIVE_MESSAGES
from hub.asyncapi import asyncapi_json
from hub.settings import Settings
from schemas.events import ALL_EVENT_TYPES
from schemas.export import export_json_schemas

ROOT = Path(__file__).resolve().parents[2]


def test_committed_json_schemas_match_the_models(tmp_path: Path) -> None:
    written = export_json_schemas(tmp_path, extra=NATIVE_MESSAGES)
    assert len(written) == len(ALL_EVENT_TYPES) + 1 + len(NATIVE_MESSAGES)  # + the batch
    for path in written:
        committed = ROOT / "schemas" / "json" / path.name
        assert committed.exists(), f"{committed} is missing: run `make schemas`"
        assert json.loads(committed.read_text()) == json.loads(path.read_text()), path.name


def test_every_canonical_schema_requires_the_envelope_fields() -> None:
    for path in (ROOT / "schemas" / "json").glob("[dhp]*.schema.json"):
        required = set(json.loads(path.read_text())["required"])
        assert {
            "message_id",
            "type",
            "occurred_at",
            "sender",
            "recipient",
            "correlation_id",
            "payload",
        } <= required, path.name


def test_committed_asyncapi_document_matches_the_application() -> None:
    generated = json.loads(asyncapi_json(Settings(amqp_url="amqp://guest:guest@localhost:5672/")))
    committed = json.loads((ROOT / "docs" / "asyncapi.json").read_text())
    assert committed == generated
    assert generated["asyncapi"].startswith("3.")
    assert any("hub.ingress.00" in json.dumps(c) for c in generated["channels"].values())
