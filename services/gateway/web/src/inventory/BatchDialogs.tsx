import { useState, type ReactNode } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { STATUS_LABELS } from "../ui/badges";
import { formatQty, fromUnits, quantityProblem, toUnits } from "../ui/decimal";
import { Field } from "../ui/Field";
import { WriteDialog } from "../ui/WriteDialog";
import { useRefreshBatches } from "./queries";

type Detail = Schemas["BatchDetail"];
type WriteResult = Schemas["BatchWriteResult"];

const REASONS: Schemas["AdjustmentReason"][] = [
  "COUNT_DISCREPANCY",
  "DAMAGED",
  "EXPIRED",
  "LOST",
  "THEFT",
  "QUALITY_ISSUE",
  "REWEIGH",
  "OTHER",
];
const REASON_LABELS: Record<Schemas["AdjustmentReason"], string> = {
  COUNT_DISCREPANCY: "Count discrepancy",
  DAMAGED: "Damaged",
  EXPIRED: "Expired",
  LOST: "Lost",
  THEFT: "Theft",
  QUALITY_ISSUE: "Quality issue",
  REWEIGH: "Reweigh",
  OTHER: "Other (explain in notes)",
};
const ADJUSTABLE: { bucket: Schemas["Bucket"]; spec: string; label: string; of: (b: Schemas["Batch"]) => string }[] = [
  { bucket: "ON_HAND", spec: "onHandQty", label: "On hand", of: (b) => b.onHandQty },
  { bucket: "QUARANTINE", spec: "quarantineQty", label: "Quarantine", of: (b) => b.quarantineQty },
  { bucket: "DEFECTIVE", spec: "defectiveQty", label: "Defective", of: (b) => b.defectiveQty },
];
const LIMIT = 1_000_000n * 10_000n;

/** A write to one batch in a dialog (ui/WriteDialog): with the batch's version, refetched after. */
export function BatchWriteDialog({
  detail,
  write,
  ...props
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  detail: Detail;
  invalid: boolean;
  submitLabel: string;
  success: string;
  write: (version: number, key: string) => Promise<WriteResult>;
  children: (errors: Record<string, string>) => ReactNode;
  testId: string;
}) {
  const refresh = useRefreshBatches();
  return (
    <WriteDialog
      {...props}
      noun="batch"
      write={(key) => write(detail.batch.version, key)}
      onDone={() => refresh(detail.batch.id)}
      reload={() => refresh(detail.batch.id)}
    />
  );
}

export const path = (detail: Detail) => ({ path: { batchId: detail.batch.id } });

