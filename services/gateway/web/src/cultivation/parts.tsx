import type { Schemas } from "../api/client";

export const PHASE_LABELS: Record<Schemas["GrowthPhase"], string> = { Vegetative: "Vegetative", Flowering: "Flowering" };
export const PLANT_STATE_LABELS: Record<Schemas["PlantState"], string> = { TRACKED: "Growing", HARVESTED: "Harvested", DESTROYED: "Destroyed" };
export const SOURCE_LABELS: Record<Schemas["PlantingSourceKind"], string> = { SEEDS: "Seeds", CLONES: "Clones", PACKAGE: "A package", SPLIT: "Another plant batch" };
export const MOVEMENT_LABELS: Record<Schemas["PlantMovementType"], string> = {
  PLANTED: "Planted",
  SPLIT_OUT: "Split off",
  SPLIT_IN: "Split in",
  ADJUSTMENT: "Adjusted",
  MOVE: "Moved",
  DESTROYED: "Destroyed",
  GROWTH_PHASE: "Into growth",
};

export function HarvestStatusBadge({ status }: { status: Schemas["HarvestStatus"] }) {
  return <span className={`badge harvest-${status.toLowerCase()}`}>{status === "ACTIVE" ? "Active" : "Finished"}</span>;
}

export function PhaseBadge({ plant }: { plant: Schemas["Plant"] }) {
  if (plant.state !== "TRACKED") return <span className="badge">{PLANT_STATE_LABELS[plant.state]}</span>;
  return <span className={`badge phase-${plant.growthPhase.toLowerCase()}`}>{PHASE_LABELS[plant.growthPhase]}</span>;
}
