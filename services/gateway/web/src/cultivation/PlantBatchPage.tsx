import { useState } from "react";
import { Link, useParams } from "react-router";

import type { Operation } from "../api/permissions";
import { useAuth } from "../auth/AuthProvider";
import { formatDateTime, formatDay } from "../ui/decimal";
import { DetailState } from "../ui/states";
import { AdjustCountDialog, DestroyDialog, GrowthPhaseDialog, MoveDialog, SplitDialog, type PlantBatchAction } from "./PlantBatchDialogs";
import { MOVEMENT_LABELS, PhaseBadge, SOURCE_LABELS } from "./parts";
import { usePlantBatch, usePlantMovements, usePlants } from "./queries";

const ACTIONS: { action: PlantBatchAction; label: string; needs: Operation }[] = [
  { action: "growth", label: "Move into growth", needs: "POST /api/v1/plant-batches/{plantBatchId}/growth-phase" },
  { action: "adjust", label: "Adjust count", needs: "POST /api/v1/plant-batches/{plantBatchId}/adjustments" },
  { action: "move", label: "Move", needs: "POST /api/v1/plant-batches/{plantBatchId}/move" },
  { action: "split", label: "Split", needs: "POST /api/v1/plant-batches/{plantBatchId}/split" },
  { action: "destroy", label: "Destroy plants", needs: "POST /api/v1/plant-batches/{plantBatchId}/destroy" },
];

/** /cultivation/plant-batches/:id: one plant batch, its actions (those the user may take), its
 * tracked plants and its ledger. */
export default function PlantBatchPage() {
  const { plantBatchId = "" } = useParams();
  const { can } = useAuth();
  const batch = usePlantBatch(plantBatchId);
  const [open, setOpen] = useState<PlantBatchAction | null>(null);
  if (!batch.isSuccess) return <DetailState query={batch} what="plant batch" back="/cultivation/plant-batches" />;
  const b = batch.data;
  const dialog = (action: PlantBatchAction) => ({ batch: b, open: open === action, onOpenChange: (next: boolean) => setOpen(next ? action : null) });
  const empty = b.count === 0;
  return (
    <div className="cultivation" data-testid="plant-batch" data-version={b.version}>
      <div className="page-header">
        <h1>Plant batch {b.name}</h1>
        <span className="muted">
          {b.type} · {b.strain}
        </span>
        <div className="page-actions">
          <Link className="button" to="/cultivation/plant-batches">
            All plant batches
          </Link>
        </div>
      </div>
      <div className="drawer-actions" role="group" aria-label="Actions">
        {ACTIONS.filter((a) => can(a.needs)).map((a) => (
          <button key={a.action} type="button" className={`button${a.action === "destroy" ? " button-danger" : ""}`} disabled={empty} onClick={() => setOpen(a.action)}>
            {a.label}
          </button>
        ))}
        {can("POST /api/v1/harvests") && b.trackedCount > 0 && (
          <Link className="button" to={`/cultivation/harvests/new?plantBatch=${b.id}`}>
            Record harvest
          </Link>
        )}
      </div>
      {empty && <p className="notice">No plants are left in this batch to act on.</p>}
      <dl className="stats" data-testid="plant-batch-counts">
        <div className="stat">
          <dt>Plants</dt>
          <dd data-testid="count">{b.count}</dd>
        </div>
        <div className="stat">
          <dt>Into growth (tagged)</dt>
          <dd data-testid="tracked-count">{b.trackedCount}</dd>
        </div>
        <div className="stat">
          <dt>Destroyed</dt>
          <dd data-testid="destroyed-count">{b.destroyedCount}</dd>
        </div>
      </dl>
      <section className="drawer-section report-section" aria-labelledby="pb-facts">
        <h2 id="pb-facts">Facts</h2>
        <dl className="pairs">
          <dt>Location</dt>
          <dd data-testid="location">{b.locationLabel}</dd>
          <dt>Planted</dt>
          <dd>{formatDay(b.plantedDate)}</dd>
          <dt>Source</dt>
          <dd>
            {SOURCE_LABELS[b.source]}
            {b.parentPlantBatchId && (
              <>
                {" "}
                (<Link to={`/cultivation/plant-batches/${b.parentPlantBatchId}`}>split from its parent</Link>)
              </>
            )}
          </dd>
          <dt>Version</dt>
          <dd>{b.version}</dd>
        </dl>
      </section>
      <TrackedPlants siteId={b.siteId} plantBatchId={b.id} />
      <Ledger plantBatchId={b.id} />
      <AdjustCountDialog {...dialog("adjust")} />
      <MoveDialog {...dialog("move")} />
      <SplitDialog {...dialog("split")} />
      <DestroyDialog {...dialog("destroy")} />
      <GrowthPhaseDialog {...dialog("growth")} />
    </div>
  );
}

