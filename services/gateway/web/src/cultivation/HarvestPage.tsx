import { useState } from "react";
import { Link, useParams } from "react-router";

import type { Schemas } from "../api/client";
import type { Operation } from "../api/permissions";
import { useAuth } from "../auth/AuthProvider";
import { formatDateTime, formatDay, formatQty } from "../ui/decimal";
import { DetailState } from "../ui/states";
import { FinishDialog, PackagesDialog, UnfinishDialog, WasteDialog, type HarvestAction } from "./HarvestDialogs";
import { HarvestStatusBadge } from "./parts";
import { useHarvest } from "./queries";

const MOVEMENT_LABELS: Record<Schemas["HarvestMovementType"], string> = { HARVESTED: "Harvested", WASTE: "Waste", PACKAGED: "Packaged" };

const ACTIONS: { action: HarvestAction; label: string; needs: Operation; when: (h: Schemas["Harvest"]) => boolean }[] = [
  { action: "packages", label: "Create packages", needs: "POST /api/v1/harvests/{harvestId}/packages", when: (h) => h.status === "ACTIVE" },
  { action: "waste", label: "Record waste", needs: "POST /api/v1/harvests/{harvestId}/waste", when: (h) => h.status === "ACTIVE" },
  { action: "finish", label: "Finish", needs: "POST /api/v1/harvests/{harvestId}/finish", when: (h) => h.status === "ACTIVE" },
  { action: "unfinish", label: "Unfinish", needs: "POST /api/v1/harvests/{harvestId}/unfinish", when: (h) => h.status === "FINISHED" },
];

/** /cultivation/harvests/:id: a harvest's weights, its actions (those the user may take in its
 * status), its plants and its ledger (each package a link to its batch). */
export default function HarvestPage() {
  const { harvestId = "" } = useParams();
  const { can } = useAuth();
  const detail = useHarvest(harvestId);
  const [open, setOpen] = useState<HarvestAction | null>(null);
  if (!detail.isSuccess) return <DetailState query={detail} what="harvest" back="/cultivation/harvests" />;
  const { harvest: h, movements, plants } = detail.data;
  const dialog = (action: HarvestAction) => ({ harvest: h, open: open === action, onOpenChange: (next: boolean) => setOpen(next ? action : null) });
  const unit = h.unitOfWeight;
  return (
    <div className="cultivation" data-testid="harvest" data-version={h.version}>
      <div className="page-header">
        <h1>Harvest {h.name}</h1>
        <HarvestStatusBadge status={h.status} />
        <span className="muted">
          {h.strains.join(", ")} · harvested {formatDay(h.harvestDate)}
          {h.finishedDate ? ` · finished ${formatDay(h.finishedDate)}` : ""}
        </span>
        <div className="page-actions">
          <Link className="button" to="/cultivation/harvests">
            All harvests
          </Link>
        </div>
      </div>
      <div className="drawer-actions" role="group" aria-label="Actions">
        {ACTIONS.filter((a) => can(a.needs) && a.when(h)).map((a) => (
          <button key={a.action} type="button" className={`button${a.action === "packages" ? " button-primary" : ""}`} onClick={() => setOpen(a.action)}>
            {a.label}
          </button>
        ))}
      </div>
      <dl className="stats" data-testid="harvest-weights">
        {(
          [
            ["Wet", h.wetWeight, "wet-weight"],
            ["Waste", h.wasteWeight, "waste-weight"],
            ["Packaged", h.packagedWeight, "packaged-weight"],
            ["Left", h.currentWeight, "current-weight"],
          ] as const
        ).map(([label, value, testId]) => (
          <div className="stat" key={label}>
            <dt>
              {label} ({unit})
            </dt>
            <dd data-testid={testId}>{formatQty(value)}</dd>
          </div>
        ))}
        <div className="stat">
          <dt>Plants</dt>
          <dd>{h.plantCount}</dd>
        </div>
      </dl>
      <section className="report-section" aria-labelledby="h-plants">
        <h2 id="h-plants">Plants</h2>
        {plants.length === 0 ? (
          <p className="muted">No plants.</p>
        ) : (
          <ul className="chips" data-testid="harvest-plant-tags">
            {plants.map((p) => (
              <li key={p.id} className="chip">
                <code>{p.tag}</code> <Link to={`/cultivation/plant-batches/${p.plantBatchId}`}>{p.plantBatchName}</Link>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="report-section" aria-labelledby="h-ledger">
        <h2 id="h-ledger">Ledger</h2>
        <div className="table-scroll">
          <table className="grid compact" data-testid="harvest-ledger">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Date</th>
                <th scope="col">What</th>
                <th scope="col" className="numeric">Change ({unit})</th>
                <th scope="col" className="numeric">Left after</th>
                <th scope="col">Of</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {movements.map((m) => (
                <tr key={m.id} data-type={m.type}>
                  <td>{formatDateTime(m.occurredAt)}</td>
                  <td>{formatDay(m.actualDate)}</td>
                  <td>
                    {MOVEMENT_LABELS[m.type]}
                    {m.wasteType ? ` (${m.wasteType})` : ""}
                  </td>
                  <td className="numeric">{formatQty(m.change)}</td>
                  <td className="numeric">{formatQty(m.after)}</td>
                  <td>
                    {m.batchId ? (
                      <Link to={`/inventory?batch=${m.batchId}`} data-testid="package-batch">
                        the package's batch
                      </Link>
                    ) : (
                      (plants.find((p) => p.id === m.plantId)?.tag ?? "—")
                    )}
                  </td>
                  <td>{m.performedByName ?? m.performedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <PackagesDialog {...dialog("packages")} />
      <WasteDialog {...dialog("waste")} />
      <FinishDialog {...dialog("finish")} />
      <UnfinishDialog {...dialog("unfinish")} />
    </div>
  );
}
