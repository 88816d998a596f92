"""The Metrc adapter: the one piece of Canopy that talks to Metrc.

``MetrcClient`` (HTTP, ``client.py``) and ``FakeMetrc`` (in memory, ``fake.py``) both implement
``MetrcPort`` (``port.py``); errors are the tree in ``errors.py``; request and response models
are in ``payloads.py`` and ``schemas.py``, in Metrc's vocabulary.
"""

from typing import TYPE_CHECKING

from compliance.adapters.metrc._core import MetrcCredentials, metrc_base_url
from compliance.adapters.metrc._limiter import Clock, MetrcRateLimiter, RateLimits, SystemClock
from compliance.adapters.metrc._retry import RetryPolicy
from compliance.adapters.metrc.client import MetrcClient
from compliance.adapters.metrc.control import MetrcControl, SentTransfer
from compliance.adapters.metrc.endpoints import (
    HarvestStatus,
    PackageStatus,
    PlantBatchStatus,
    PlantStatus,
    TransferDirection,
)
from compliance.adapters.metrc.errors import (
    MetrcAuthError,
    MetrcError,
    MetrcNotFoundError,
    MetrcRateLimitedError,
    MetrcRejectedError,
    MetrcRequestTooLargeError,
    MetrcTransientError,
    MetrcUnexpectedResponseError,
    MetrcUnknownOutcomeError,
)
from compliance.adapters.metrc.fake import FakeFacility, FakeMetrc
from compliance.adapters.metrc.paging import (
    ListEndpoint,
    Page,
    ProgressCallback,
    PullBatch,
    PullProgress,
    Window,
    split_windows,
)
from compliance.adapters.metrc.payloads import (
    HarvestFinish,
    HarvestPackageCreate,
    HarvestPackageIngredient,
    HarvestUnfinish,
    HarvestWaste,
    PackageAdjust,
    PackageCreate,
    PackageFinish,
    PackageIngredient,
    PackageLocationChange,
    PackageUnfinish,
    PlantBatchDestroy,
    PlantBatchGrowthPhaseChange,
    PlantBatchPlanting,
    PlantGrowthPhaseChange,
    PlantHarvest,
    TransferDestination,
    TransferTemplateCreate,
    TransferTemplatePackage,
    TransferTemplateUpdate,
    TransferTransporter,
    TransferTransporterDetail,
)
from compliance.adapters.metrc.port import MetrcPort
from compliance.adapters.metrc.schemas import (
    Facility,
    FacilityLicense,
    FacilityType,
    Harvest,
    Item,
    ItemCategory,
    Location,
    Package,
    PackageAdjustment,
    PackageAdjustReason,
    Plant,
    PlantBatch,
    Strain,
    Tag,
    Transfer,
    TransferDelivery,
    TransferDeliveryPackage,
    TransferTemplateDelivery,
    TransferType,
    UnitOfMeasure,
    WriteResult,
)

__all__ = [
    "Clock",
    "Facility",
    "FacilityLicense",
    "FacilityType",
    "FakeFacility",
    "FakeMetrc",
    "Harvest",
    "HarvestFinish",
    "HarvestPackageCreate",
    "HarvestPackageIngredient",
    "HarvestStatus",
    "HarvestUnfinish",
    "HarvestWaste",
    "Item",
    "ItemCategory",
    "ListEndpoint",
    "Location",
    "MetrcAuthError",
    "MetrcClient",
    "MetrcControl",
    "MetrcCredentials",
    "MetrcError",
    "MetrcNotFoundError",
    "MetrcPort",
    "MetrcRateLimitedError",
    "MetrcRateLimiter",
    "MetrcRejectedError",
    "MetrcRequestTooLargeError",
    "MetrcTransientError",
    "MetrcUnexpectedResponseError",
    "MetrcUnknownOutcomeError",
    "Package",
    "PackageAdjust",
    "PackageAdjustReason",
    "PackageAdjustment",
    "PackageCreate",
    "PackageFinish",
    "PackageIngredient",
    "PackageLocationChange",
    "PackageStatus",
    "PackageUnfinish",
    "Page",
    "Plant",
    "PlantBatch",
    "PlantBatchDestroy",
    "PlantBatchGrowthPhaseChange",
    "PlantBatchPlanting",
    "PlantBatchStatus",
    "PlantGrowthPhaseChange",
    "PlantHarvest",
    "PlantStatus",
    "ProgressCallback",
    "PullBatch",
    "PullProgress",
    "RateLimits",
    "RetryPolicy",
    "SentTransfer",
    "Strain",
    "SystemClock",
    "Tag",
    "Transfer",
    "TransferDelivery",
    "TransferDeliveryPackage",
    "TransferDestination",
    "TransferDirection",
    "TransferTemplateCreate",
    "TransferTemplateDelivery",
    "TransferTemplatePackage",
    "TransferTemplateUpdate",
    "TransferTransporter",
    "TransferTransporterDetail",
    "TransferType",
    "UnitOfMeasure",
    "Window",
    "WriteResult",
    "metrc_base_url",
    "split_windows",
]

if TYPE_CHECKING:
    # mypy proves both implementations satisfy the port the service layer depends on.
    def _conforms(
        fake: FakeMetrc, client: MetrcClient
    ) -> tuple[MetrcPort, MetrcPort, MetrcControl]:
        return client, fake, fake
