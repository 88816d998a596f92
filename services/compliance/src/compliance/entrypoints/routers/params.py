"""Path parameters shared by the compliance routers."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Path

__all__ = ["BatchId", "LicenseNumber", "PlantBatchId", "SiteId", "SubmissionId"]

BatchId = Annotated[UUID, Path(alias="batchId")]
PlantBatchId = Annotated[UUID, Path(alias="plantBatchId")]
SiteId = Annotated[UUID, Path(alias="siteId")]
SubmissionId = Annotated[UUID, Path(alias="submissionId")]
LicenseNumber = Annotated[str, Path(alias="licenseNumber", min_length=1, max_length=64)]
