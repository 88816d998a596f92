import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId } from "react";
import { Link } from "react-router";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { messageOf } from "../api/errors";
import { useAuth } from "../auth/AuthProvider";
import { formatDateTime, formatQty } from "../ui/decimal";
import { EmptyState, ErrorState } from "../ui/states";
import { useToast } from "../ui/toast";
import { NotificationList } from "./Notifications";
import { KeyStatusBadge, SubmissionStateBadge } from "./parts";
import { AsOf, LastPulls, OpenRuns, RateBudget, SYNC_HEALTH_OPERATION, useSyncHealth } from "./SyncHealth";

/**
 * Compliance > Sync dashboard: each license's health (keys, queue, stopped writes, the oldest
 * wait), its pulls from Metrc (the GET budget of the last minute, each type's last pull and last
 * failure with the guide's guidance, stale types, open runs), the pushes Metrc refused or that
 * failed, with the guide's guidance and Retry / Dismiss, and the compliance team's notifications.
 */
export default function SyncDashboardPage() {
  const { can } = useAuth();
  const health = useQuery({ queryKey: ["compliance", "health"], queryFn: () => unwrap(api.GET("/api/v1/compliance/health")), refetchInterval: 15_000 });
  return (
    <div className="compliance">
      <div className="page-header">
        <h1>Sync dashboard</h1>
        <div className="page-actions">
          {can("POST /api/v1/compliance/sync") && (
            <Link className="button button-primary" to="/compliance/sync-metrc">
              Sync with Metrc
            </Link>
          )}
          <Link className="button" to="/compliance/sync-log">
            Sync log
          </Link>
        </div>
      </div>
      <section aria-labelledby="health-title">
        <h2 id="health-title">Health per license</h2>
        {health.isPending ? (
          <p className="muted">Loading…</p>
        ) : health.isError ? (
          <ErrorState error={health.error} onRetry={() => void health.refetch()} title="Sync health could not be loaded" />
        ) : health.data.length === 0 ? (
          <EmptyState title="No license syncs with Metrc yet" testId="health-empty">
            <p>Add a license's Metrc keys and its site's jurisdiction rules to start.</p>
          </EmptyState>
        ) : (
          <HealthTable rows={health.data} />
        )}
      </section>
      {health.isSuccess && health.data.length > 0 && can(SYNC_HEALTH_OPERATION) && (
        <section className="report-section" aria-labelledby="pulls-title" data-testid="pulls">
          <h2 id="pulls-title">Pulls from Metrc</h2>
          {health.data.map((h) => (
            <LicensePulls key={h.licenseNumber} licenseNumber={h.licenseNumber} />
          ))}
        </section>
      )}
      <Stopped />
      <Notifications />
    </div>
  );
}

