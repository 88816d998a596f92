import { Link } from "react-router";

import type { Schemas } from "../api/client";
import { ApiError } from "../api/errors";
import { EmptyState, ErrorState } from "../ui/states";

export const PHASE_LABELS: Record<Schemas["GrowthPhase"], string> = { Vegetative: "Vegetative", Flowering: "Flowering" };
export const PLANT_STATE_LABELS: Record<Schemas["PlantState"], string> = { TRACKED: "Growing", HARVESTED: "Harvested", DESTROYED: "Destroyed" };
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

/** A detail page whose record failed to load: not found (a wrong or old link) or an error. */
export function DetailError({ error, retry, what, back }: { error: unknown; retry: () => void; what: string; back: string }) {
  if (error instanceof ApiError && error.isNotFound)
    return (
      <EmptyState title={`This ${what} does not exist`} testId="not-found">
        <p>
          It may have been removed, or the link is wrong. <Link to={back}>Back to the list</Link>
        </p>
      </EmptyState>
    );
  return <ErrorState error={error} onRetry={retry} title={`The ${what} could not be loaded`} />;
}
