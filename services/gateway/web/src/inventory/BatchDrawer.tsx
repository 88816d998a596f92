import { Dialog } from "radix-ui";
import { useState } from "react";

import type { Schemas } from "../api/client";
import { ApiError } from "../api/errors";
import { useAuth } from "../auth/AuthProvider";
import { StatusBadge, StockStatusBadge } from "../ui/badges";
import { formatDateTime, formatMoney, formatQty, toUnits } from "../ui/decimal";
import { escapeCloses, mainArea, useReturnFocus } from "../ui/focus";
import { DrawerSkeleton, EmptyState, ErrorState } from "../ui/states";
import { AdjustDialog, HoldDialog, offeredTransitions, ReleaseReservationDialog, ReserveDialog, StatusDialog } from "./BatchDialogs";
import { QuarantineDialog } from "./QuarantineDialog";
import { useBatchDetail } from "./queries";
import { MetrcLink } from "../compliance/MetrcLink";

type Detail = Schemas["BatchDetail"];
/** Where part of the stock may be in quarantine while the batch is not QUARANTINED (a LIVE batch
 * keeps it through photography and holds); a QUARANTINED batch is released through its status. */
const PARTLY_QUARANTINABLE = new Set<string>(["LIVE", "PHOTOGRAPHY_COMPLETE", "ON_HOLD"]);

type Dialogs = "adjust" | "status" | "hold" | "release-hold" | "reserve" | "quarantine" | "release-quarantine" | null;

/** The batch detail drawer (a side sheet): quantities, costs, locations, reservations, ledger,
 * audit trail, and the actions the user may take on the batch. */