function TrackedPlants({ siteId, plantBatchId }: { siteId: string; plantBatchId: string }) {
  const plants = usePlants(siteId, { plantBatchId });
  const items = plants.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="report-section" aria-labelledby="pb-plants">
      <h2 id="pb-plants">Tracked plants</h2>
      {plants.isPending ? (
        <p className="muted">Loading…</p>
      ) : plants.isError ? (
        <p className="form-error" role="alert">
          The plants could not be loaded. <button type="button" className="button button-small" onClick={() => void plants.refetch()}>Retry</button>
        </p>
      ) : items.length === 0 ? (
        <p className="muted" data-testid="plants-empty">
          None yet: move plants into growth to tag them.
        </p>
      ) : (
        <>
          <div className="table-scroll">
            <table className="grid compact" data-testid="batch-plants">
              <thead>
                <tr>
                  <th scope="col">Tag</th>
                  <th scope="col">Phase</th>
                  <th scope="col">Flowering since</th>
                  <th scope="col">Harvested</th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.id} data-tag={p.tag}>
                    <td>
                      <code>{p.tag}</code>
                    </td>
                    <td>
                      <PhaseBadge plant={p} />
                    </td>
                    <td>{p.floweringDate ? formatDay(p.floweringDate) : "—"}</td>
                    <td>{p.harvestId ? <Link to={`/cultivation/harvests/${p.harvestId}`}>{p.harvestedDate ? formatDay(p.harvestedDate) : "Harvest"}</Link> : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            <Link to={`/cultivation/plants?plantBatch=${plantBatchId}`}>Change their growth phase on the Plants screen</Link>
          </p>
        </>
      )}
    </section>
  );
}

function Ledger({ plantBatchId }: { plantBatchId: string }) {
  const ledger = usePlantMovements(plantBatchId);
  const rows = ledger.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section className="report-section" aria-labelledby="pb-ledger">
      <h2 id="pb-ledger">Ledger</h2>
      {ledger.isPending ? (
        <p className="muted">Loading…</p>
      ) : ledger.isError ? (
        <p className="form-error" role="alert">
          The ledger could not be loaded. <button type="button" className="button button-small" onClick={() => void ledger.refetch()}>Retry</button>
        </p>
      ) : (
        <div className="table-scroll">
          <table className="grid compact" data-testid="plant-ledger">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Date</th>
                <th scope="col">What</th>
                <th scope="col" className="numeric">Change</th>
                <th scope="col" className="numeric">After</th>
                <th scope="col">Reason</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.id} data-type={m.type}>
                  <td>{formatDateTime(m.occurredAt)}</td>
                  <td>{formatDay(m.actualDate)}</td>
                  <td>{MOVEMENT_LABELS[m.type]}</td>
                  <td className="numeric">{m.change > 0 ? `+${m.change}` : m.change}</td>
                  <td className="numeric">{m.after}</td>
                  <td className="wrap">{[m.reason, m.notes].filter(Boolean).join(" — ") || "—"}</td>
                  <td>{m.performedByName ?? m.performedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {ledger.hasNextPage && (
        <button type="button" className="button" onClick={() => void ledger.fetchNextPage()}>
          More
        </button>
      )}
    </section>
  );
}
