"""``GET /_sandbox/state``: everything, as Metrc would render it plus sandbox-only keys.

Sandbox-only keys are snake_case (``status``, ``license_number``, ``used``) so they never look like
Metrc fields.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from metrc_sandbox import views
from metrc_sandbox.runtime import Sandbox
from metrc_sandbox.store import SandboxState


def _license(state: SandboxState, facility_id: int) -> str:
    return state.facility(facility_id).license_number


def dump_state(sandbox: Sandbox) -> dict[str, Any]:
    state = sandbox.state

    def lic(facility_id: int) -> str:
        return _license(state, facility_id)

    return {
        "seed": state.seed,
        "facilities": [
            {**views.facility_view(f), "license_number": f.license_number, "tag_block": f.tag_block}
            for f in state.facilities.values()
        ],
        "users": [
            {
                "user_key": u.user_key,
                "name": u.name,
                "facilities": sorted(lic(i) for i in u.facility_ids),
            }
            for u in state.users.values()
        ],
        "locations": [
            {**views.location_view(x), "license_number": lic(x.facility_id), "active": x.active}
            for x in state.locations
        ],
        "strains": [
            {
                **views.strain_view(x, state),
                "license_number": lic(x.facility_id),
                "active": x.active,
            }
            for x in state.strains
        ],
        "items": [
            {**views.item_view(x, state), "license_number": lic(x.facility_id), "active": x.active}
            for x in state.items
        ],
        "tags": [
            {
                "Id": t.id,
                "Label": t.label,
                "type": t.kind,
                "license_number": lic(t.facility_id),
                "used": t.used,
            }
            for t in state.tags
        ],
        "packages": [
            {
                **views.package_view(p, state),
                "license_number": lic(p.facility_id),
                "status": p.status,
            }
            for p in state.packages
        ],
        "adjustments": [
            {**views.adjustment_view(a, state), "license_number": lic(a.facility_id)}
            for a in state.adjustments
        ],
        "plant_batches": [
            {
                **views.plant_batch_view(b, state),
                "license_number": lic(b.facility_id),
                "status": "active" if b.active else "inactive",
            }
            for b in state.plant_batches
        ],
        "plants": [
            {**views.plant_view(p, state), "license_number": lic(p.facility_id)}
            for p in state.plants
        ],
        "harvests": [
            {
                **views.harvest_view(h, state),
                "license_number": lic(h.facility_id),
                "status": "active" if h.finished_date is None else "finished",
            }
            for h in state.harvests
        ],
        "harvest_waste": [views.harvest_waste_view(w) for w in state.harvest_waste],
        "transfer_templates": [
            {
                **views.template_view(t, state),
                "license_number": lic(t.facility_id),
                "archived": t.archived,
                "sent_transfer_id": t.sent_transfer_id,
                "deliveries": [
                    {
                        **views.template_delivery_view(d, state),
                        "packages": [
                            {"package_id": p.package_id, "label": _label(state, p.package_id)}
                            for p in d.packages
                        ],
                    }
                    for d in (state.template_destinations.get(i) for i in t.destination_ids)
                    if d is not None
                ],
            }
            for t in state.templates
        ],
        "manifests": [
            {
                "Id": m.id,
                "ManifestNumber": m.manifest_number,
                "license_number": lic(m.facility_id),
                "template_id": m.template_id,
                "deliveries": [
                    {
                        **views.delivery_view(d, state),
                        "packages": [
                            {**asdict(p), "label": _label(state, p.package_id)} for p in d.packages
                        ],
                    }
                    for d in (state.deliveries.get(i) for i in m.delivery_ids)
                    if d is not None
                ],
            }
            for m in state.transfers
        ],
        "requests": {key: asdict(stats) for key, stats in sorted(sandbox.stats.items())},
        "writes_applied": sum(stats.applied for stats in sandbox.stats.values()),
    }


def _label(state: SandboxState, package_id: int) -> str | None:
    package = state.packages.get(package_id)
    return None if package is None else package.label
