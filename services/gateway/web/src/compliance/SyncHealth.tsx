import { useQuery } from "@tanstack/react-query";
import { useId, type ReactNode } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { useAuth } from "../auth/AuthProvider";
import { formatDateTime } from "../ui/decimal";
import { SYNC_TYPE_LABELS } from "./SyncRun";

type Health = Schemas["SyncHealthView"];

/** Share of Metrc's GETs per minute from which the budget is shown as near the limit (the
 * pull then waits for the limiter more than it reads). */
const NEAR_LIMIT = 0.8;

export const SYNC_HEALTH_OPERATION = "GET /api/v1/compliance/licenses/{licenseNumber}/sync-health";

/** One license's pull sync health (license-wide: the API wants every site granted and says so). */
export function useSyncHealth(licenseNumber: string) {
  const { can } = useAuth();
  return useQuery({
    queryKey: ["compliance", "sync-health", licenseNumber],
    queryFn: () => unwrap(api.GET("/api/v1/compliance/licenses/{licenseNumber}/sync-health", { params: { path: { licenseNumber } } })),
    enabled: can(SYNC_HEALTH_OPERATION),
    refetchInterval: 15_000,
    retry: false,
  });
}

/** True while no pull of the license ever finished or failed (nothing to show per type). */
export function neverPulled(health: Health): boolean {
  return health.runsOpen === 0 && health.types.every((t) => !t.lastSuccessAt && !t.lastFailedAt);
}

const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
];

/** "5 minutes ago", counted from the health's own as-of (the server's clock, not the browser's). */
function ago(iso: string, asOf: string): string {
  const seconds = Math.max(0, (Date.parse(asOf) - Date.parse(iso)) / 1000);
  for (const [unit, size] of STEPS) if (seconds >= size) return RELATIVE.format(-Math.floor(seconds / size), unit);
  return "just now";
}

/** A moment as both: how long ago and the local date and time. */
function Moment({ iso, asOf, testId }: { iso: string; asOf: string; testId?: string }) {
  return (
    <time dateTime={iso} data-testid={testId}>
      {ago(iso, asOf)} <span className="muted">({formatDateTime(iso)})</span>
    </time>
  );
}

function duration(seconds: number): string {
  return seconds < 3_600 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds / 360) / 10} h`;
}

/** Metrc's GET budget of the last minute: a meter with its numbers, the 429s, and a warning look
 * from NEAR_LIMIT on or after any 429. */
export function RateBudget({ health }: { health: Health }) {
  const label = useId();
  const allowed = health.getsAllowedPerMinute;
  const near = health.rateLimitBudgetUsed >= NEAR_LIMIT || health.rateLimitedLastMinute > 0;
  return (
    <div className={`rate-budget${near ? " near-limit" : ""}`} data-testid="rate-budget" data-near={near}>
      <span id={label} className="rate-budget-label">
        Metrc GETs, last minute
      </span>
      <meter aria-labelledby={label} min={0} max={Math.max(allowed, 1)} low={allowed * 0.5} high={allowed * NEAR_LIMIT} optimum={0} value={health.getsLastMinute} />
      <span>
        <span data-testid="budget-used">{health.getsLastMinute}</span> of <span data-testid="budget-allowed">{allowed}</span> allowed (
        {Math.round(health.rateLimitBudgetUsed * 100)} %), <span data-testid="budget-refused">{health.rateLimitedLastMinute}</span> refused with 429
      </span>
      {near && <span className="badge budget-warning">{health.rateLimitedLastMinute > 0 ? "Metrc is refusing GETs" : "Near Metrc's limit"}</span>}
    </div>
  );
}

/** Each sync type's last complete pull, the records held, its last failure with the guide's
 * guidance (as the sync log gives it), stale types marked. */
export function LastPulls({ health, empty }: { health: Health; empty: ReactNode }) {
  if (neverPulled(health)) return <>{empty}</>;
  const stale = new Set(health.staleTypes);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={`Last pulls of ${health.licenseNumber}`}>
      <table className="grid compact" data-testid="health-types">
        <caption className="visually-hidden">Last pulls per sync type</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col">Last complete pull</th>
            <th scope="col" className="numeric">
              Records held
            </th>
            <th scope="col">Last failure and what to do</th>
          </tr>
        </thead>
        <tbody>
          {health.types.map((t) => (
            <tr key={t.syncType} data-type={t.syncType} data-stale={stale.has(t.syncType)} className={stale.has(t.syncType) ? "stale" : undefined}>
              <th scope="row">
                {SYNC_TYPE_LABELS[t.syncType]}
                {stale.has(t.syncType) && (
                  <>
                    {" "}
                    <span className="badge pull-stale" data-testid="type-stale" title={`No complete pull within ${duration(health.staleAfterSeconds)}`}>
                      Stale
                    </span>
                  </>
                )}
              </th>
              <td>{t.lastSuccessAt ? <Moment iso={t.lastSuccessAt} asOf={health.asOf} testId="type-last-success" /> : <span data-testid="type-last-success">Never</span>}</td>
              <td className="numeric" data-testid="type-records">
                {t.records}
              </td>
              <td className="wrap" data-testid="type-last-failure">
                {t.lastFailedAt && t.lastErrorCode ? (
                  <>
                    <code>{t.lastErrorCode}</code> <Moment iso={t.lastFailedAt} asOf={health.asOf} />
                    {t.lastSuccessAt && Date.parse(t.lastSuccessAt) > Date.parse(t.lastFailedAt) && <span className="muted"> · pulled since</span>}
                    {t.lastErrorGuidance && <p className="guidance">{t.lastErrorGuidance}</p>}
                  </>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Syncs of the license running now and the oldest's age. */
export function OpenRuns({ health }: { health: Health }) {
  return (
    <span data-testid="health-runs-open" data-count={health.runsOpen}>
      {health.runsOpen === 0 ? "None" : `${health.runsOpen}${health.oldestOpenRunSeconds ? `, the oldest for ${duration(health.oldestOpenRunSeconds)}` : ""}`}
    </span>
  );
}

export function AsOf({ health }: { health: Health }) {
  return (
    <p className="muted">
      As of <time dateTime={health.asOf}>{formatDateTime(health.asOf)}</time>; a type is stale when its last complete pull is older than {duration(health.staleAfterSeconds)}.
    </p>
  );
}
