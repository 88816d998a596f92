"""Everything ``shared`` offers is used: by a service, or by another part of ``shared`` that
is. A variant nobody uses is deleted, not kept next to the one way (test support in
``shared.testing`` counts as used when the tests use it)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import shared

ROOT = Path(shared.__file__).parents[3]
SERVICES = sorted((ROOT / "services").glob("*/src"))
TESTS = [ROOT / "tests", ROOT / "shared" / "tests", *sorted((ROOT / "services").glob("*/tests"))]
BENCHES = [ROOT / "shared" / "bench", *sorted((ROOT / "services").glob("*/bench"))]
# Entry points run by name (``python -m ...``), not imported.
COMMANDS = {
    "shared.events.compatibility",  # make schemas
    "shared.identity_keys",
    "shared.kafka_topics",
    "shared.messaging.redrive",
}


def names_used(paths: list[Path]) -> set[str]:
    """Every identifier read, attribute and imported name in the Python files under ``paths``
    (a definition or an assignment is not a use)."""
    used: set[str] = set()
    for folder in paths:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                    used.add(node.id)
                elif isinstance(node, ast.Attribute):
                    used.add(node.attr)
                elif isinstance(node, ast.alias):
                    used.add(node.name.rsplit(".", 1)[-1])
                elif isinstance(node, ast.ImportFrom) and node.module:
                    used.add(node.module.rsplit(".", 1)[-1])
    return used


def public_names() -> dict[str, str]:
    """``module.name`` -> name, for every name a shared module exports."""
    found: dict[str, str] = {}
    for info in pkgutil.walk_packages(shared.__path__, "shared."):
        if info.ispkg or info.name in COMMANDS:
            continue
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            if getattr(getattr(module, name, None), "__module__", info.name) == info.name:
                found[f"{info.name}.{name}"] = name
    return found


def test_every_public_name_of_shared_is_used_by_a_service_or_by_shared_itself() -> None:
    by_services = names_used(SERVICES)
    by_shared = names_used([ROOT / "shared" / "src"])
    by_tests = names_used(TESTS + BENCHES)
    unused = [
        qualified
        for qualified, name in sorted(public_names().items())
        if name not in (by_services | by_shared | (by_tests if ".testing." in qualified else set()))
    ]
    assert not unused, f"nothing uses these; delete them or use them: {unused}"


def test_the_check_sees_an_unused_name() -> None:
    assert "surely_nobody_calls_this" not in names_used(SERVICES)
