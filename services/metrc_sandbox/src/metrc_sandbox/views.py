"""Records rendered the way Metrc's v2 responses show them (PascalCase, METRC.md section 4)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from metrc_sandbox import catalog
from metrc_sandbox.model import (
    Adjustment,
    Delivery,
    DeliveryPackage,
    Facility,
    Harvest,
    HarvestWaste,
    Item,
    Location,
    Package,
    Plant,
    PlantBatch,
    Strain,
    Tag,
    TemplateDestination,
    TransferTemplate,
)
from metrc_sandbox.store import SandboxState

Json = dict[str, Any]
# Metrc's "no date" value on transfer times.
NULL_DATE_TIME = "0001-01-01T00:00:00+00:00"


def stamp(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="microseconds")


def day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def facility_view(facility: Facility) -> Json:
    medical = "medical" in facility.license_type.casefold()
    return {
        "FacilityId": facility.id,
        "HireDate": day(facility.hire_date),
        "IsOwner": False,
        "IsManager": True,
        "IsFinancialContact": False,
        "Email": None,
        "Occupations": [],
        "Name": facility.name,
        "Alias": facility.name,
        "DisplayName": facility.name,
        "CredentialedDate": day(facility.hire_date),
        "SupportActivationDate": None,
        "SupportExpirationDate": None,
        "License": {
            "Number": facility.license_number,
            "EmployeeLicenseNumber": None,
            "StartDate": day(facility.hire_date),
            "EndDate": "2099-12-31",
            "LicenseType": facility.license_type,
        },
        "FacilityType": {
            "IsMedical": medical,
            "IsRetail": "retail" in facility.license_type.casefold(),
            "IsHemp": False,
            "CanGrowPlants": facility.can_grow_plants,
            "CanTagPlantBatches": facility.can_grow_plants,
            "CanTrackVegetativePlants": facility.can_grow_plants,
            "CanCreateOpeningBalancePackages": facility.can_create_opening_balance_packages,
            "CanCreateDerivedPackages": True,
            "CanAssignLocationsToPackages": True,
            "CanUpdateLocationsOnPackages": True,
            "CanTransferFromExternalFacilities": False,
            "CanTestPackages": False,
            "CanSellToConsumers": "retail" in facility.license_type.casefold(),
            "EnableExternalIdentifier": False,
        },
        "AllowTransferOfOnHoldPackages": False,
        "AllowTransferOfOnRecallPackages": False,
    }


def location_type_view(location_type: catalog.LocationType) -> Json:
    return {
        "Id": location_type.id,
        "Name": location_type.name,
        "ForPlantBatches": location_type.for_plant_batches,
        "ForPlants": location_type.for_plants,
        "ForHarvests": location_type.for_harvests,
        "ForPackages": location_type.for_packages,
    }


def location_view(location: Location) -> Json:
    location_type = catalog.location_type_named(location.location_type)
    assert location_type is not None
    return {
        "Id": location.id,
        "Name": location.name,
        "LocationTypeId": location_type.id,
        "LocationTypeName": location_type.name,
        "ForPlantBatches": location_type.for_plant_batches,
        "ForPlants": location_type.for_plants,
        "ForHarvests": location_type.for_harvests,
        "ForPackages": location_type.for_packages,
        "LastModified": stamp(location.last_modified),
    }


def category_view(category: catalog.ItemCategory) -> Json:
    return {
        "Name": category.name,
        "ProductCategoryType": category.product_category_type,
        "QuantityType": category.quantity_type,
        "RequiresStrain": category.requires_strain,
        "RequiresItemBrand": False,
        "RequiresAdministrationMethod": False,
        "RequiresUnitCbdPercent": False,
        "RequiresUnitThcPercent": False,
        "RequiresUnitWeight": False,
        "RequiresUnitVolume": False,
        "RequiresServingSize": False,
        "RequiresProductPhotos": 0,
        "CanContainSeeds": category.can_contain_seeds,
        "CanBeRemediated": True,
        "CanBeDecontaminated": False,
        "CanBeDestroyed": True,
        "LabTestBatchNames": [],
    }


def unit_view(unit: catalog.UnitOfMeasure) -> Json:
    return {
        "QuantityType": unit.quantity_type,
        "Name": unit.name,
        "Abbreviation": unit.abbreviation,
    }


def strain_view(strain: Strain, state: SandboxState) -> Json:
    used = any(item.strain_id == strain.id for item in state.items)
    indica, sativa = strain.indica_percentage, strain.sativa_percentage
    return {
        "Id": strain.id,
        "Name": strain.name,
        "TestingStatus": strain.testing_status,
        "ThcLevel": strain.thc_level,
        "CbdLevel": strain.cbd_level,
        "IndicaPercentage": indica,
        "SativaPercentage": sativa,
        "Genetics": f"{indica.normalize():f}% Indica / {sativa.normalize():f}% Sativa",
        "IsUsed": used,
        "LastModified": stamp(strain.last_modified),
    }


def item_view(item: Item, state: SandboxState, *, is_used: bool | None = None) -> Json:
    """``is_used`` may be passed by a caller that already knows, sparing a scan of all packages."""
    category = catalog.category_named(item.category)
    assert category is not None
    strain = state.strains.get(item.strain_id) if item.strain_id is not None else None
    return {
        "Id": item.id,
        "Name": item.name,
        "GlobalProductName": None,
        "GlobalProductNumber": None,
        "ProductCategoryName": category.name,
        "ProductCategoryType": category.product_category_type,
        "IsExpirationDateRequired": False,
        "HasExpirationDate": False,
        "IsSellByDateRequired": False,
        "HasSellByDate": False,
        "IsUseByDateRequired": False,
        "HasUseByDate": False,
        "QuantityType": category.quantity_type,
        "DefaultLabTestingState": "NotSubmitted",
        "UnitOfMeasureName": item.unit_of_measure,
        "ApprovalStatus": "Approved",
        "ApprovalStatusDateTime": stamp(item.last_modified),
        "StrainId": None if strain is None else strain.id,
        "StrainName": None if strain is None else strain.name,
        "ItemBrandId": 0,
        "ItemBrandName": item.brand,
        "AdministrationMethod": None,
        "UnitCbdPercent": None,
        "UnitThcPercent": None,
        "UnitWeight": None,
        "UnitWeightUnitOfMeasureName": None,
        "UnitVolume": None,
        "UnitVolumeUnitOfMeasureName": None,
        "ServingSize": None,
        "NumberOfDoses": None,
        "PublicIngredients": None,
        "Description": None,
        "Allergens": None,
        "ProductImages": [],
        "LabelImages": [],
        "PackagingImages": [],
        "ProductPDFDocuments": [],
        "IsUsed": (
            any(package.item_id == item.id for package in state.packages)
            if is_used is None
            else is_used
        ),
        "LabTestBatchNames": [],
        "LastModified": stamp(item.last_modified),
    }


def tag_view(tag: Tag, state: SandboxState) -> Json:
    facility = state.facility(tag.facility_id)
    medical = "medical" in facility.license_type.casefold()
    return {
        "Id": tag.id,
        "GroupTagTypeName": None,
        "TagTypeName": f"Cannabis{tag.kind}",
        "GroupTagTypeId": None,
        "TagTypeId": None,
        "TagInventoryTypeName": f"{'Medical' if medical else ''}{tag.kind}",
        "MaxGroupSize": 0,
        "FacilityId": tag.facility_id,
        "Label": tag.label,
    }


def package_view(package: Package, state: SandboxState) -> Json:
    item = state.items.get(package.item_id)
    assert item is not None
    unit = catalog.unit_named(package.unit_of_measure)
    location = state.locations.get(package.location_id) if package.location_id else None
    received_from = (
        state.facility(package.received_from_facility_id)
        if package.received_from_facility_id is not None
        else None
    )
    return {
        "Id": package.id,
        "Label": package.label,
        "ExternalId": None,
        "PackageType": package.package_type,
        "Quantity": package.quantity,
        "OriginalPackageQuantity": package.original_quantity,
        "UnitOfMeasureName": package.unit_of_measure,
        "UnitOfMeasureAbbreviation": None if unit is None else unit.abbreviation,
        "Item": item_view(item, state, is_used=True),
        "SourceHarvestCount": len(package.source_harvest_names),
        "SourcePackageCount": len(package.source_package_labels),
        "SourceProcessingJobCount": 0,
        "SourceHarvestNames": ", ".join(package.source_harvest_names) or None,
        "SourcePackageLabels": ", ".join(package.source_package_labels) or None,
        "LocationId": None if location is None else location.id,
        "LocationName": None if location is None else location.name,
        "LocationTypeName": None if location is None else location.location_type,
        "SublocationId": None,
        "SublocationName": None,
        "PatientLicenseNumber": package.patient_license_number,
        "Note": package.note,
        "PackagedDate": day(package.packaged_date),
        "ExpirationDate": day(package.expiration_date),
        "SellByDate": day(package.sell_by_date),
        "UseByDate": day(package.use_by_date),
        "InitialLabTestingState": "NotSubmitted",
        "LabTestingState": "NotSubmitted",
        "LabTestingStateDate": day(package.packaged_date),
        "IsProductionBatch": package.is_production_batch,
        "ProductionBatchNumber": package.production_batch_number,
        "IsTradeSample": package.is_trade_sample,
        "IsDonation": package.is_donation,
        "IsTestingSample": False,
        "ProductRequiresRemediation": package.product_requires_remediation,
        "ContainsRemediatedProduct": False,
        "IsOnHold": package.status == "onhold",
        "IsOnRecall": False,
        "IsFinished": package.status == "finished",
        "IsFinishedGood": package.is_finished_good,
        "FinishedDate": day(package.finished_date),
        "ArchivedDate": day(package.archived_date),
        "ReceivedDateTime": stamp(package.received_date_time),
        "ReceivedFromManifestNumber": package.received_from_manifest_number,
        "ReceivedFromFacilityLicenseNumber": (
            None if received_from is None else received_from.license_number
        ),
        "ReceivedFromFacilityName": None if received_from is None else received_from.name,
        "LastModified": stamp(package.last_modified),
    }


def adjustment_view(adjustment: Adjustment, state: SandboxState) -> Json:
    package = state.packages.get(adjustment.package_id)
    assert package is not None
    item = state.items.get(package.item_id)
    assert item is not None
    unit = catalog.unit_named(adjustment.unit_of_measure)
    return {
        "PackageId": package.id,
        "PackageLabel": package.label,
        "ItemName": item.name,
        "ItemCategoryName": item.category,
        "AdjustmentQuantity": adjustment.quantity,
        "AdjustmentUnitOfMeasureName": adjustment.unit_of_measure,
        "AdjustmentUnitOfMeasureAbbreviation": None if unit is None else unit.abbreviation,
        "AdjustmentReasonName": adjustment.reason,
        "AdjustmentNote": adjustment.note,
        "AdjustmentDate": stamp(
            datetime.combine(
                adjustment.adjustment_date, datetime.min.time(), adjustment.last_modified.tzinfo
            )
        ),
        "PackagedDate": day(package.packaged_date),
        "AdjustedByUserName": adjustment.user_name,
        "PackageLabTestResultExpirationDateTime": None,
    }


def reason_view(reason: catalog.AdjustReason) -> Json:
    return {
        "Name": reason.name,
        "RequiresNote": reason.requires_note,
        "RequiresWasteWeight": False,
        "RequiresImmatureWasteWeight": False,
        "RequiresMatureWasteWeight": False,
    }


def plant_batch_view(batch: PlantBatch, state: SandboxState) -> Json:
    location = state.locations.get(batch.location_id)
    strain = state.strains.get(batch.strain_id)
    type_id = next(tid for tid, name, _ in catalog.PLANT_BATCH_TYPES if name == batch.batch_type)
    return {
        "Id": batch.id,
        "Name": batch.name,
        "PlantBatchTypeId": type_id,
        "PlantBatchTypeName": batch.batch_type,
        "LocationId": None if location is None else location.id,
        "LocationName": None if location is None else location.name,
        "LocationTypeName": None if location is None else location.location_type,
        "SublocationId": None,
        "SublocationName": None,
        "StrainId": batch.strain_id,
        "StrainName": None if strain is None else strain.name,
        "PatientLicenseNumber": batch.patient_license_number,
        "UntrackedCount": batch.untracked_count,
        "TrackedCount": batch.tracked_count,
        "PackagedCount": batch.packaged_count,
        "DestroyedCount": batch.destroyed_count,
        "SourcePackageId": batch.source_package_id,
        "SourcePackageLabel": batch.source_package_label,
        "SourcePlantId": None,
        "SourcePlantLabel": None,
        "SourcePlantBatchIds": list(batch.source_plant_batch_ids),
        "SourcePlantBatchNames": _batch_names(batch.source_plant_batch_ids, state),
        "MultiPlantBatch": False,
        "PlantedDate": day(batch.planted_date),
        "IsOnHold": False,
        "IsOnInvestigation": False,
        "LastModified": stamp(batch.last_modified),
    }


def _batch_names(batch_ids: tuple[int, ...], state: SandboxState) -> str | None:
    batches = [state.plant_batches.get(batch_id) for batch_id in batch_ids]
    return ", ".join(b.name for b in batches if b is not None) or None


def plant_view(plant: Plant, state: SandboxState) -> Json:
    location = state.locations.get(plant.location_id)
    strain = state.strains.get(plant.strain_id)
    batch = state.plant_batches.get(plant.plant_batch_id)
    unit = (
        catalog.unit_named(plant.harvested_unit_of_weight)
        if plant.harvested_unit_of_weight
        else None
    )
    return {
        "Id": plant.id,
        "Label": plant.label,
        "State": plant.state,
        "GrowthPhase": plant.growth_phase,
        "PlantBatchId": plant.plant_batch_id,
        "PlantBatchName": None if batch is None else batch.name,
        "PlantBatchTypeName": None if batch is None else batch.batch_type,
        "StrainId": plant.strain_id,
        "StrainName": None if strain is None else strain.name,
        "LocationId": None if location is None else location.id,
        "LocationName": None if location is None else location.name,
        "LocationTypeName": None if location is None else location.location_type,
        "SublocationId": None,
        "SublocationName": None,
        "PatientLicenseNumber": None,
        "HarvestId": plant.harvest_id,
        "HarvestedUnitOfWeightName": plant.harvested_unit_of_weight,
        "HarvestedUnitOfWeightAbbreviation": None if unit is None else unit.abbreviation,
        "HarvestedWetWeight": plant.harvested_wet_weight,
        "HarvestCount": plant.harvest_count,
        "IsOnHold": False,
        "PlantedDate": day(plant.planted_date),
        "VegetativeDate": day(plant.vegetative_date),
        "FloweringDate": day(plant.flowering_date),
        "HarvestedDate": day(plant.harvested_date),
        "DestroyedDate": day(plant.destroyed_date),
        "DestroyedNote": plant.destroyed_note,
        "LastModified": stamp(plant.last_modified),
    }


def harvest_view(harvest: Harvest, state: SandboxState) -> Json:
    location = state.locations.get(harvest.drying_location_id)
    strains = [state.strains.get(strain_id) for strain_id in harvest.strain_ids]
    names = [strain.name for strain in strains if strain is not None]
    return {
        "Id": harvest.id,
        "Name": harvest.name,
        "HarvestType": harvest.harvest_type,
        "SourceStrainCount": len(names),
        "SourceStrainNames": ", ".join(names) or None,
        "Strains": [
            {"Id": sid, "Name": name} for sid, name in zip(harvest.strain_ids, names, strict=False)
        ],
        "DryingLocationId": harvest.drying_location_id,
        "DryingLocationName": None if location is None else location.name,
        "DryingLocationTypeName": None if location is None else location.location_type,
        "DryingSublocationId": None,
        "DryingSublocationName": None,
        "PatientLicenseNumber": None,
        "CurrentWeight": harvest.current_weight,
        "TotalWasteWeight": harvest.total_waste_weight,
        "PlantCount": harvest.plant_count,
        "TotalWetWeight": harvest.total_wet_weight,
        "TotalRestoredWeight": Decimal(0),
        "PackageCount": harvest.package_count,
        "TotalPackagedWeight": harvest.total_packaged_weight,
        "UnitOfWeightName": harvest.unit_of_weight,
        "LabTestingState": None,
        "LabTestingStateDate": None,
        "IsOnHold": False,
        "IsOnInvestigation": False,
        "HarvestStartDate": day(harvest.harvest_start_date),
        "FinishedDate": day(harvest.finished_date),
        "ArchivedDate": None,
        "LastModified": stamp(harvest.last_modified),
    }


def harvest_waste_view(waste: HarvestWaste) -> Json:
    return {
        "Id": waste.id,
        "HarvestId": waste.harvest_id,
        "WasteTypeName": waste.waste_type,
        "WasteWeight": waste.weight,
        "UnitOfWeightName": waste.unit_of_weight,
        "ActualDate": day(waste.actual_date),
    }


def transfer_type_view(transfer_type: catalog.TransferType) -> Json:
    return {
        "Name": transfer_type.name,
        "TransactionType": transfer_type.transaction_type,
        "ForLicensedShipments": transfer_type.for_licensed_shipments,
        "ForExternalIncomingShipments": transfer_type.for_external_incoming_shipments,
        "ForExternalOutgoingShipments": transfer_type.for_external_outgoing_shipments,
        "RequiresDestinationGrossWeight": False,
        "RequiresPackagesGrossWeight": False,
    }


def _shipment_header(
    state: SandboxState, facility_id: int, name: str, transport: dict[str, str | None]
) -> Json:
    shipper = state.facility(facility_id)
    return {
        "ShipmentLicenseType": 0,
        "ShipperFacilityLicenseNumber": shipper.license_number,
        "ShipperFacilityName": shipper.name,
        "Name": name,
        "TransporterFacilityLicenseNumber": transport.get("TransporterFacilityLicenseNumber"),
        "TransporterFacilityName": None,
        "DriverName": transport.get("DriverName"),
        "DriverOccupationalLicenseNumber": transport.get("DriverOccupationalLicenseNumber"),
        "DriverVehicleLicenseNumber": transport.get("DriverLicenseNumber"),
        "VehicleMake": transport.get("VehicleMake"),
        "VehicleModel": transport.get("VehicleModel"),
        "VehicleLicensePlateNumber": transport.get("VehicleLicensePlateNumber"),
    }


def template_view(template: TransferTemplate, state: SandboxState) -> Json:
    destinations = [state.template_destinations.get(i) for i in template.destination_ids]
    first = destinations[0] if destinations else None
    recipient = state.facility(first.recipient_facility_id) if first is not None else None
    package_count = sum(len(d.packages) for d in destinations if d is not None)
    return {
        "Id": template.id,
        "ManifestNumber": None,
        "InvoiceNumber": None if first is None else first.invoice_number,
        **_shipment_header(state, template.facility_id, template.name, template.transport),
        "DeliveryCount": len(destinations),
        "ReceivedDeliveryCount": 0,
        "PackageCount": package_count,
        "ReceivedPackageCount": 0,
        "ContainsPlantPackage": False,
        "ContainsProductPackage": package_count > 0,
        "ContainsTradeSample": False,
        "ContainsDonation": False,
        "ContainsTestingSample": False,
        "IsVoided": False,
        "CreatedDateTime": stamp(template.created_at),
        "CreatedByUserName": None,
        "LastModified": stamp(template.last_modified),
        "DeliveryId": None if first is None else first.id,
        "RecipientFacilityLicenseNumber": None if recipient is None else recipient.license_number,
        "RecipientFacilityName": None if recipient is None else recipient.name,
        "ShipmentTypeName": None if first is None else first.transfer_type,
        "ShipmentTransactionType": "Standard",
        "EstimatedDepartureDateTime": None if first is None else first.estimated_departure,
        "ActualDepartureDateTime": None,
        "EstimatedArrivalDateTime": None if first is None else first.estimated_arrival,
        "ActualArrivalDateTime": None,
        "OriginatingTemplateId": None,
    }


def template_delivery_view(destination: TemplateDestination, state: SandboxState) -> Json:
    recipient = state.facility(destination.recipient_facility_id)
    return {
        "Id": destination.id,
        "ManifestNumber": None,
        "DeliveryNumber": 0,
        "RecipientFacilityLicenseNumber": recipient.license_number,
        "RecipientFacilityName": recipient.name,
        "ShipmentTypeName": destination.transfer_type,
        "ShipmentTransactionType": "Standard",
        "InvoiceNumber": destination.invoice_number,
        "EstimatedDepartureDateTime": destination.estimated_departure,
        "ActualDepartureDateTime": None,
        "EstimatedArrivalDateTime": destination.estimated_arrival,
        "ActualArrivalDateTime": None,
        "PlannedRoute": destination.planned_route,
        "DeliveryPackageCount": len(destination.packages),
        "DeliveryReceivedPackageCount": 0,
        "ReceivedDateTime": None,
        "RejectedPackagesReturned": False,
        "TransferDestinationId": destination.id,
    }


def delivery_view(delivery: Delivery, state: SandboxState) -> Json:
    recipient = state.facility(delivery.recipient_facility_id)
    transfer = state.transfers.get(delivery.transfer_id)
    received = sum(1 for p in delivery.packages if p.state != "Shipped")
    return {
        "Id": delivery.id,
        "ManifestNumber": None if transfer is None else transfer.manifest_number,
        "DeliveryNumber": delivery.delivery_number,
        "RecipientFacilityLicenseNumber": recipient.license_number,
        "RecipientFacilityName": recipient.name,
        "ShipmentTypeName": delivery.transfer_type,
        "ShipmentTransactionType": "Standard",
        "InvoiceNumber": delivery.invoice_number,
        "EstimatedDepartureDateTime": delivery.estimated_departure,
        "ActualDepartureDateTime": stamp(delivery.actual_departure),
        "EstimatedArrivalDateTime": delivery.estimated_arrival,
        "ActualArrivalDateTime": stamp(delivery.received_date_time),
        "PlannedRoute": delivery.planned_route,
        "DeliveryPackageCount": len(delivery.packages),
        "DeliveryReceivedPackageCount": received,
        "ReceivedDateTime": stamp(delivery.received_date_time),
        "RejectedPackagesReturned": any(p.state == "Rejected" for p in delivery.packages),
        "LastModified": stamp(delivery.last_modified),
    }


def transfer_row_view(delivery: Delivery, state: SandboxState) -> Json:
    """A manifest as the incoming/outgoing lists show it: one row per delivery."""
    transfer = state.transfers.get(delivery.transfer_id)
    assert transfer is not None
    deliveries = [state.deliveries.get(i) for i in transfer.delivery_ids]
    all_packages = [p for d in deliveries if d is not None for p in d.packages]
    recipient = state.facility(delivery.recipient_facility_id)
    return {
        "Id": transfer.id,
        "ManifestNumber": transfer.manifest_number,
        "InvoiceNumber": delivery.invoice_number,
        **_shipment_header(state, transfer.facility_id, transfer.name, transfer.transport),
        "DeliveryCount": len(deliveries),
        "ReceivedDeliveryCount": sum(
            1 for d in deliveries if d is not None and d.received_date_time is not None
        ),
        "PackageCount": len(all_packages),
        "ReceivedPackageCount": sum(1 for p in all_packages if p.state != "Shipped"),
        "ContainsPlantPackage": False,
        "ContainsProductPackage": bool(all_packages),
        "ContainsTradeSample": False,
        "ContainsDonation": False,
        "ContainsTestingSample": False,
        "IsVoided": False,
        "CreatedDateTime": stamp(transfer.created_at),
        "CreatedByUserName": None,
        "LastModified": stamp(max(transfer.last_modified, delivery.last_modified)),
        "DeliveryId": delivery.id,
        "RecipientFacilityLicenseNumber": recipient.license_number,
        "RecipientFacilityName": recipient.name,
        "ShipmentTypeName": delivery.transfer_type,
        "ShipmentTransactionType": "Standard",
        "EstimatedDepartureDateTime": delivery.estimated_departure,
        "ActualDepartureDateTime": stamp(delivery.actual_departure),
        "EstimatedArrivalDateTime": delivery.estimated_arrival,
        "ActualArrivalDateTime": stamp(delivery.received_date_time),
        "DeliveryPackageCount": len(delivery.packages),
        "DeliveryReceivedPackageCount": sum(1 for p in delivery.packages if p.state != "Shipped"),
        "ReceivedDateTime": stamp(delivery.received_date_time),
        "EstimatedReturnDepartureDateTime": None,
        "ActualReturnDepartureDateTime": None,
        "EstimatedReturnArrivalDateTime": None,
        "ActualReturnArrivalDateTime": None,
        "OriginatingTemplateId": transfer.template_id,
    }


def delivery_package_view(
    package: Package,
    state: SandboxState,
    *,
    shipment_state: str,
    shipped: DeliveryPackage | None,
    wholesale_price: Decimal | None = None,
) -> Json:
    item = state.items.get(package.item_id)
    assert item is not None
    strain = state.strains.get(item.strain_id) if item.strain_id is not None else None
    return {
        "PackageId": package.id,
        "PackageLabel": package.label,
        "PackageType": package.package_type,
        "SourceHarvestNames": ", ".join(package.source_harvest_names) or None,
        "SourcePackageLabels": ", ".join(package.source_package_labels) or None,
        "ItemId": item.id,
        "ItemName": item.name,
        "ItemCategoryName": item.category,
        "ItemStrainName": None if strain is None else strain.name,
        "ItemBrandName": item.brand,
        "LabTestingState": "NotSubmitted",
        "ProductionBatchNumber": package.production_batch_number,
        "IsTradeSample": package.is_trade_sample,
        "IsDonation": package.is_donation,
        "IsTestingSample": False,
        "ProductRequiresRemediation": package.product_requires_remediation,
        "ContainsRemediatedProduct": False,
        "ShipmentPackageState": shipment_state,
        "ShippedQuantity": package.quantity if shipped is None else shipped.shipped_quantity,
        "ShippedUnitOfMeasureName": (
            package.unit_of_measure if shipped is None else shipped.shipped_unit_of_measure
        ),
        "ReceivedQuantity": None if shipped is None else shipped.received_quantity,
        "ReceivedUnitOfMeasureName": (
            None
            if shipped is None or shipped.received_quantity is None
            else shipped.shipped_unit_of_measure
        ),
        "ShipperWholesalePrice": wholesale_price if shipped is None else shipped.wholesale_price,
        "GrossWeight": None if shipped is None else shipped.gross_weight,
        "GrossUnitOfWeightName": None if shipped is None else shipped.gross_unit_of_weight,
        "PackagedDate": day(package.packaged_date),
        "ExpirationDate": day(package.expiration_date),
        "SellByDate": day(package.sell_by_date),
        "UseByDate": day(package.use_by_date),
        "ExternalId": None,
        "IsFinishedGood": package.is_finished_good,
    }
