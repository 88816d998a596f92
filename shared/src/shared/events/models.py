"""What every event payload model is built from: a frozen pydantic model, and the model
configuration that carries the payload's example (the JSON Schema's ``examples``, shown in the
AsyncAPI document)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = ["FrozenModel", "with_example"]


class FrozenModel(BaseModel):
    model_config = ConfigDict(frozen=True)


def with_example(example: dict[str, Any]) -> ConfigDict:
    """A frozen model's configuration with ``example`` as its one example."""
    return ConfigDict(frozen=True, json_schema_extra={"examples": [example]})
