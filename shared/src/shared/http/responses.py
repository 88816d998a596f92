"""JSON answers encoded once: a contract model (``model_dump_json``), a list of them, or a value
already in its JSON form (``shared.json_form``), which hot paths build directly. FastAPI would
validate a model again and then serialise it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi.responses import Response
from pydantic import BaseModel

from shared.json_form import encode

__all__ = ["Answer", "json_response", "json_text"]

Answer = BaseModel | Sequence[BaseModel] | dict[str, Any] | list[Any]
"""What a route answers: a contract model, a list of them, or a value in its JSON form."""


def json_text(answer: Answer) -> str:
    if isinstance(answer, BaseModel):
        return answer.model_dump_json()
    if isinstance(answer, list | tuple) and answer and isinstance(answer[0], BaseModel):
        return "[" + ",".join(item.model_dump_json() for item in answer) + "]"
    return encode(answer)


def json_response(answer: Answer, status_code: int = 200) -> Response:
    return Response(json_text(answer), status_code=status_code, media_type="application/json")
