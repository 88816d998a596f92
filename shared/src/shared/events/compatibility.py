"""Compatibility of event schemas, so a consumer written against version N keeps working.

Allowed within one event version: new optional fields, looser constraints, new enum values are NOT
allowed (an old consumer would not know them) ... except where the field is documented as open.
Breaking: a removed field, a changed type, a field made required, a removed or renamed definition.
A breaking change needs a new event version (a new model registered with ``version=N+1``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["SCHEMA_DIR", "breaking_changes", "current_schemas", "write_snapshots"]

SCHEMA_DIR = Path(__file__).parent / "schemas"


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every change from ``old`` to ``new`` that would break a consumer of ``old``."""
    problems: list[str] = []
    _compare(old, new, "$", problems, old.get("$defs", {}), new.get("$defs", {}))
    return problems


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        resolved: dict[str, Any] = defs.get(ref.removeprefix("#/$defs/"), {})
        return resolved
    return schema


def _kind(schema: dict[str, Any]) -> Any:
    if "anyOf" in schema:
        return sorted(json.dumps(_kind(s), sort_keys=True) for s in schema["anyOf"])
    return {k: schema[k] for k in ("type", "format", "const") if k in schema}


def _compare(
    old: dict[str, Any],
    new: dict[str, Any],
    path: str,
    problems: list[str],
    old_defs: dict[str, Any],
    new_defs: dict[str, Any],
) -> None:
    old, new = _resolve(old, old_defs), _resolve(new, new_defs)
    if _kind(old) != _kind(new):
        problems.append(f"{path}: type changed from {_kind(old)} to {_kind(new)}")
        return
    if "enum" in old and set(old["enum"]) - set(new.get("enum", old["enum"])):
        problems.append(f"{path}: enum values removed: {set(old['enum']) - set(new['enum'])}")
    if "enum" in old and set(new.get("enum", [])) - set(old["enum"]):
        problems.append(f"{path}: enum values added (old consumers would reject them)")
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_prop in old_props.items():
        if name not in new_props:
            problems.append(f"{path}.{name}: removed")
            continue
        _compare(old_prop, new_props[name], f"{path}.{name}", problems, old_defs, new_defs)
    newly_required = set(new.get("required", [])) - set(old.get("required", []))
    problems.extend(f"{path}.{name}: became required" for name in sorted(newly_required))
    if "items" in old and "items" in new:
        _compare(old["items"], new["items"], f"{path}[]", problems, old_defs, new_defs)
    for i, (a, b) in enumerate(zip(old.get("anyOf", []), new.get("anyOf", []), strict=False)):
        _compare(a, b, f"{path}|{i}", problems, old_defs, new_defs)


def current_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every registered event type, by snapshot file name."""
    from shared.events.registry import all_event_types

    return {t.schema_file: t.model.model_json_schema() for t in all_event_types()}


def write_snapshots() -> list[str]:
    written = []
    for name, schema in current_schemas().items():
        (SCHEMA_DIR / name).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(name)
    return written


if __name__ == "__main__":
    import shared.events  # noqa: F401  (registers every event type)

    for name in write_snapshots():
        print(f"wrote {name}")  # noqa: T201
