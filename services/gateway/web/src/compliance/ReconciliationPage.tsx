import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { messageOf } from "../api/errors";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { CsvButton } from "../reports/parts";
import { formatDateTime, formatQty } from "../ui/decimal";
import { Field } from "../ui/Field";
import { useUrlFilters } from "../ui/searchParams";
import { EmptyState, ErrorState, Loading, Skeleton } from "../ui/states";
import { useToast } from "../ui/toast";
import { WriteDialog } from "../ui/WriteDialog";

type Finding = Schemas["FindingView"];
const STATES: Schemas["FindingState"][] = ["OPEN", "APPLYING", "APPLIED", "REJECTED", "SETTLED"];
const CLASS_LABELS: Record<Schemas["FindingClass"], string> = {
  PENDING_PUSH: "Push pending",
  PUSH_FAILED: "Push failed",
  CHANGED_IN_METRC: "Changed in Metrc",
  QUANTITY_DIFFERS: "Quantity differs",
  MISSING_IN_METRC: "Missing in Metrc",
  MISSING_IN_CANOPY: "Missing in Canopy",
  UNIT_OR_ITEM_MISMATCH: "Unit or item mismatch",
  KEY_OR_PERMISSION: "Keys or permission",
  EQUAL_AND_OPPOSITE: "Equal and opposite",
};