function HealthTable({ rows }: { rows: Schemas["LicenseHealth"][] }) {
  return (
    <div className="table-scroll">
      <table className="grid compact" data-testid="health-table">
        <thead>
          <tr>
            <th scope="col">License</th>
            <th scope="col">Keys</th>
            <th scope="col">Checked</th>
            <th scope="col" className="numeric">Waiting</th>
            <th scope="col" className="numeric">Sending</th>
            <th scope="col" className="numeric">Stopped</th>
            <th scope="col">Oldest wait</th>
            <th scope="col" className="numeric">Open notices</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <tr key={h.licenseNumber} data-license={h.licenseNumber}>
              <th scope="row">{h.licenseNumber}</th>
              <td>
                <KeyStatusBadge status={h.keyStatus} />
              </td>
              <td>{h.validatedAt ? formatDateTime(h.validatedAt) : "Never"}</td>
              <td className="numeric">{h.waiting}</td>
              <td className="numeric">{h.inFlight}</td>
              <td className={`numeric${h.stopped > 0 ? " bad" : ""}`}>{h.stopped}</td>
              <td>{h.oldestWaitingSeconds === null || h.oldestWaitingSeconds === undefined ? "—" : `${Math.round(h.oldestWaitingSeconds / 60)} min`}</td>
              <td className="numeric">{h.openNotifications}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** One license's pull health: the GET budget, the syncs running, each type's last pull. */
function LicensePulls({ licenseNumber }: { licenseNumber: string }) {
  const { can } = useAuth();
  const health = useSyncHealth(licenseNumber);
  const title = useId();
  return (
    <section className="license-pulls" aria-labelledby={title} data-testid="license-pulls" data-license={licenseNumber}>
      <h3 id={title}>{licenseNumber}</h3>
      {health.isPending ? (
        <p className="muted">Loading…</p>
      ) : health.isError ? (
        <ErrorState error={health.error} onRetry={() => void health.refetch()} title={`The pulls of ${licenseNumber} could not be loaded`} />
      ) : (
        <>
          <RateBudget health={health.data} />
          <p>
            Syncs running: <OpenRuns health={health.data} />
          </p>
          <LastPulls
            health={health.data}
            empty={
              <p className="muted" data-testid="pulls-empty">
                Nothing was pulled from Metrc for {licenseNumber} yet.{" "}
                {can("POST /api/v1/compliance/sync") ? (
                  <>
                    Start with <Link to="/compliance/sync-metrc">Sync with Metrc</Link> (choose the license's site and the types).
                  </>
                ) : (
                  "Someone who may sync with Metrc can start one from Sync with Metrc."
                )}
              </p>
            }
          />
          <AsOf health={health.data} />
        </>
      )}
    </section>
  );
}

/** Rejected and failed pushes nobody settled yet: why (the guide's guidance), Retry, Dismiss. */
function Stopped() {
  const { can } = useAuth();
  const client = useQueryClient();
  const toast = useToast();
  const stopped = useQuery({
    queryKey: ["compliance", "submissions", "stopped"],
    queryFn: () => unwrap(api.GET("/api/v1/compliance/submissions", { params: { query: { state: ["REJECTED", "FAILED"], limit: 100 } } })),
  });
  const done = () => void client.invalidateQueries({ queryKey: ["compliance"] });
  const retry = useMutation({
    mutationFn: (s: Schemas["SubmissionView"]) =>
      unwrap(
        api.POST("/api/v1/compliance/licenses/{licenseNumber}/retry", {
          params: { path: { licenseNumber: s.licenseNumber } },
          headers: { "Idempotency-Key": idempotencyKey() },
          body: { submissionIds: [s.id] },
        }),
      ),
    onSuccess: (result) => {
      done();
      const again = result.submissions.find((s) => s.state === "REJECTED" || s.state === "FAILED");
      if (again) toast.error("Metrc refused it again", again.lastError?.message);
      else toast.success("Sent again");
    },
    onError: (error) => toast.error("The retry failed", messageOf(error)),
  });
  const dismiss = useMutation({
    mutationFn: (s: Schemas["SubmissionView"]) =>
      unwrap(
        api.POST("/api/v1/compliance/submissions/{submissionId}/dismiss", {
          params: { path: { submissionId: s.id } },
          headers: { "Idempotency-Key": idempotencyKey() },
        }),
      ),
    onSuccess: () => {
      done();
      toast.success("Dismissed", "Settled by hand; it will not be sent again.");
    },
    onError: (error) => toast.error("It could not be dismissed", messageOf(error)),
  });
  const open = (stopped.data?.items ?? []).filter((s) => !s.dismissedAt);
  return (
    <section className="report-section" aria-labelledby="stopped-title">
      <h2 id="stopped-title">Refused and failed pushes</h2>
      {stopped.isPending ? (
        <p className="muted">Loading…</p>
      ) : stopped.isError ? (
        <ErrorState error={stopped.error} onRetry={() => void stopped.refetch()} />
      ) : open.length === 0 ? (
        <p className="muted" data-testid="stopped-none">
          Nothing waits for a person.
        </p>
      ) : (
        <ul className="problem-list" data-testid="stopped">
          {open.map((s) => (
            <li key={s.id} className="problem" data-submission={s.id}>
              <div className="problem-head">
                <SubmissionStateBadge state={s.state} /> <strong>{s.kind}</strong> · {s.licenseNumber} · batch{" "}
                <Link to={`/inventory?batch=${s.batchId}`}>{s.batchId.slice(0, 8)}</Link>
                {s.quantity && <> · {formatQty(s.quantity)} {s.unit}</>} · {s.attempts} attempts, {s.manualRetries} retries
              </div>
              {s.lastError && (
                <>
                  <p className="problem-message">
                    <code>{s.lastError.code}</code> {s.lastError.message}
                  </p>
                  <p className="guidance">{s.lastError.guidance}</p>
                </>
              )}
              {can("POST /api/v1/compliance/licenses/{licenseNumber}/retry") && (
                <div className="inline">
                  <button type="button" className="button button-small" disabled={retry.isPending} onClick={() => retry.mutate(s)}>
                    Retry
                  </button>
                  <button type="button" className="button button-small" disabled={dismiss.isPending} onClick={() => dismiss.mutate(s)}>
                    Dismiss
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Notifications() {
  return (
    <section className="report-section" aria-labelledby="notifications-title">
      <h2 id="notifications-title">Notifications</h2>
      <NotificationList filter={{ limit: 50 }} empty="No notifications." />
      <p>
        <Link to="/compliance/notifications">All notifications</Link>
      </p>
    </section>
  );
}
