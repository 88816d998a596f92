import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { messageOf } from "../api/errors";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { ErrorState } from "../ui/states";
import { useToast } from "../ui/toast";
import { KeyStatusBadge } from "./parts";
import { AsOf, LastPulls, OpenRuns, RateBudget, SYNC_HEALTH_OPERATION, useSyncHealth } from "./SyncHealth";
import { SYNC_TYPE_LABELS, SyncRun } from "./SyncRun";

type SyncType = Schemas["SyncType"];
const SYNC_TYPES = Object.keys(SYNC_TYPE_LABELS) as SyncType[];
// The guide's manual sync: packages, plants and harvests.
const GUIDE_TYPES: SyncType[] = ["packages", "plants", "harvests"];

/**
 * Compliance > Sync with Metrc (the guide's manual sync): a site (its license) and the types to
 * pull; each run it starts or joins followed live, then its report; and the license's sync
 * health (keys, queue, Metrc's GET budget, each type's last complete pull).
 */
export default function SyncWithMetrcPage() {
  const { sites, site } = useSites();
  const toast = useToast();
  const [siteId, setSiteId] = useState<string | undefined>(undefined);
  const [types, setTypes] = useState<Set<SyncType>>(() => new Set(GUIDE_TYPES));
  const [runs, setRuns] = useState<Schemas["SyncRunView"][]>([]);
  const chosen = sites.find((s) => s.id === (siteId ?? site?.id));
  const start = useMutation({
    mutationFn: (body: Schemas["SyncRequest"]) =>
      unwrap(api.POST("/api/v1/compliance/sync", { body, headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: (started) => {
      const followed = [started.run, ...(started.joinedRuns ?? []).filter((r) => r.id !== started.run.id)];
      setRuns((before) => [...followed, ...before.filter((r) => !followed.some((f) => f.id === r.id))]);
      toast.success(started.joined ? "Joined the sync already running" : "Sync started", followed.length > 1 ? `${followed.length} runs` : undefined);
    },
    onError: (error) => toast.error("The sync could not start", messageOf(error)),
  });
  const submit = () => {
    if (chosen && types.size > 0) start.mutate({ siteId: chosen.id, syncTypes: SYNC_TYPES.filter((t) => types.has(t)) });
  };
  const toggle = (type: SyncType, on: boolean) =>
    setTypes((before) => {
      const next = new Set(before);
      if (on) next.add(type);
      else next.delete(type);
      return next;
    });

  return (
    <div className="compliance">
      <div className="page-header">
        <h1>Sync with Metrc</h1>
        <div className="page-actions">
          <Link className="button" to="/compliance/sync-log">
            Sync log
          </Link>
        </div>
      </div>
      <form className="form-card" onSubmit={(e) => {
          e.preventDefault();
          submit();
        }} data-testid="sync-form" aria-labelledby="sync-form-title">
        <h2 id="sync-form-title">What to pull from Metrc</h2>
        <label className="field">
          <span>Site (license)</span>
          <select value={chosen?.id ?? ""} onChange={(e) => setSiteId(e.target.value)} data-testid="sync-site">
            {sites.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.licenseNumber})
              </option>
            ))}
          </select>
        </label>
        <fieldset className="sync-types">
          <legend>Sync types</legend>
          <div className="checkbox-grid">
            {SYNC_TYPES.map((type) => (
              <label key={type} className="inline">
                <input type="checkbox" checked={types.has(type)} onChange={(e) => toggle(type, e.target.checked)} /> {SYNC_TYPE_LABELS[type]}
              </label>
            ))}
          </div>
        </fieldset>
        {types.size === 0 && <p className="field-error">Choose at least one type.</p>}
        <button type="submit" className="button button-primary" disabled={!chosen || types.size === 0 || start.isPending}>
          {start.isPending ? "Starting…" : "Start sync"}
        </button>
      </form>
      {runs.length > 0 && (
        <section className="report-section" aria-labelledby="runs-title" data-testid="sync-runs">
          <h2 id="runs-title">Runs</h2>
          {runs.map((run) => (
            <SyncRun key={run.id} initial={run} />
          ))}
        </section>
      )}
      {chosen && <SyncHealth licenseNumber={chosen.licenseNumber} />}
    </div>
  );
}

function minutes(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? "—" : `${Math.round(seconds / 60)} min`;
}

/** The license's sync health; license-wide, so it needs every site granted (said otherwise). */
function SyncHealth({ licenseNumber }: { licenseNumber: string }) {
  const { can } = useAuth();
  const health = useSyncHealth(licenseNumber);
  if (!can(SYNC_HEALTH_OPERATION)) return null;
  return (
    <section className="report-section" aria-labelledby="sync-health-title" data-testid="sync-health">
      <h2 id="sync-health-title">Sync health of {licenseNumber}</h2>
      {health.isPending ? (
        <p className="muted">Loading…</p>
      ) : health.isError ? (
        <ErrorState error={health.error} onRetry={() => void health.refetch()} title="Sync health could not be loaded" />
      ) : (
        <>
          <dl className="figures">
            <div>
              <dt>Keys</dt>
              <dd>
                <KeyStatusBadge status={health.data.keyStatus as Schemas["KeyStatus"]} />
                {health.data.keyExpiresInDays !== null && health.data.keyExpiresInDays !== undefined && <> (expire in {health.data.keyExpiresInDays} days)</>}
              </dd>
            </div>
            <div>
              <dt>Writes waiting / stopped</dt>
              <dd>
                {health.data.queueWaiting} / {health.data.queueStopped} (oldest {minutes(health.data.oldestWaitingSeconds)})
              </dd>
            </div>
            <div>
              <dt>Syncs running</dt>
              <dd>
                <OpenRuns health={health.data} />
              </dd>
            </div>
            <div>
              <dt>Problems</dt>
              <dd data-testid="health-problems">{health.data.problems.length > 0 ? health.data.problems.join(", ") : "None"}</dd>
            </div>
          </dl>
          <RateBudget health={health.data} />
          <LastPulls health={health.data} empty={<p className="muted" data-testid="pulls-empty">No pull from Metrc yet: choose the types above and start one.</p>} />
          <AsOf health={health.data} />
        </>
      )}
    </section>
  );
}
