import { useState } from "react";
import { Link, useParams } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { useAuth } from "../auth/AuthProvider";
import { CsvButton } from "../reports/parts";
import { formatDateTime, formatMoney, formatQty, fromUnits, toUnits } from "../ui/decimal";
import { DetailState } from "../ui/states";
import { WriteDialog } from "../ui/WriteDialog";
import { ManifestDialog } from "./ManifestDialog";
import { LINE_LABELS, MetrcBadge, metrcGuidance, TransferStatusBadge } from "./parts";
import { useOutgoingTransfer, useRefreshTransfers, useTransferManifest } from "./queries";

const SETTLED: readonly Schemas["TransferStatus"][] = ["ACCEPTED", "PARTIALLY_ACCEPTED", "REJECTED"];

/** /transfers/outgoing/:id: one outgoing transfer, its packages, Metrc's side, and its actions
 * (those its state allows and the user may take). */
export default function TransferPage() {
  const { transferId = "" } = useParams();
  const { can } = useAuth();
  const transfer = useOutgoingTransfer(transferId);
  const refresh = useRefreshTransfers();
  const settled = transfer.data ? SETTLED.includes(transfer.data.status) : false;
  // Metrc's side moves on its own (the template made, the manifest registered): followed until
  // the transfer is settled or cancelled.
  const manifest = useTransferManifest(transferId, transfer.data !== undefined && !settled && transfer.data.status !== "CANCELLED");
  const [open, setOpen] = useState<"send" | "cancel" | "manifest" | null>(null);
  const [reason, setReason] = useState("");
  if (!transfer.isSuccess) return <DetailState query={transfer} what="transfer" back="/transfers/outgoing" />;
  const t = transfer.data;
  const created = t.status === "CREATED";
  const mayPrint = can("GET /api/v1/compliance/transfers/{transferId}/manifest.html");
  const number = manifest.data?.manifestNumber ?? t.manifestNumber ?? null;
  const dialog = (which: "send" | "cancel") => ({ open: open === which, onOpenChange: (next: boolean) => setOpen(next ? which : null) });
  const done = () => {
    refresh();
    void manifest.refetch();
  };
  return (
    <div className="transfers" data-testid="transfer" data-version={t.version} data-status={t.status}>
      <div className="page-header">
        <h1>Transfer to {t.destinationName}</h1>
        <TransferStatusBadge status={t.status} />
        <div className="page-actions">
          <Link className="button" to="/transfers/outgoing">
            All outgoing transfers
          </Link>
        </div>
      </div>
      <div className="drawer-actions" role="group" aria-label="Actions">
        {created && can("POST /api/v1/outgoing-transfers/{transferId}/send") && (
          <button type="button" className="button button-primary" onClick={() => setOpen("send")}>
            Send
          </button>
        )}
        {created && can("POST /api/v1/outgoing-transfers/{transferId}/cancel") && (
          <button type="button" className="button button-danger" onClick={() => setOpen("cancel")}>
            Cancel transfer
          </button>
        )}
        {mayPrint && t.status !== "CANCELLED" && (
          <>
            <button type="button" className="button" disabled={!number} aria-describedby={number ? undefined : "manifest-why"} onClick={() => setOpen("manifest")}>
              Print manifest
            </button>
            {number ? (
              <CsvButton
                label="Download manifest PDF"
                filename={() => `manifest-${number}.pdf`}
                call={() => api.GET("/api/v1/compliance/transfers/{transferId}/manifest.pdf", { params: { path: { transferId } }, parseAs: "blob" })}
              />
            ) : (
              <span className="muted" id="manifest-why" data-testid="manifest-why">
                No manifest yet (MANIFEST_NOT_REGISTERED): the template must be registered as a manifest in Metrc first.
              </span>
            )}
          </>
        )}
      </div>
      {SETTLED.includes(t.status) && <Settlement transfer={t} />}
      <section className="report-section" aria-labelledby="t-lines">
        <h2 id="t-lines">Packages</h2>
        <div className="table-scroll">
          <table className="grid compact" data-testid="transfer-lines">
            <thead>
              <tr>
                <th scope="col">Batch</th>
                <th scope="col">Package tag</th>
                <th scope="col">Product</th>
                <th scope="col" className="numeric">
                  Quantity
                </th>
                <th scope="col" className="numeric">
                  Wholesale price
                </th>
                <th scope="col">State</th>
                <th scope="col" className="numeric">
                  Received
                </th>
              </tr>
            </thead>
            <tbody>
              {t.lines.map((l) => (
                <tr key={l.batchId} data-tag={l.packageTag} data-state={l.state}>
                  <th scope="row">
                    <Link to={`/inventory?batch=${l.batchId}`}>{l.batchCode}</Link>
                  </th>
                  <td>
                    <code>{l.packageTag}</code>
                  </td>
                  <td>{l.productName}</td>
                  <td className="numeric" data-testid="line-quantity">
                    {formatQty(l.quantity)} {l.unit}
                  </td>
                  <td className="numeric">{formatMoney(l.wholesalePrice)}</td>
                  <td data-testid="line-state">{LINE_LABELS[l.state]}</td>
                  <td className="numeric">{l.receivedQuantity ? `${formatQty(l.receivedQuantity)} ${l.unit}` : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {can("GET /api/v1/compliance/transfers/{transferId}") && <MetrcSide manifest={manifest} status={t.status} />}
      <section className="drawer-section report-section" aria-labelledby="t-facts">
        <h2 id="t-facts">Shipment</h2>
        <dl className="pairs" data-testid="transfer-facts">
          <dt>Destination</dt>
          <dd>
            {t.destinationName} ({t.destinationLicenseNumber})
          </dd>
          <dt>Transfer type</dt>
          <dd>{t.transferType}</dd>
          <dt>Planned route</dt>
          <dd>{t.plannedRoute}</dd>
          <dt>Transporter</dt>
          <dd>{[t.transporterName, t.transporterLicenseNumber].filter(Boolean).join(", ")}</dd>
          <dt>Driver</dt>
          <dd>
            {t.driverName} (occupational license {t.driverOccupationalLicenseNumber}, driver's license {t.driverLicenseNumber}){t.phoneNumber ? `, ${t.phoneNumber}` : ""}
          </dd>
          <dt>Vehicle</dt>
          <dd>
            {t.vehicleMake} {t.vehicleModel}, plate {t.vehicleLicensePlate}
          </dd>
          <dt>Estimated departure</dt>
          <dd>{formatDateTime(t.estimatedDeparture)}</dd>
          <dt>Estimated arrival</dt>
          <dd>{formatDateTime(t.estimatedArrival)}</dd>
          <dt>Created</dt>
          <dd>{formatDateTime(t.createdAt)}</dd>
          <dt>Last change</dt>
          <dd>{formatDateTime(t.updatedAt)}</dd>
        </dl>
      </section>
      <WriteDialog
        {...dialog("send")}
        title="Send this transfer?"
        description={`The ${t.lines.length} ${t.lines.length === 1 ? "package leaves" : "packages leave"} the inventory (sold on this transfer). Metrc's manifest follows once the template is registered in Metrc.`}
        noun="transfer"
        invalid={false}
        submitLabel="Send transfer"
        success={`Transfer to ${t.destinationName} sent`}
        write={(key) =>
          unwrap(
            api.POST("/api/v1/outgoing-transfers/{transferId}/send", {
              params: { path: { transferId }, header: { "Idempotency-Key": key } },
              body: { version: t.version },
            }),
          )
        }
        onDone={done}
        reload={() => void transfer.refetch()}
        testId="send-dialog"
      >
        {() => null}
      </WriteDialog>
      <WriteDialog
        {...dialog("cancel")}
        title="Cancel this transfer?"
        description="Each package's reservation is released; compliance archives the Metrc template. This cannot be undone."
        noun="transfer"
        invalid={false}
        submitLabel="Cancel transfer"
        success={`Transfer to ${t.destinationName} cancelled`}
        write={(key) =>
          unwrap(
            api.POST("/api/v1/outgoing-transfers/{transferId}/cancel", {
              params: { path: { transferId }, header: { "Idempotency-Key": key } },
              body: { version: t.version, reason: reason.trim() || null },
            }),
          )
        }
        onDone={done}
        reload={() => void transfer.refetch()}
        testId="cancel-dialog"
        danger
      >
        {() => (
          <div className="field">
            <label htmlFor="cancel-reason">Reason (optional)</label>
            <textarea id="cancel-reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
        )}
      </WriteDialog>
      {number && <ManifestDialog transferId={transferId} manifestNumber={number} open={open === "manifest"} onOpenChange={(next) => setOpen(next ? "manifest" : null)} />}
    </div>
  );
}

function MetrcSide({ manifest, status }: { manifest: ReturnType<typeof useTransferManifest>; status: Schemas["TransferStatus"] }) {
  const m = manifest.isPending ? undefined : manifest.data;
  const guidance = metrcGuidance(m, status);
  return (
    <section className="report-section" aria-labelledby="t-metrc" data-testid="transfer-metrc">
      <h2 id="t-metrc">Metrc</h2>
      {manifest.isError ? (
        <p className="form-error" role="alert">
          Metrc's side could not be read.{" "}
          <button type="button" className="button button-small" onClick={() => void manifest.refetch()}>
            Retry
          </button>
        </p>
      ) : (
        <>
          <p>
            <MetrcBadge manifest={m} status={status} />
          </p>
          {m && (
            <dl className="pairs">
              <dt>Synced</dt>
              <dd data-testid="metrc-synced">{m.synced ? "Yes: Metrc has the template" : "No"}</dd>
              <dt>Template</dt>
              <dd data-testid="metrc-template">{m.metrcTemplateId ? `${m.metrcTemplateId} (${m.templateName})` : "—"}</dd>
              <dt>Manifest number</dt>
              <dd data-testid="metrc-manifest">{m.manifestNumber ?? "—"}</dd>
              <dt>License</dt>
              <dd>{m.licenseNumber}</dd>
              <dt>Attempts</dt>
              <dd data-testid="metrc-attempts">{m.attempts}</dd>
              <dt>Last error</dt>
              <dd data-testid="metrc-error">{m.lastError ?? "—"}</dd>
              <dt>Updated</dt>
              <dd>{formatDateTime(m.updatedAt)}</dd>
            </dl>
          )}
          {guidance && (
            <p className="guidance" data-testid="metrc-guidance">
              {guidance}
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** What the receiver did, as Metrc reported it: each rejected package's quantity came back. */
function Settlement({ transfer }: { transfer: Schemas["OutgoingTransfer"] }) {
  const accepted = transfer.lines.filter((l) => l.state === "ACCEPTED");
  const returned = transfer.lines.filter((l) => l.state === "REJECTED");
  const total = returned.reduce((sum, l) => sum + (toUnits(l.quantity) ?? 0n), 0n);
  const unit = returned[0]?.unit ?? "";
  const units = new Set(returned.map((l) => l.unit));
  const headline = {
    ACCEPTED: "Accepted: the receiver took every package",
    PARTIALLY_ACCEPTED: "Partially accepted",
    REJECTED: "Rejected: every package came back",
  }[transfer.status as "ACCEPTED" | "PARTIALLY_ACCEPTED" | "REJECTED"];
  return (
    <section className="report-section" aria-labelledby="t-settled" data-testid="settlement">
      <h2 id="t-settled">Settlement</h2>
      <p data-testid="settlement-headline">
        <strong>{headline}</strong> ({accepted.length} accepted, {returned.length} returned)
      </p>
      {returned.length > 0 && (
        <>
          <p>
            Returned to their batches{units.size === 1 ? `: ${formatQty(fromUnits(total))} ${unit} in all` : ""}.
          </p>
          <ul data-testid="returned">
            {returned.map((l) => (
              <li key={l.batchId}>
                {l.batchCode} (<code>{l.packageTag}</code>): {formatQty(l.quantity)} {l.unit}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
