"""Turn an HTTP answer of the postal API into a model or the right error."""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from adapters.postal.errors import PostalOrderConflict, PostalRequestRejected, PostalResponseInvalid
from adapters.postal.http import Answer
from adapters.postal.tokens import ServerTrouble

M = TypeVar("M", bound=BaseModel)


def decoded(response: Answer, model: type[M]) -> M:
    if response.status_code >= 500:
        raise ServerTrouble(response.status_code)
    if response.status_code >= 400:
        message = _error_message(response)
        if response.status_code == 409:
            raise PostalOrderConflict(message, status_code=409)
        raise PostalRequestRejected(message, status_code=response.status_code)
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise PostalResponseInvalid(f"unreadable {model.__name__}: {exc}") from exc


def _error_message(response: Answer) -> str:
    text = response.content.decode(errors="replace")
    try:
        body = json.loads(text)
    except ValueError:
        return text[:200]
    return str(body.get("Message", body)) if isinstance(body, dict) else str(body)[:200]