/** Last day of the previous month, YYYY-MM-DD: the month-end a person most often wants. */
function lastMonthEnd(): string {
  const now = new Date();
  const end = new Date(now.getFullYear(), now.getMonth(), 0);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${end.getFullYear()}-${pad(end.getMonth() + 1)}-${pad(end.getDate())}`;
}

/**
 * Compliance > Reconciliation (the guide's scenario 3): a license's differences between Canopy
 * and Metrc, each with its evidence and proposed fix, approved (the fix applied) or rejected
 * (nothing changes); a run started by hand; the month-end report, shown and downloaded as CSV.
 */
export default function ReconciliationPage() {
  const { site } = useSites();
  const [params, set] = useUrlFilters();
  const license = params.get("license") ?? site?.licenseNumber ?? "";
  const state = (params.get("state") ?? "OPEN") as Schemas["FindingState"] | "";
  return (
    <div className="compliance">
      <div className="page-header">
        <h1>Reconciliation</h1>
        <span className="muted">Canopy and Metrc compared, each difference with its evidence and the fix proposed.</span>
      </div>
      <form className="toolbar" role="search" aria-label="Choose the findings" onSubmit={(e) => e.preventDefault()}>
        <label className="inline">
          License
          <input
            defaultValue={license}
            key={license}
            onBlur={(e) => set("license", e.target.value.trim())}
            onKeyDown={(e) => e.key === "Enter" && set("license", e.currentTarget.value.trim())}
            data-testid="reconcile-license"
          />
        </label>
        <label className="inline">
          State
          <select value={state} onChange={(e) => set("state", e.target.value)} data-testid="finding-state">
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
            <option value="ANY">Any</option>
          </select>
        </label>
      </form>
      {license ? (
        <>
          <Runs license={license} />
          <Findings license={license} state={state === ("ANY" as string) ? "" : state} />
          <MonthEnd license={license} />
        </>
      ) : (
        <EmptyState title="No license chosen" testId="no-license">
          <p>The site being worked in has no Metrc license: type one above.</p>
        </EmptyState>
      )}
    </div>
  );
}

function Runs({ license }: { license: string }) {
  const { can } = useAuth();
  const toast = useToast();
  const client = useQueryClient();
  const runs = useQuery({
    queryKey: ["compliance", "reconciliation", license, "runs"],
    queryFn: () => unwrap(api.GET("/api/v1/compliance/licenses/{licenseNumber}/reconciliation/runs", { params: { path: { licenseNumber: license } } })),
  });
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/compliance/licenses/{licenseNumber}/reconciliation", {
          params: { path: { licenseNumber: license }, header: { "Idempotency-Key": idempotencyKey() } },
        }),
      ),
    onSuccess: (started) => {
      toast.success("Reconciliation done", `${started.run.opened} new, ${started.run.settled} settled, ${started.findings.length} findings`);
      void client.invalidateQueries({ queryKey: ["compliance", "reconciliation", license] });
    },
    onError: (error) => toast.error("The reconciliation did not run", messageOf(error)),
  });
  const last = runs.data?.[0];
  return (
    <section className="report-section" aria-labelledby="runs-title">
      <div className="section-header">
        <h2 id="runs-title">Runs</h2>
        {can("POST /api/v1/compliance/licenses/{licenseNumber}/reconciliation") && (
          <button type="button" className="button button-primary" disabled={run.isPending} onClick={() => run.mutate()}>
            {run.isPending ? "Reconciling…" : "Reconcile now"}
          </button>
        )}
      </div>
      {runs.isPending ? (
        <p className="muted">Loading…</p>
      ) : runs.isError ? (
        <ErrorState error={runs.error} onRetry={() => void runs.refetch()} title="The runs could not be loaded" />
      ) : !last ? (
        <p className="muted" data-testid="no-runs">
          Not reconciled yet.
        </p>
      ) : (
        <p data-testid="last-run">
          Last run {formatDateTime(last.finishedAt)} by {last.actor}: {last.lots} batches and {last.packages} packages compared, {last.opened} findings opened,{" "}
          {last.settled} settled ({last.durationMs} ms).
        </p>
      )}
    </section>
  );
}

function Findings({ license, state }: { license: string; state: Schemas["FindingState"] | "" }) {
  const query = { limit: 100, ...(state ? { state: [state] } : {}) };
  const findings = useQuery({
    queryKey: ["compliance", "reconciliation", license, "findings", query],
    queryFn: () => unwrap(api.GET("/api/v1/compliance/licenses/{licenseNumber}/findings", { params: { path: { licenseNumber: license }, query } })),
  });
  const [deciding, setDeciding] = useState<{ finding: Finding; approve: boolean } | null>(null);
  const items = findings.data?.items ?? [];
  return (
    <section className="report-section" aria-labelledby="findings-title">
      <h2 id="findings-title">Findings</h2>
      {findings.isPending ? (
        <Loading label="Loading the findings">
          <Skeleton height="4rem" />
          <Skeleton height="4rem" />
        </Loading>
      ) : findings.isError ? (
        <ErrorState error={findings.error} onRetry={() => void findings.refetch()} title="The findings could not be loaded" />
      ) : items.length === 0 ? (
        <p className="muted" data-testid="findings-empty">
          {state === "OPEN" ? "Nothing to review: Canopy and Metrc agree (as of the last run)." : "No finding matches."}
        </p>
      ) : (
        <ul className="problem-list" data-testid="findings">
          {items.map((f) => (
            <FindingItem key={f.id} finding={f} decide={(approve) => setDeciding({ finding: f, approve })} />
          ))}
        </ul>
      )}
      {deciding && <DecideDialog finding={deciding.finding} approve={deciding.approve} onClose={() => setDeciding(null)} />}
    </section>
  );
}

function FindingItem({ finding: f, decide }: { finding: Finding; decide: (approve: boolean) => void }) {
  const { can } = useAuth();
  const open = f.state === "OPEN";
  return (
    <li className="problem" data-finding={f.id} data-class={f.findingClass} data-state={f.state}>
      <div className="problem-head">
        <span className={`badge finding-${f.state.toLowerCase()}`}>{f.state}</span> <strong>{CLASS_LABELS[f.findingClass]}</strong>
        {f.tags.length > 0 && (
          <>
            {" "}
            · <code>{f.tags.join(", ")}</code>
          </>
        )}{" "}
        · opened {formatDateTime(f.openedAt)}
      </div>
      <p className="problem-message">{f.message}</p>
      <dl className="figures">
        <dt>Canopy</dt>
        <dd data-testid="canopy-quantity">{f.canopyQuantity ? `${formatQty(f.canopyQuantity)} ${f.unit ?? ""}` : "—"}</dd>
        <dt>Metrc</dt>
        <dd data-testid="metrc-quantity">{f.metrcQuantity ? `${formatQty(f.metrcQuantity)} ${f.unit ?? ""}` : "no package"}</dd>
        <dt>Writes queued</dt>
        <dd>{f.pendingQuantity ? formatQty(f.pendingQuantity) : "—"}</dd>
      </dl>
      {f.evidence.length > 0 && (
        <ul className="plain-list">
          {f.evidence.map((e) => (
            <li key={e.key}>
              <span className="muted">{e.kind}:</span> {e.summary}
            </li>
          ))}
        </ul>
      )}
      <p className="guidance">
        Proposed fix: {f.fix.description}
        {!f.fix.applicable && " (nothing Canopy can apply: act as described)"}
      </p>
      {f.decidedAt && (
        <p className="muted">
          {f.state === "REJECTED" ? "Rejected" : "Approved"} by {f.decidedBy} {formatDateTime(f.decidedAt)}
          {f.decisionNote ? `: ${f.decisionNote}` : ""}
        </p>
      )}
      {f.error && (
        <p className="form-error" role="alert">
          The fix failed: {f.error}
        </p>
      )}
      {open && (
        <div className="drawer-actions">
          {can("POST /api/v1/compliance/findings/{findingId}/approve") && f.fix.applicable && (
            <button type="button" className="button button-primary" onClick={() => decide(true)}>
              Approve fix
            </button>
          )}
          {can("POST /api/v1/compliance/findings/{findingId}/reject") && (
            <button type="button" className="button" onClick={() => decide(false)}>
              Reject
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function DecideDialog({ finding, approve, onClose }: { finding: Finding; approve: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [note, setNote] = useState("");
  const [batchId, setBatchId] = useState("");
  const needsBatch = approve && finding.fix.kind === "LINK_PACKAGE" && !finding.fix.actions.some((a) => a.batchId);
  const refresh = () => void client.invalidateQueries({ queryKey: ["compliance"] });
  return (
    <WriteDialog<Finding>
      open
      onOpenChange={(open) => !open && onClose()}
      title={approve ? "Approve the fix" : "Reject the finding"}
      description={approve ? `${finding.fix.description}. Applied as you, and recorded with what it did.` : "Nothing changes on either side; the finding is closed as rejected."}
      noun="finding"
      invalid={needsBatch && !batchId.trim()}
      submitLabel={approve ? "Approve and apply" : "Reject finding"}
      success={(f) => (approve ? `Fix ${f.state === "APPLIED" || f.state === "SETTLED" ? "applied" : "approved"}` : "Finding rejected")}
      testId="decide-dialog"
      danger={!approve}
      write={(key) =>
        unwrap(
          approve
            ? api.POST("/api/v1/compliance/findings/{findingId}/approve", {
                params: { path: { findingId: finding.id }, header: { "Idempotency-Key": key } },
                body: { note: note.trim() || null, batchId: batchId.trim() || null },
              })
            : api.POST("/api/v1/compliance/findings/{findingId}/reject", {
                params: { path: { findingId: finding.id }, header: { "Idempotency-Key": key } },
                body: { note: note.trim() || null },
              }),
        )
      }
      onDone={refresh}
      reload={refresh}
    >
      {(errors) => (
        <>
          {needsBatch && (
            <Field label="Batch to link the package to" required error={errors.batchId} hint="The batch's id (from its drawer)">
              {(control) => <input {...control} value={batchId} onChange={(e) => setBatchId(e.target.value)} />}
            </Field>
          )}
          <Field label="Note" error={errors.note} hint="For the audit trail and the month-end report">
            {(control) => <textarea {...control} maxLength={1000} value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
        </>
      )}
    </WriteDialog>
  );
}

function MonthEnd({ license }: { license: string }) {
  const [asOf, setAsOf] = useState(lastMonthEnd());
  const report = useQuery({
    queryKey: ["compliance", "reconciliation", license, "report", asOf],
    queryFn: () => unwrap(api.GET("/api/v1/compliance/licenses/{licenseNumber}/reconciliation/report", { params: { path: { licenseNumber: license }, query: { asOf } } })),
    enabled: /^\d{4}-\d{2}-\d{2}$/.test(asOf),
  });
  return (
    <section className="report-section" aria-labelledby="month-end-title">
      <div className="section-header">
        <h2 id="month-end-title">Month-end report</h2>
        <div className="toolbar">
          <label className="inline">
            As of the end of
            <input type="date" value={asOf} onChange={(e) => setAsOf(e.target.value)} data-testid="month-end-date" />
          </label>
          <CsvButton
            label="Download month-end CSV"
            filename={() => `reconciliation-${license}-${asOf}.csv`}
            call={() =>
              api.GET("/api/v1/compliance/licenses/{licenseNumber}/reconciliation/report/export", {
                params: { path: { licenseNumber: license }, query: { asOf } },
                parseAs: "blob",
              })
            }
          />
        </div>
      </div>
      {report.isPending ? (
        <p className="muted">Loading…</p>
      ) : report.isError ? (
        <ErrorState error={report.error} onRetry={() => void report.refetch()} title="The report could not be loaded" />
      ) : (
        <>
          <p className="as-of muted">As of {formatDateTime(report.data.asOf)}</p>
          <ul className="chips" data-testid="month-end-totals">
            {Object.entries(report.data.totals).map(([state, count]) => (
              <li key={state} className="chip" data-state={state}>
                {state}: {count}
              </li>
            ))}
          </ul>
          {report.data.rows.length === 0 ? (
            <p className="muted" data-testid="month-end-empty">
              No finding up to that day.
            </p>
          ) : (
            <div className="table-scroll">
              <table className="grid compact" data-testid="month-end-rows">
                <thead>
                  <tr>
                    <th scope="col">Class</th>
                    <th scope="col">State</th>
                    <th scope="col">Tags</th>
                    <th scope="col" className="numeric">Canopy</th>
                    <th scope="col" className="numeric">Metrc</th>
                    <th scope="col">Fix</th>
                    <th scope="col">Approved by</th>
                  </tr>
                </thead>
                <tbody>
                  {report.data.rows.map((r) => (
                    <tr key={r.findingId} data-finding={r.findingId}>
                      <td>{r.class}</td>
                      <td>{r.state}</td>
                      <td>{r.tags}</td>
                      <td className="numeric">{r.canopyQuantity ? formatQty(r.canopyQuantity) : "—"}</td>
                      <td className="numeric">{r.metrcQuantity ? formatQty(r.metrcQuantity) : "—"}</td>
                      <td className="wrap">{r.fix}</td>
                      <td>{r.approvedBy || "—"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
