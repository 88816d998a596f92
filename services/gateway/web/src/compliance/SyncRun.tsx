import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { messageOf } from "../api/errors";
import { formatDateTime } from "../ui/decimal";
import { readServerEvents } from "./serverEvents";

type Run = Schemas["SyncRunView"];

export const SYNC_TYPE_LABELS: Record<Schemas["SyncType"], string> = {
  packages: "Packages",
  plants: "Plants",
  plant_batches: "Plant batches",
  harvests: "Harvests",
  items: "Items",
  strains: "Strains",
  locations: "Locations",
  tags: "Tags",
  adjustments: "Adjustments",
  transfers: "Incoming transfers",
};

const STATE_LABELS: Record<Schemas["SyncRunState"], string> = { QUEUED: "Queued", RUNNING: "Running", SUCCEEDED: "Finished", FAILED: "Failed" };

/** A number the run's progress or report carries (they are free-form JSON in the contract). */
function count(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

function entries(value: unknown): [string, Record<string, unknown>][] {
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value as Record<string, unknown>).filter((e): e is [string, Record<string, unknown>] => typeof e[1] === "object" && e[1] !== null);
}

function typeLabel(type: string): string {
  return type in SYNC_TYPE_LABELS ? SYNC_TYPE_LABELS[type as Schemas["SyncType"]] : type;
}

/**
 * One sync run, live: its progress from the run's server-sent events (pages done of those known
 * and records read, per type) until the report arrives, then the report (records and pages per
 * type, and every error). A stream cut short is read once more from the run itself.
 */
export function SyncRun({ initial }: { initial: Run }) {
  const client = useQueryClient();
  const [run, setRun] = useState<Run>(initial);
  const [streamError, setStreamError] = useState<string | null>(null);
  const finished = run.state === "SUCCEEDED" || run.state === "FAILED";

  useEffect(() => {
    const abort = new AbortController();
    let reported = false;
    const path = `/api/v1/compliance/sync/runs/${initial.id}/events`;
    readServerEvents(
      path,
      (event) => {
        if (event.event !== "progress" && event.event !== "report") return;
        setRun(JSON.parse(event.data) as Run);
        if (event.event === "report") reported = true;
      },
      abort.signal,
    )
      .then(async () => {
        if (reported) return;
        // The stream ended without its report (a proxy or the network cut it): ask the run.
        setRun(await unwrap(api.GET("/api/v1/compliance/sync/runs/{runId}", { params: { path: { runId: initial.id } } })));
      })
      .catch((error: unknown) => {
        if (!abort.signal.aborted) setStreamError(messageOf(error));
      });
    return () => abort.abort();
  }, [initial.id]);

  useEffect(() => {
    if (finished) void client.invalidateQueries({ queryKey: ["compliance"] });
  }, [finished, client]);

  const progress = run.progress ?? {};
  return (
    <article className="sync-run" data-testid="sync-run" data-run={run.id} data-state={run.state} aria-labelledby={`run-${run.id}`}>
      <h3 id={`run-${run.id}`}>
        {run.syncTypes.map(typeLabel).join(", ")} · <span data-testid="sync-run-state">{STATE_LABELS[run.state]}</span>
      </h3>
      <p className="muted">
        Requested {formatDateTime(run.requestedAt)} by {run.requestedBy}
        {run.finishedAt && <>, finished {formatDateTime(run.finishedAt)}</>}
      </p>
      {streamError && (
        <p className="field-error" role="alert">
          The progress could not be followed: {streamError}
        </p>
      )}
      {finished ? (
        <Report run={run} />
      ) : (
        <div role="status" aria-live="polite" data-testid="sync-progress">
          <p>
            {count(progress.pagesDone)} of {count(progress.pagesKnown)} pages read, {count(progress.records)} records
          </p>
          <ul className="plain-list">
            {entries(progress.types).map(([type, p]) => (
              <li key={type} data-type={type}>
                <label>
                  {typeLabel(type)}: {count(p.pagesDone)} / {count(p.pagesKnown)} pages, {count(p.records)} records{" "}
                  <progress max={Math.max(count(p.pagesKnown), 1)} value={count(p.pagesDone)} />
                </label>
              </li>
            ))}
          </ul>
        </div>
      )}
    </article>
  );
}

function Report({ run }: { run: Run }) {
  const report = run.report ?? {};
  const errors = Array.isArray(report.errors) ? (report.errors as Record<string, unknown>[]) : [];
  return (
    <div data-testid="sync-report">
      <p role="status">{errors.length === 0 && run.state === "SUCCEEDED" ? "Every list was read completely." : `${errors.length} list(s) could not be read.`}</p>
      <table className="grid compact" data-testid="sync-report-types">
        <caption className="visually-hidden">Records and pages read per sync type</caption>
        <thead>
          <tr>
            <th scope="col">Type</th>
            <th scope="col" className="numeric">Records</th>
            <th scope="col" className="numeric">Pages</th>
          </tr>
        </thead>
        <tbody>
          {entries(report.types).map(([type, counts]) => (
            <tr key={type} data-type={type}>
              <th scope="row">{typeLabel(type)}</th>
              <td className="numeric" data-testid="report-records">
                {count(counts.records)}
              </td>
              <td className="numeric">{count(counts.pages)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {errors.length > 0 && (
        <ul className="problem-list" data-testid="sync-report-errors">
          {errors.map((e, i) => (
            <li key={i} className="problem">
              <p className="problem-message">
                <code>{String(e.code)}</code> {String(e.feed)}: {String(e.message)}
              </p>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
