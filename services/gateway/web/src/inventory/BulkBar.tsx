import { useMutation } from "@tanstack/react-query";
import { AlertDialog } from "radix-ui";
import { useId, useState } from "react";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { messageOf } from "../api/errors";
import { useAuth } from "../auth/AuthProvider";
import { STATUS_LABELS } from "../ui/badges";
import { Modal } from "../ui/Modal";
import { escapeCloses, mainArea, useReturnFocus } from "../ui/focus";
import { useToast } from "../ui/toast";
import { useRefreshBatches } from "./queries";

type Action = "status" | "delete";
type Result = Schemas["BulkStatusResult"] | Schemas["BulkDeleteResult"];

/**
 * The bulk action bar: change the status of, or delete, the selected batches, after a
 * confirmation; each batch is validated on its own and the answer lists what happened to each.
 */
export function BulkBar({
  selected,
  codes,
  onDone,
  onClear,
}: {
  selected: string[];
  codes: Record<string, string>;
  /** Called with the ids that failed (they stay selected); the rest are cleared (UI-004). */
  onDone: (failed: string[]) => void;
  onClear: () => void;
}) {
  const { can } = useAuth();
  const toast = useToast();
  const refresh = useRefreshBatches();
  const [action, setAction] = useState<Action | null>(null);
  const [status, setStatus] = useState<Schemas["BatchStatus"]>("ON_HOLD");
  const [reason, setReason] = useState("");
  const [result, setResult] = useState<{ action: Action; answer: Result } | null>(null);
  const statusId = useId();
  const focus = useReturnFocus(mainArea);
  const reasonId = useId();

  const run = useMutation({
    mutationFn: async ({ kind, key }: { kind: Action; key: string }): Promise<Result> => {
      const headers = { "Idempotency-Key": key };
      const why = reason.trim();
      if (kind === "status") {
        return unwrap(
          api.POST("/api/v1/batches/bulk/status", { body: { batchIds: selected, status, reason: why }, params: { header: headers } }),
        );
      }
      return unwrap(api.POST("/api/v1/batches/bulk/delete", { body: { batchIds: selected, reason: why }, params: { header: headers } }));
    },
    onSuccess: (answer, { kind }) => {
      const failed = answer.results.filter((r) => r.outcome === "FAILED").map((r) => r.batchId);
      const done = "updated" in answer ? answer.updated : answer.deleted;
      const verb = kind === "status" ? "updated" : "deleted";
      if (failed.length === 0) toast.success(`${done} ${done === 1 ? "batch" : "batches"} ${verb}`);
      else toast.error(`${failed.length} of ${answer.results.length} batches failed`, `${done} ${verb}; see the results`);
      setAction(null);
      setReason("");
      setResult({ action: kind, answer });
      refresh();
      for (const r of answer.results) refresh(r.batchId);
      onDone(failed);
    },
    onError: (error) => toast.error("The bulk action failed", messageOf(error)),
  });

  const canStatus = can("POST /api/v1/batches/bulk/status");
  const canDelete = can("POST /api/v1/batches/bulk/delete");
  const count = selected.length;

  return (
    <>
      {count > 0 && (
        <div className="bulk-bar" role="region" aria-label="Bulk actions" data-testid="bulk-bar">
          <span>
            <strong>{count}</strong> {count === 1 ? "batch" : "batches"} selected
          </span>
          {canStatus && (
            <button type="button" className="button" onClick={() => setAction("status")}>
              Change status…
            </button>
          )}
          {canDelete && (
            <button type="button" className="button button-danger" onClick={() => setAction("delete")}>
              Delete…
            </button>
          )}
          <button type="button" className="button button-ghost" onClick={onClear}>
            Clear selection
          </button>
        </div>
      )}
      <AlertDialog.Root open={action !== null} onOpenChange={(open) => !open && setAction(null)}>
        <AlertDialog.Portal>
          <AlertDialog.Overlay className="overlay" />
          <AlertDialog.Content className="modal" data-testid="bulk-confirm" {...focus} onKeyDown={escapeCloses(() => setAction(null))}>
            <AlertDialog.Title className="modal-title">
              {action === "delete" ? `Delete ${count} ${count === 1 ? "batch" : "batches"}?` : `Change the status of ${count} ${count === 1 ? "batch" : "batches"}`}
            </AlertDialog.Title>
            <AlertDialog.Description className="modal-description">
              {action === "delete"
                ? "Only empty batches can be deleted (they are closed, never erased); the others are refused one by one."
                : "Each batch is checked on its own: a change its status does not allow is refused for that batch only."}
            </AlertDialog.Description>
            {action === "status" && (
              <div className="field">
                <label htmlFor={statusId}>New status</label>
                <select id={statusId} value={status} onChange={(e) => setStatus(e.target.value as Schemas["BatchStatus"])}>
                  {(Object.keys(STATUS_LABELS) as Schemas["BatchStatus"][]).map((s) => (
                    <option key={s} value={s}>
                      {STATUS_LABELS[s]}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <div className="field">
              <label htmlFor={reasonId}>
                Reason<span aria-hidden="true"> *</span>
              </label>
              <input id={reasonId} value={reason} required maxLength={500} onChange={(e) => setReason(e.target.value)} />
            </div>
            <div className="dialog-actions">
              <AlertDialog.Cancel className="button">Cancel</AlertDialog.Cancel>
              <button
                type="button"
                className={`button ${action === "delete" ? "button-danger" : "button-primary"}`}
                disabled={run.isPending || !reason.trim()}
                onClick={() => action && run.mutate({ kind: action, key: idempotencyKey() })}
              >
                {run.isPending ? "Saving…" : action === "delete" ? "Delete" : "Change status"}
              </button>
            </div>
          </AlertDialog.Content>
        </AlertDialog.Portal>
      </AlertDialog.Root>
      <Modal
        open={result !== null}
        onOpenChange={(open) => !open && setResult(null)}
        title={result?.action === "delete" ? "Bulk delete: results" : "Bulk status change: results"}
        testId="bulk-results"
      >
        {result && <Results answer={result.answer} codes={codes} />}
        <div className="dialog-actions">
          <button type="button" className="button button-primary" onClick={() => setResult(null)}>
            Close
          </button>
        </div>
      </Modal>
    </>
  );
}

function Results({ answer, codes }: { answer: Result; codes: Record<string, string> }) {
  return (
    <table className="grid compact" data-testid="bulk-results-table">
      <thead>
        <tr>
          <th>Batch</th>
          <th>Result</th>
          <th>Why</th>
        </tr>
      </thead>
      <tbody>
        {answer.results.map((r) => (
          <tr key={r.batchId} className={`outcome-${r.outcome.toLowerCase()}`}>
            <td>{codes[r.batchId] ?? r.batchId}</td>
            <td>{r.outcome}</td>
            <td>{(r.message ?? "").replace(r.batchId, codes[r.batchId] ?? r.batchId)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
