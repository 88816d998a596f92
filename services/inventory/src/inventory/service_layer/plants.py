"""Tracked plants: change their growth phase (Metrc's ``PUT /plants/v2/growthphase``), each
plant its own event, all in one transaction."""

from __future__ import annotations

from inventory.domain.cultivation import Plant, change_growth_phase, facility_today
from inventory.service_layer import cultivation_commands as c
from inventory.service_layer.caller import Caller, utc_now
from inventory.service_layer.cultivation_events import plant_events
from inventory.service_layer.errors import NotFoundError
from inventory.service_layer.plant_batches import site_of
from inventory.service_layer.ports import UnitOfWork

__all__ = ["change_plants_phase"]


async def change_plants_phase(
    uow: UnitOfWork, caller: Caller, cmd: c.ChangePlantsPhase
) -> list[Plant]:
    site = await site_of(uow, caller, cmd.site_id)
    found = await uow.cultivation.lock_plants(site.row.id, cmd.tags)
    missing = [tag for tag in cmd.tags if tag not in found]
    if missing:
        raise NotFoundError("plant", ", ".join(missing[:10]))
    before = [found[tag] for tag in cmd.tags]
    now = utc_now()
    location_id = None if cmd.location_id is None else str(cmd.location_id)
    after = change_growth_phase(
        before,
        phase=cmd.growth_phase,
        location_id=location_id,
        actual_date=cmd.actual_date,
        today=facility_today(site.row.state, now),
        occurred_at=now,
    )
    await site.know(uow, {p.location_id for p in after})
    await uow.cultivation.save_plants(after)
    await uow.cultivation.write_events(
        plant_events(before, after, caller, site.row, site.places, cmd.actual_date)
    )
    return after