export function BatchDrawer({ batchId, onClose }: { batchId: string | null; onClose: () => void }) {
  const detail = useBatchDetail(batchId);
  // Back to the batch's row if the button that opened the drawer is gone (the list refetched).
  const focus = useReturnFocus(
    () => document.querySelector<HTMLElement>(`[data-batch-id="${batchId ?? ""}"] button`) ?? mainArea(),
  );
  return (
    <Dialog.Root open={batchId !== null} onOpenChange={(open) => !open && onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="overlay overlay-light" />
        <Dialog.Content
          className="drawer"
          data-testid="batch-drawer"
          aria-describedby={undefined}
          {...focus}
          onKeyDown={escapeCloses(onClose)}
        >
          <div className="drawer-header">
            <Dialog.Title className="drawer-title">
              {detail.data ? `Batch ${detail.data.batch.code}` : "Batch"}
            </Dialog.Title>
            <Dialog.Close className="button button-ghost" aria-label="Close the batch">
              ×
            </Dialog.Close>
          </div>
          {detail.isPending && batchId !== null && <DrawerSkeleton />}
          {detail.isError &&
            (detail.error instanceof ApiError && detail.error.isNotFound ? (
              <EmptyState title="Batch not found" testId="batch-not-found">
                <p>No batch {batchId} exists in the sites you can see.</p>
              </EmptyState>
            ) : (
              <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
            ))}
          {detail.data && <Loaded detail={detail.data} />}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

function Loaded({ detail }: { detail: Detail }) {
  const { can } = useAuth();
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [releasing, setReleasing] = useState<Schemas["Reservation"] | null>(null);
  const b = detail.batch;
  const closed = b.status === "CLOSED" || b.deletedAt !== null;
  const has = (value: string) => (toUnits(value) ?? 0n) > 0n;
  const actions: { key: Exclude<Dialogs, null>; label: string; show: boolean }[] = [
    { key: "adjust", label: "Adjust quantity", show: can("POST /api/v1/batches/{batchId}/adjustments") && !closed },
    { key: "status", label: "Change status", show: can("POST /api/v1/batches/{batchId}/status") && offeredTransitions(detail).length > 0 },
    { key: "hold", label: "Put on hold", show: can("POST /api/v1/batches/{batchId}/holds") && !closed && has(detail.availableQty) },
    { key: "release-hold", label: "Release hold", show: can("POST /api/v1/batches/{batchId}/holds/release") && has(b.holdQty) },
    { key: "reserve", label: "Reserve", show: can("POST /api/v1/batches/{batchId}/reservations") && !closed && has(detail.availableQty) },
    {
      key: "quarantine",
      label: "Quarantine part",
      show: can("POST /api/v1/batches/{batchId}/quarantine") && b.status === "LIVE" && has(detail.availableQty),
    },
    {
      key: "release-quarantine",
      label: "Release",
      show: can("POST /api/v1/batches/{batchId}/quarantine/release") && PARTLY_QUARANTINABLE.has(b.status) && has(b.quarantineQty),
    },
  ];
  const canRelease = can("POST /api/v1/batches/{batchId}/reservations/release");
  const open = (key: Dialogs) => (value: boolean) => setDialog(value ? key : null);

  return (
    <div className="drawer-body" data-testid="batch-detail">
      <p className="drawer-subtitle">
        {b.productName} · {b.sku} · <StatusBadge status={b.status} /> · version {b.version}
      </p>
      {actions.some((a) => a.show) && (
        <div className="drawer-actions" role="group" aria-label="Batch actions">
          {actions
            .filter((a) => a.show)
            .map((a) => (
              <button key={a.key} type="button" className="button" onClick={() => setDialog(a.key)}>
                {a.label}
              </button>
            ))}
        </div>
      )}

      <section className="drawer-section" aria-labelledby="quantities">
        <h3 id="quantities">Quantities ({b.unitOfMeasure})</h3>
        <dl className="quantities" data-testid="quantities">
          <Quantity label="On hand" value={b.onHandQty} />
          <Quantity label="Reserved" value={b.reservedQty} />
          <Quantity label="Quarantine" value={b.quarantineQty} />
          <Quantity label="On hold" value={b.holdQty} />
          <Quantity label="Defective" value={b.defectiveQty} />
          <Quantity label="Available" value={detail.availableQty} strong />
          <Quantity label="Physical" value={b.physicalQty} />
        </dl>
        <StockStatusBadge status={b.stockStatus} />
      </section>

      <section className="drawer-section" aria-labelledby="costs">
        <h3 id="costs">Costs and terms</h3>
        <dl className="pairs">
          <dt>Unit cost</dt>
          <dd>{b.cogsMode === "RANGE" ? `${formatMoney(b.unitCogsMin)} – ${formatMoney(b.unitCogsMax)} (range)` : formatMoney(b.unitCogs)}</dd>
          <dt>Price</dt>
          <dd>{formatMoney(b.ticket)}</dd>
          <dt>Payment terms</dt>
          <dd>{b.paymentTerms}</dd>
          <dt>Vendor · brand · lot</dt>
          <dd>
            {b.vendorName} · {b.brandName} · {b.lotCode}
          </dd>
          <dt>Category</dt>
          <dd>
            {b.category}
            {b.strain ? ` · ${b.strain}` : ""}
            {b.grade ? ` · grade ${b.grade}` : ""}
          </dd>
          <dt>Received</dt>
          <dd>
            {formatDateTime(b.createdAt)} ({b.ageDays} days)
          </dd>
        </dl>
      </section>

      <section className="drawer-section" aria-labelledby="locations">
        <h3 id="locations">Locations</h3>
        {Array.isArray(detail.locations) && detail.locations.length > 0 ? (
          <table className="grid compact">
            <thead>
              <tr>
                <th>Location</th>
                <th className="numeric">Quantity</th>
              </tr>
            </thead>
            <tbody>
              {detail.locations.map((l) => (
                <tr key={l.locationId}>
                  <td>{l.label}</td>
                  <td className="numeric">{formatQty(l.qty)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No stock at any location.</p>
        )}
      </section>

      <section className="drawer-section" aria-labelledby="reservations">
        <h3 id="reservations">Reservations</h3>
        {detail.reservations.length > 0 ? (
          <table className="grid compact">
            <thead>
              <tr>
                <th>For</th>
                <th className="numeric">Quantity</th>
                {canRelease && <th>Action</th>}
              </tr>
            </thead>
            <tbody>
              {detail.reservations.map((r) => (
                <tr key={`${r.referenceType}-${r.referenceId}`}>
                  <td>
                    {r.referenceType} {r.referenceId}
                  </td>
                  <td className="numeric">{formatQty(r.qty)}</td>
                  {canRelease && (
                    <td>
                      <button type="button" className="button button-small" onClick={() => setReleasing(r)}>
                        Release <span className="visually-hidden">{r.referenceId}</span>
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">Nothing reserved.</p>
        )}
      </section>

      <MetrcLink batchId={detail.batch.id} pkg={{ tag: detail.batch.packageTag, source: detail.batch.packageSource }} />

      <section className="drawer-section" aria-labelledby="movements">
        <h3 id="movements">Movements (newest first)</h3>
        {detail.movements.length > 0 ? (
          <table className="grid compact" data-testid="movements">
            <thead>
              <tr>
                <th>When</th>
                <th>Type</th>
                <th>Bucket</th>
                <th className="numeric">Change</th>
                <th className="numeric">After</th>
                <th>Reason</th>
                <th>By</th>
              </tr>
            </thead>
            <tbody>
              {detail.movements.map((m) => (
                <tr key={m.id}>
                  <td>{formatDateTime(m.occurredAt)}</td>
                  <td>{m.movementType}</td>
                  <td>{m.bucket}</td>
                  <td className="numeric">{formatQty(m.quantityChange)}</td>
                  <td className="numeric">{formatQty(m.quantityAfter)}</td>
                  <td>{[m.adjustmentReason, m.notes].filter(Boolean).join(": ")}</td>
                  <td title={m.performedBy}>{m.performedByName ?? m.performedBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">No movements.</p>
        )}
      </section>

      <section className="drawer-section" aria-labelledby="audit">
        <h3 id="audit">Audit trail</h3>
        {Array.isArray(detail.auditLogs) && detail.auditLogs.length > 0 ? (
          <ol className="audit" data-testid="audit-trail">
            {detail.auditLogs.map((a) => (
              <li key={a.id}>
                <strong>{a.action}</strong> by <span title={a.performedBy}>{a.performedByName ?? a.performedBy}</span>, {formatDateTime(a.occurredAt)} (version {a.version})
                {a.reason ? ` — ${a.reason}` : ""}
              </li>
            ))}
          </ol>
        ) : (
          <p className="muted">No audit entries.</p>
        )}
      </section>

      <AdjustDialog detail={detail} open={dialog === "adjust"} onOpenChange={open("adjust")} />
      <StatusDialog detail={detail} open={dialog === "status"} onOpenChange={open("status")} />
      <HoldDialog detail={detail} release={false} open={dialog === "hold"} onOpenChange={open("hold")} />
      <HoldDialog detail={detail} release open={dialog === "release-hold"} onOpenChange={open("release-hold")} />
      <ReserveDialog detail={detail} open={dialog === "reserve"} onOpenChange={open("reserve")} />
      <QuarantineDialog detail={detail} release={false} open={dialog === "quarantine"} onOpenChange={open("quarantine")} />
      <QuarantineDialog detail={detail} release open={dialog === "release-quarantine"} onOpenChange={open("release-quarantine")} />
      <ReleaseReservationDialog detail={detail} reservation={releasing} onOpenChange={(value) => !value && setReleasing(null)} />
    </div>
  );
}

function Quantity({ label, value, strong }: { label: string; value: string; strong?: boolean }) {
  return (
    <div className={strong ? "quantity quantity-strong" : "quantity"} data-testid={`qty-${label.toLowerCase().replace(/ /g, "-")}`}>
      <dt>{label}</dt>
      <dd>{formatQty(value)}</dd>
    </div>
  );
}