export function AdjustDialog({ detail, open, onOpenChange }: { detail: Detail; open: boolean; onOpenChange: (open: boolean) => void }) {
  const [chosen, setChosen] = useState<Schemas["Bucket"]>("ON_HAND");
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState<Schemas["AdjustmentReason"] | "">("");
  const [notes, setNotes] = useState("");
  const bucket = ADJUSTABLE.find((b) => b.bucket === chosen) ?? ADJUSTABLE[0];
  const current = bucket ? bucket.of(detail.batch) : "0";

  // The spec's rules, checked as the person types (the API checks them again).
  let amountError: string | undefined;
  const units = toUnits(amount);
  if (amount.trim()) {
    if (units === null) amountError = "Enter a signed number with at most 4 decimal places, e.g. -2.5";
    else if (units === 0n) amountError = "The adjustment must not be zero";
    else if (units > LIMIT || units < -LIMIT) amountError = "Adjustment too large: keep it within ±1,000,000";
    else if ((toUnits(current) ?? 0n) + units < 0n)
      amountError = `Adjustment would result in negative inventory. Current ${bucket?.spec ?? "onHandQty"}: ${formatQty(current)}, adjustment: ${amount.trim()}`;
  }
  const notesError = reason === "OTHER" && !notes.trim() ? "Notes are required when the reason is Other" : undefined;
  const invalid = !amount.trim() || Boolean(amountError) || !reason || Boolean(notesError);

  return (
    <BatchWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Adjust quantity"
      description={`Batch ${detail.batch.code}: a signed correction, recorded in the ledger with its reason.`}
      detail={detail}
      invalid={invalid}
      submitLabel="Save adjustment"
      success={`Batch ${detail.batch.code} adjusted`}
      testId="adjust-dialog"
      write={(version, key) =>
        unwrap(
          api.POST("/api/v1/batches/{batchId}/adjustments", {
            params: { ...path(detail), header: { "Idempotency-Key": key } },
            body: { bucket: chosen, adjustment: amount.trim(), reason: reason || null, notes: notes.trim() || null, version },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <Field label="Bucket">
            {(control) => (
              <select {...control} value={chosen} onChange={(e) => setChosen(e.target.value as Schemas["Bucket"])}>
                {ADJUSTABLE.map((b) => (
                  <option key={b.bucket} value={b.bucket}>
                    {b.label} (now {formatQty(b.of(detail.batch))})
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Adjustment (+/-)" required error={amountError ?? errors.adjustment} hint={`${detail.batch.unitOfMeasure}; negative to remove`}>
            {(control) => <input {...control} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />}
          </Field>
          <Field label="Reason" required error={errors.reason}>
            {(control) => (
              <select {...control} value={reason} onChange={(e) => setReason(e.target.value as Schemas["AdjustmentReason"])}>
                <option value="">Choose a reason…</option>
                {REASONS.map((r) => (
                  <option key={r} value={r}>
                    {REASON_LABELS[r]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Notes" required={reason === "OTHER"} error={notesError ?? errors.notes}>
            {(control) => <textarea {...control} value={notes} maxLength={2000} onChange={(e) => setNotes(e.target.value)} />}
          </Field>
          {amount.trim() && units !== null && !amountError && (
            <p className="muted" data-testid="adjust-preview">
              {bucket?.label}: {formatQty(current)} → {formatQty(fromUnits((toUnits(current) ?? 0n) + units))}
            </p>
          )}
        </>
      )}
    </BatchWriteDialog>
  );
}

/**
 * The status changes the batch allows now: the status machine's edges (the API's
 * allowedTransitions), less those the inventory refuses for a batch that still holds stock
 * (selling out, and closing a batch that is not QUARANTINED or AWAITING_INTAKE: stock is never
 * written off silently; dispose of it first).
 */
export function offeredTransitions(detail: Detail): Schemas["BatchStatus"][] {
  const b = detail.batch;
  const empty = [b.physicalQty, b.reservedQty, b.holdQty].every((q) => (toUnits(q) ?? 0n) === 0n);
  return detail.allowedTransitions.filter(
    (s) => empty || !(s === "SOLD_OUT" || (s === "CLOSED" && b.status !== "QUARANTINED" && b.status !== "AWAITING_INTAKE")),
  );
}

export function StatusDialog({ detail, open, onOpenChange }: { detail: Detail; open: boolean; onOpenChange: (open: boolean) => void }) {
  const allowed = offeredTransitions(detail);
  const held = detail.allowedTransitions.length > allowed.length;
  const [status, setStatus] = useState<Schemas["BatchStatus"] | "">("");
  const [reason, setReason] = useState("");
  const chosen = status && allowed.includes(status) ? status : "";
  return (
    <BatchWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Change status"
      description={`Batch ${detail.batch.code} is ${STATUS_LABELS[detail.batch.status]}. Only the changes its status allows are offered.`}
      detail={detail}
      invalid={!chosen || !reason.trim()}
      submitLabel="Change status"
      success={`Batch ${detail.batch.code} is now ${chosen ? STATUS_LABELS[chosen] : ""}`}
      testId="status-dialog"
      write={(version, key) =>
        unwrap(
          api.POST("/api/v1/batches/{batchId}/status", {
            params: { ...path(detail), header: { "Idempotency-Key": key } },
            body: { status: chosen as Schemas["BatchStatus"], reason: reason.trim(), version },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <Field label="New status" required error={errors.status}>
            {(control) => (
              <select {...control} value={chosen} onChange={(e) => setStatus(e.target.value as Schemas["BatchStatus"])}>
                <option value="">Choose a status…</option>
                {allowed.map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABELS[s]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {held && <p className="hint">Selling out and closing need an empty batch: dispose of or adjust the stock first.</p>}
          {chosen === "QUARANTINED" && <p className="muted">All of on-hand moves into quarantine; reservations and holds are released.</p>}
          {chosen === "CLOSED" && detail.batch.status === "QUARANTINED" && (
            <p className="muted">What remains in quarantine is disposed of (a DISPOSAL movement).</p>
          )}
          {detail.batch.status === "QUARANTINED" && chosen === "LIVE" && <p className="muted">The quarantined quantity moves back to on hand.</p>}
          <Field label="Reason" required error={errors.reason} hint="Recorded in the audit trail">
            {(control) => <input {...control} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />}
          </Field>
        </>
      )}
    </BatchWriteDialog>
  );
}

export function HoldDialog({
  detail,
  release,
  open,
  onOpenChange,
}: {
  detail: Detail;
  release: boolean;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [quantity, setQuantity] = useState("");
  const [notes, setNotes] = useState("");
  const problem = quantity.trim() ? quantityProblem(quantity) : null;
  const ceiling = release ? detail.batch.holdQty : detail.availableQty;
  const over = !problem && quantity.trim() && (toUnits(quantity) ?? 0n) > (toUnits(ceiling) ?? 0n);
  const error = problem ?? (over ? `At most ${formatQty(ceiling)} ${release ? "is on hold" : "is available"}` : undefined);
  return (
    <BatchWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title={release ? "Release hold" : "Put on hold"}
      description={release ? `On hold now: ${formatQty(detail.batch.holdQty)}` : `Available now: ${formatQty(detail.availableQty)}`}
      detail={detail}
      invalid={!quantity.trim() || Boolean(error)}
      submitLabel={release ? "Release" : "Hold"}
      success={release ? `Hold released on ${detail.batch.code}` : `Stock of ${detail.batch.code} put on hold`}
      testId="hold-dialog"
      write={(version, key) =>
        unwrap(
          api.POST(release ? "/api/v1/batches/{batchId}/holds/release" : "/api/v1/batches/{batchId}/holds", {
            params: { ...path(detail), header: { "Idempotency-Key": key } },
            body: { quantity: quantity.trim(), notes: notes.trim() || null, version },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <Field label="Quantity" required error={error ?? errors.quantity}>
            {(control) => <input {...control} inputMode="decimal" value={quantity} onChange={(e) => setQuantity(e.target.value)} />}
          </Field>
          <Field label="Notes" error={errors.notes}>
            {(control) => <textarea {...control} value={notes} maxLength={2000} onChange={(e) => setNotes(e.target.value)} />}
          </Field>
        </>
      )}
    </BatchWriteDialog>
  );
}

export function ReserveDialog({ detail, open, onOpenChange }: { detail: Detail; open: boolean; onOpenChange: (open: boolean) => void }) {
  const [quantity, setQuantity] = useState("");
  const [referenceType, setReferenceType] = useState("ORDER");
  const [referenceId, setReferenceId] = useState("");
  const problem = quantity.trim() ? quantityProblem(quantity) : null;
  const over = !problem && quantity.trim() && (toUnits(quantity) ?? 0n) > (toUnits(detail.availableQty) ?? 0n);
  const error = problem ?? (over ? `At most ${formatQty(detail.availableQty)} is available` : undefined);
  return (
    <BatchWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Reserve stock"
      description={`Available now: ${formatQty(detail.availableQty)} ${detail.batch.unitOfMeasure}`}
      detail={detail}
      invalid={!quantity.trim() || Boolean(error) || !referenceType.trim() || !referenceId.trim()}
      submitLabel="Reserve"
      success={`Reserved on ${detail.batch.code} for ${referenceType} ${referenceId}`}
      testId="reserve-dialog"
      write={(version, key) =>
        unwrap(
          api.POST("/api/v1/batches/{batchId}/reservations", {
            params: { ...path(detail), header: { "Idempotency-Key": key } },
            body: { quantity: quantity.trim(), referenceType: referenceType.trim(), referenceId: referenceId.trim(), version },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <Field label="Quantity" required error={error ?? errors.quantity}>
            {(control) => <input {...control} inputMode="decimal" value={quantity} onChange={(e) => setQuantity(e.target.value)} />}
          </Field>
          <Field label="Reference type" required error={errors.referenceType} hint="What the stock is reserved for, e.g. ORDER">
            {(control) => <input {...control} value={referenceType} maxLength={50} onChange={(e) => setReferenceType(e.target.value)} />}
          </Field>
          <Field label="Reference" required error={errors.referenceId} hint="e.g. the order number">
            {(control) => <input {...control} value={referenceId} maxLength={100} onChange={(e) => setReferenceId(e.target.value)} />}
          </Field>
        </>
      )}
    </BatchWriteDialog>
  );
}

export function ReleaseReservationDialog({
  detail,
  reservation,
  onOpenChange,
}: {
  detail: Detail;
  reservation: Schemas["Reservation"] | null;
  onOpenChange: (open: boolean) => void;
}) {
  const [quantity, setQuantity] = useState("");
  const problem = quantity.trim() ? quantityProblem(quantity) : null;
  if (!reservation) return null;
  return (
    <BatchWriteDialog
      open
      onOpenChange={onOpenChange}
      title="Release reservation"
      description={`${reservation.referenceType} ${reservation.referenceId} holds ${formatQty(reservation.qty)}. Leave the quantity empty to release all of it.`}
      detail={detail}
      invalid={Boolean(problem)}
      submitLabel="Release"
      success={`Reservation ${reservation.referenceId} released`}
      testId="release-reservation-dialog"
      write={(version, key) =>
        unwrap(
          api.POST("/api/v1/batches/{batchId}/reservations/release", {
            params: { ...path(detail), header: { "Idempotency-Key": key } },
            body: {
              referenceType: reservation.referenceType,
              referenceId: reservation.referenceId,
              quantity: quantity.trim() || null,
              version,
            },
          }),
        )
      }
    >
      {(errors) => (
        <Field label="Quantity" error={problem ?? errors.quantity}>
          {(control) => <input {...control} inputMode="decimal" value={quantity} onChange={(e) => setQuantity(e.target.value)} />}
        </Field>
      )}
    </BatchWriteDialog>
  );
}
