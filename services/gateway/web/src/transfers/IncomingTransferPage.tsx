import { Link, useParams } from "react-router";

import type { Schemas } from "../api/client";
import { useAuth } from "../auth/AuthProvider";
import { formatDateTime, formatMoney, formatQty } from "../ui/decimal";
import { DetailState } from "../ui/states";
import { differsFromMetrc, IncomingStatusBadge, manifestName, MetrcStateBadge, ReceivedBadge } from "./incomingParts";
import { useIncomingTransfer } from "./queries";

/** /transfers/incoming/:id: one delivery to the site, Metrc's view of each package beside what
 * was received here, and *Receive* while it is not received (for those who may). */
export default function IncomingTransferPage() {
  const { transferId = "" } = useParams();
  const { can } = useAuth();
  const transfer = useIncomingTransfer(transferId);
  if (!transfer.isSuccess) return <DetailState query={transfer} what="incoming transfer" back="/transfers/incoming" />;
  const t = transfer.data;
  const received = t.status === "RECEIVED";
  return (
    <div className="transfers" data-testid="incoming-transfer" data-version={t.version} data-status={t.status}>
      <div className="page-header">
        <h1>
          {manifestName(t)} from {t.shipperName ?? t.shipperLicenseNumber ?? "an unknown shipper"}
        </h1>
        <IncomingStatusBadge status={t.status} />
        <div className="page-actions">
          <Link className="button" to="/transfers/incoming">
            All incoming transfers
          </Link>
        </div>
      </div>
      {!received && can("POST /api/v1/incoming-transfers/{transferId}/receive") && (
        <div className="drawer-actions" role="group" aria-label="Actions">
          <Link className="button button-primary" to={`/transfers/incoming/${t.id}/receive`}>
            Receive
          </Link>
        </div>
      )}
      {received && <Receipt transfer={t} />}
      <section className="report-section" aria-labelledby="i-packages">
        <h2 id="i-packages">Packages</h2>
        <div className="table-scroll">
          <table className="grid compact" data-testid="incoming-packages">
            <thead>
              <tr>
                <th scope="col">Package tag</th>
                <th scope="col">Item</th>
                <th scope="col" className="numeric">
                  Shipped
                </th>
                <th scope="col" className="numeric">
                  Shipper's price
                </th>
                <th scope="col">In Metrc</th>
                <th scope="col" className="numeric">
                  Received in Metrc
                </th>
                <th scope="col">Here</th>
                <th scope="col" className="numeric">
                  Received here
                </th>
                <th scope="col">Batch</th>
              </tr>
            </thead>
            <tbody>
              {t.packages.map((p) => {
                const differs = received ? differsFromMetrc(p) : null;
                return (
                  <tr key={p.packageTag} data-tag={p.packageTag} data-state={p.state}>
                    <th scope="row">
                      <code>{p.packageTag}</code>
                    </th>
                    <td>
                      {p.itemName ?? "—"}
                      {(p.itemCategory ?? p.itemStrain) && <span className="muted"> ({[p.itemCategory, p.itemStrain].filter(Boolean).join(", ")})</span>}
                    </td>
                    <td className="numeric" data-testid="shipped">
                      {formatQty(p.shippedQuantity)} {p.unit}
                    </td>
                    <td className="numeric">{formatMoney(p.wholesalePrice)}</td>
                    <td>
                      <MetrcStateBadge state={p.metrcState} />
                    </td>
                    <td className="numeric">{p.metrcReceivedQuantity ? `${formatQty(p.metrcReceivedQuantity)} ${p.unit}` : "—"}</td>
                    <td>
                      <ReceivedBadge state={p.state} />
                      {differs && (
                        <span className="field-error" data-testid="differs">
                          {" "}
                          {differs}
                        </span>
                      )}
                    </td>
                    <td className="numeric" data-testid="received-quantity">
                      {p.receivedQuantity ? `${formatQty(p.receivedQuantity)} ${p.unit}` : "—"}
                    </td>
                    <td>
                      {p.batchId ? (
                        <Link to={`/inventory?batch=${p.batchId}`}>
                          Open batch<span className="visually-hidden"> of package {p.packageTag}</span>
                        </Link>
                      ) : (
                        "—"
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </section>
      <section className="drawer-section report-section" aria-labelledby="i-facts">
        <h2 id="i-facts">Shipment</h2>
        <dl className="pairs" data-testid="incoming-facts">
          <dt>Shipper</dt>
          <dd>{[t.shipperName, t.shipperLicenseNumber].filter(Boolean).join(", ") || "—"}</dd>
          <dt>Manifest number</dt>
          <dd data-testid="manifest-number">{t.manifestNumber ?? "—"}</dd>
          <dt>Sent to</dt>
          <dd>{t.licenseNumber}</dd>
          <dt>Shipment type</dt>
          <dd>{t.shipmentType ?? "—"}</dd>
          <dt>Estimated arrival</dt>
          <dd>{t.estimatedArrival ? formatDateTime(t.estimatedArrival) : "—"}</dd>
          <dt>Received in Metrc</dt>
          <dd>{t.metrcReceivedAt ? formatDateTime(t.metrcReceivedAt) : "Not yet"}</dd>
          <dt>Metrc ids</dt>
          <dd>
            transfer {t.metrcTransferId}, delivery {t.deliveryId}
          </dd>
          <dt>First pulled</dt>
          <dd>{formatDateTime(t.createdAt)}</dd>
          <dt>Last change</dt>
          <dd>{formatDateTime(t.updatedAt)}</dd>
        </dl>
      </section>
    </div>
  );
}

/** What was received here: read-only once received (a transfer is received once; who received
 * it is in each batch's audit trail, by name). */
function Receipt({ transfer }: { transfer: Schemas["IncomingTransfer"] }) {
  const accepted = transfer.packages.filter((p) => p.state === "ACCEPTED").length;
  const rejected = transfer.packages.filter((p) => p.state === "REJECTED").length;
  return (
    <section className="report-section" aria-labelledby="i-receipt" data-testid="receipt">
      <h2 id="i-receipt">Received</h2>
      <p data-testid="receipt-headline">
        <strong>
          {accepted} {accepted === 1 ? "package" : "packages"} accepted, {rejected} rejected
        </strong>
        {transfer.receivedAt && ` on ${formatDateTime(transfer.receivedAt)}`}
        . Each accepted package is a batch awaiting intake, with the package's tag, the shipper as vendor and the manifest as lot; compliance links it to the
        package Metrc has here (no second package).
      </p>
    </section>
  );
}
