"""The transfers fault run's aimed kills (``transfer_fault_run``): compliance's worker killed
while the sandbox holds a manifest round's write, and whether the kill landed mid-round, that is
Metrc applied the held write and the round that sent it never saved its row (the next round,
once the claim ran out, must read Metrc back instead of writing again)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from compliance.sandbox_world import MetrcSite, eventually
from compliance.sandbox_world import _ok as ok

__all__ = ["HeldWrite", "hold", "kill_while_held"]


@dataclass(frozen=True)
class HeldWrite:
    rule: dict[str, Any]
    """The sandbox's ``slow`` fault rule holding the write."""
    templates_before: frozenset[str]
    """Metrc's template names when the rule was queued."""


async def kill_while_held(
    site: MetrcSite,
    held: HeldWrite,
    kill_worker: Callable[[], Awaitable[None]],
    *,
    patience: float,
) -> bool:
    """Kill the worker once the sandbox holds the call that took ``held``'s rule; whether the
    kill landed mid-round."""
    rule = held.rule

    async def taken() -> bool:
        queued = await ok(site.sandbox.get("/_sandbox/faults"))
        return not any(
            (r["method"], r["path"], r["kind"]) == (rule["method"], rule["path"], "slow")
            for r in queued
        )

    await eventually(taken, seconds=patience, what=f"{rule['method']} {rule['path']}")
    # The rows the round holding the write has claimed (one quick read: the kill must land
    # while the sandbox holds the write).
    claimed = {t: r for t, r in (await _manifests(site)).items() if r["held"]}
    await kill_worker()

    async def applied() -> str | None:
        # The held write among the claimed rows (nobody else works them while the claim
        # holds): the first template POST since the rule was queued, made under a claimed
        # row's name; or the archive of the template the DELETE names.
        templates = await _templates(site)
        for transfer_id, row in claimed.items():
            template = templates.get(row["template_name"])
            if template is None:
                continue
            if rule["method"] == "POST" and row["template_name"] not in held.templates_before:
                return transfer_id
            if rule["method"] == "DELETE" and rule["path"].endswith(f"/{template['Id']}"):
                return transfer_id if template["archived"] else None
        return None

    transfer_id = await eventually(
        applied, seconds=patience, what=f"the held {rule['method']} applied in Metrc"
    )
    then, now = claimed[transfer_id], (await _manifests(site))[transfer_id]
    # Saved by the killed round, the row would have changed before its claim ran out; a later
    # round can have saved it only after.
    return bool(
        now["updated_at"] == then["updated_at"] or now["updated_at"] >= then["claimed_until"]
    )


async def hold(site: MetrcSite, method: str, path: str, *, delay_ms: int) -> HeldWrite:
    """The next such call held by the sandbox for ``delay_ms`` (applied after it)."""
    templates = await _templates(site)
    rule = {"method": method, "path": path, "kind": "slow", "delay_ms": delay_ms}
    await ok(site.sandbox.post("/_sandbox/faults", json=[rule]))
    return HeldWrite(rule, frozenset(templates))


async def _manifests(site: MetrcSite) -> dict[str, dict[str, Any]]:
    """Each manifest row's template name, claim (``held``: not run out) and last update, by
    transfer id."""
    async with site.database.connection() as conn:
        rows = await conn.fetch(
            "SELECT transfer_id, template_name, claimed_until, updated_at,"
            " coalesce(claimed_until > now(), false) AS held FROM transfer_manifest"
        )
    return {str(r["transfer_id"]): dict(r) for r in rows}


async def _templates(site: MetrcSite) -> dict[str, dict[str, Any]]:
    """Metrc's transfer templates (the sandbox's records), by name."""
    state = (await site.sandbox.get("/_sandbox/state")).json()
    return {t["Name"]: t for t in state["transfer_templates"]}
