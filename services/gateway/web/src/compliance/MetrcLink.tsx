import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import { useAuth } from "../auth/AuthProvider";
import { formatDateTime, formatQty } from "../ui/decimal";
import { useToast } from "../ui/toast";
import { SubmissionStateBadge } from "./parts";

const LINK_LABELS = { NOT_TRACKED: "Not tracked", UNLINKED: "Not in Metrc yet", PENDING: "Being created in Metrc", LINKED: "Linked" } as const;

const SOURCE_LABELS: Record<Schemas["PackageSourceKind"], string> = {
  OPENING_BALANCE: "Opening balance",
  TRANSFER: "Received on a transfer",
  BATCHES: "Made from other batches",
  HARVEST: "Packaged from a harvest",
};

interface Package {
  tag?: string | null;
  source?: Schemas["BatchPackageSource"] | null;
}

/** The batch drawer's Metrc section: the package tag and source inventory holds (read-only), the
 * link's state, the last push (with the guide's guidance when Metrc refused it) and, for the
 * compliance team, Push to Metrc. */
export function MetrcLink({ batchId, pkg }: { batchId: string; pkg: Package }) {
  const { can } = useAuth();
  const client = useQueryClient();
  const toast = useToast();
  const link = useQuery({
    queryKey: ["batch", batchId, "metrc-link"],
    queryFn: async () => {
      try {
        return await unwrap(api.GET("/api/v1/batches/{batchId}/metrc-link", { params: { path: { batchId } } }));
      } catch (error) {
        // Compliance has not heard of the batch (no rules for its site, or not yet).
        if (error instanceof ApiError && error.code === "BATCH_NOT_TRACKED") return null;
        throw error;
      }
    },
    enabled: can("GET /api/v1/batches/{batchId}/metrc-link"),
  });
  const push = useMutation({
    mutationFn: () =>
      unwrap(api.POST("/api/v1/compliance/batches/{batchId}/push", { params: { path: { batchId } }, headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: (result) => {
      void client.invalidateQueries({ queryKey: ["batch", batchId] });
      void client.invalidateQueries({ queryKey: ["compliance"] });
      const refused = result.submissions.find((s) => s.state === "REJECTED" || s.state === "FAILED");
      if (refused) toast.error("Metrc refused the push", refused.lastError?.message);
      else toast.success("Pushed to Metrc", result.link.tag ? `Package ${result.link.tag}` : undefined);
    },
    onError: (error) => toast.error("The push failed", messageOf(error)),
  });
  const mayReadLink = can("GET /api/v1/batches/{batchId}/metrc-link");
  if (!mayReadLink && !pkg.tag && !pkg.source) return null;
  // Why the package waits (the link's problem) or why Metrc refused the last push.
  const problem = link.data?.problem ?? link.data?.lastPush?.lastError;
  return (
    <section className="drawer-section" aria-labelledby="metrc" data-testid="metrc-link">
      <h3 id="metrc">Metrc</h3>
      <PackageOfBatch pkg={pkg} />
      {!mayReadLink ? null : link.isPending ? (
        <p className="muted">Loading…</p>
      ) : link.isError ? (
        <p className="field-error">{messageOf(link.error)}</p>
      ) : link.data === null || link.data.state === "NOT_TRACKED" ? (
        <p className="muted" data-testid="metrc-not-tracked">
          Compliance does not track this batch (its site has no jurisdiction rules, or the batch is not synced yet).
        </p>
      ) : (
        <dl className="figures">
          <div>
            <dt>State</dt>
            <dd data-testid="metrc-state">{LINK_LABELS[link.data.state]}</dd>
          </div>
          <div>
            <dt>Linked package tag</dt>
            <dd data-testid="metrc-tag">{link.data.tag ?? "—"}</dd>
          </div>
          <div>
            <dt>Metrc package</dt>
            <dd>{link.data.metrcPackageId ?? "—"}</dd>
          </div>
          <div>
            <dt>Quantity Metrc will hold</dt>
            <dd>{formatQty(link.data.plannedQuantity)}</dd>
          </div>
          <div>
            <dt>Last push</dt>
            <dd data-testid="metrc-last-push">
              {link.data.lastPush ? (
                <>
                  <SubmissionStateBadge state={link.data.lastPush.state} /> {link.data.lastPush.kind}, {formatDateTime(link.data.lastPush.createdAt)}
                  {link.data.lastPush.settledBy && <span className="muted"> {link.data.lastPush.settledBy}</span>}
                </>
              ) : (
                "None"
              )}
            </dd>
          </div>
          <div>
            <dt>Writes waiting</dt>
            <dd>{link.data.openWrites}</dd>
          </div>
        </dl>
      )}
      {problem && (
        <div className="problem" data-testid="metrc-problem">
          <p className="problem-message">
            <code>{problem.code}</code> {problem.message}
          </p>
          <p className="guidance">{problem.guidance}</p>
        </div>
      )}
      {link.data && link.data.state !== "NOT_TRACKED" && can("POST /api/v1/compliance/batches/{batchId}/push") && (
        <div>
          <button type="button" className="button" disabled={push.isPending} onClick={() => push.mutate()}>
            {push.isPending ? "Pushing…" : "Push to Metrc"}
          </button>
        </div>
      )}
    </section>
  );
}

/** The package as the batch was taken in: its tag and where it came from (read-only). */
function PackageOfBatch({ pkg }: { pkg: Package }) {
  const source = pkg.source;
  return (
    <dl className="figures" data-testid="package-of-batch">
      <div>
        <dt>Package tag</dt>
        <dd data-testid="package-tag">{pkg.tag ?? "None"}</dd>
      </div>
      <div>
        <dt>Package source</dt>
        <dd data-testid="package-source" data-kind={source?.kind}>
          {source ? SOURCE_LABELS[source.kind] : "Not recorded"}
          {source?.manifestNumber && <>, manifest {source.manifestNumber}</>}
          {source?.harvestId && (
            <>
              , harvest <code>{source.harvestId}</code>
            </>
          )}
        </dd>
      </div>
      {source?.ingredients && source.ingredients.length > 0 && (
        <div className="figures-wide">
          <dt>Made from</dt>
          <dd>
            <ul className="plain-list" data-testid="package-ingredients">
              {source.ingredients.map((i) => (
                <li key={i.batchId}>
                  {formatQty(i.quantity)} {i.unit} of {i.packageTag ?? "an untagged batch"} (batch{" "}
                  <Link to={`/inventory?batch=${i.batchId}`}>{i.batchId.slice(0, 8)}</Link>)
                </li>
              ))}
            </ul>
          </dd>
        </div>
      )}
    </dl>
  );
}
