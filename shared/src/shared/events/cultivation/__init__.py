"""Integration events of cultivation in the inventory service, on ``inventory.cultivation.events``
keyed by plant batch id (plant batch events), plant id (a tracked plant's events) or harvest id
(harvest events).

Compliance mirrors each of them to Metrc exactly once without calling inventory back: every
event carries the record *after* the change (site and license, name, type, strain, counts,
location, the facility-local dates Metrc wants), the ledger rows it wrote, and what the Metrc
operation needs beyond that (the growth phase and tags, the waste, the plants' weights). One
event is one Metrc operation:

================================================ =========================================
``inventory.plant_batch.planted``                ``POST /plantbatches/v2/plantings`` (from a
                                                 package: ``POST /packages/v2/plantings``)
``inventory.plant_batch.split``                  ``POST /plantbatches/v2/split`` (the new
                                                 batch comes with it; it gets no ``planted``)
``inventory.plant_batch.count_adjusted``         ``POST /plantbatches/v2/adjust``
``inventory.plant_batch.moved``                  ``PUT /plantbatches/v2/location``
``inventory.plant_batch.destroyed``              ``DELETE /plantbatches/v2/``
``inventory.plant_batch.growth_phase_changed``   ``POST /plantbatches/v2/growthphase``
``inventory.plant.growth_phase_changed``         ``PUT /plants/v2/growthphase`` (one tracked
                                                 plant, keyed by its id)
``inventory.harvest.created``                    ``PUT /plants/v2/harvest`` per plant (or
                                                 ``POST /plants/v2/manicure`` when partial),
                                                 then ``POST /harvests/v2/waste`` for its waste
``inventory.harvest.waste_recorded``             ``POST /harvests/v2/waste``
``inventory.harvest.packaged``                   none: each package is its batch's
                                                 ``inventory.batch.created`` (package source
                                                 HARVEST), which makes it in Metrc
``inventory.harvest.finished`` / ``unfinished``  ``PUT /harvests/v2/finish`` / ``unfinish``
================================================ =========================================

Dates (``*_date``) are the facility's local dates (ISO ``YYYY-MM-DD``); weights are decimal
strings in the harvest's (or waste's) unit; counts are whole plants.
"""

from shared.events.cultivation.harvests import (
    HarvestCreatedV1,
    HarvestedPlantInfo,
    HarvestEventBase,
    HarvestFinishedV1,
    HarvestMovementInfo,
    HarvestPackagedV1,
    HarvestPackageInfo,
    HarvestSnapshot,
    HarvestUnfinishedV1,
    HarvestWasteRecordedV1,
)
from shared.events.cultivation.plant_batches import (
    PlantBatchCountAdjustedV1,
    PlantBatchDestroyedV1,
    PlantBatchEventBase,
    PlantBatchGrowthPhaseChangedV1,
    PlantBatchMovedV1,
    PlantBatchPlantedV1,
    PlantBatchSnapshot,
    PlantBatchSplitV1,
    PlantGrowthPhaseChangedV1,
    PlantInfo,
    PlantMovementInfo,
    PlantSnapshot,
    PlantWasteInfo,
    SourcePackageInfo,
)

__all__ = [
    "HarvestCreatedV1",
    "HarvestEventBase",
    "HarvestFinishedV1",
    "HarvestMovementInfo",
    "HarvestPackageInfo",
    "HarvestPackagedV1",
    "HarvestSnapshot",
    "HarvestUnfinishedV1",
    "HarvestWasteRecordedV1",
    "HarvestedPlantInfo",
    "PlantBatchCountAdjustedV1",
    "PlantBatchDestroyedV1",
    "PlantBatchEventBase",
    "PlantBatchGrowthPhaseChangedV1",
    "PlantBatchMovedV1",
    "PlantBatchPlantedV1",
    "PlantBatchSnapshot",
    "PlantBatchSplitV1",
    "PlantGrowthPhaseChangedV1",
    "PlantInfo",
    "PlantMovementInfo",
    "PlantSnapshot",
    "PlantWasteInfo",
    "SourcePackageInfo",
]
