import { useState } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { formatQty, quantityProblem, toUnits } from "../ui/decimal";
import { Field } from "../ui/Field";
import { BatchWriteDialog, path } from "./BatchDialogs";

type Detail = Schemas["BatchDetail"];

/**
 * Partial quarantine: part of a LIVE batch's on-hand into the quarantine bucket ("Quarantine
 * part"), or part of the quarantine back to on-hand ("Release"). The status stays; a reason is
 * required both ways. Only unreserved, unheld on-hand can go, which is what is available.
 */
export function QuarantineDialog({
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
  const [reason, setReason] = useState("");
  const ceiling = release ? detail.batch.quarantineQty : detail.availableQty;
  const problem = quantity.trim() ? quantityProblem(quantity) : null;
  const over = !problem && quantity.trim() && (toUnits(quantity) ?? 0n) > (toUnits(ceiling) ?? 0n);
  const error = problem ?? (over ? `At most ${formatQty(ceiling)} ${release ? "is in quarantine" : "is available"}` : undefined);
  return (
    <BatchWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title={release ? "Release from quarantine" : "Quarantine part of the batch"}
      description={
        release
          ? `In quarantine now: ${formatQty(detail.batch.quarantineQty)}. The released quantity goes back to on hand.`
          : `Available now: ${formatQty(detail.availableQty)}. The batch stays LIVE; the quarantined part cannot be sold.`
      }
      detail={detail}
      invalid={!quantity.trim() || Boolean(error) || !reason.trim()}
      submitLabel={release ? "Release" : "Quarantine"}
      success={release ? `Released from quarantine on ${detail.batch.code}` : `Part of ${detail.batch.code} quarantined`}
      testId="quarantine-dialog"
      write={(version, key) =>
        unwrap(
          api.POST(release ? "/api/v1/batches/{batchId}/quarantine/release" : "/api/v1/batches/{batchId}/quarantine", {
            params: { ...path(detail), header: { "Idempotency-Key": key } },
            body: { quantity: quantity.trim(), reason: reason.trim(), version },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <Field label="Quantity" required error={error ?? errors.quantity} hint={detail.batch.unitOfMeasure}>
            {(control) => <input {...control} inputMode="decimal" value={quantity} onChange={(e) => setQuantity(e.target.value)} />}
          </Field>
          <Field label="Reason" required error={errors.reason}>
            {(control) => <textarea {...control} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />}
          </Field>
        </>
      )}
    </BatchWriteDialog>
  );
}
