import type { ReactNode } from "react";
import { Link } from "react-router";

import { ApiError, messageOf } from "../api/errors";

/** Grey placeholder blocks while something loads (announced once as "Loading"). */
export function Skeleton({ width = "100%", height = "1rem" }: { width?: string; height?: string }) {
  return <span className="skeleton" style={{ width, height }} aria-hidden="true" />;
}

export function Loading({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div role="status" aria-live="polite" aria-busy="true" className="loading" data-testid="loading">
      <span className="visually-hidden">{label}</span>
      {children}
    </div>
  );
}

export function TableSkeleton({ rows = 8, columns = 8 }: { rows?: number; columns?: number }) {
  return (
    <Loading label="Loading batches">
      <div className="table-skeleton" data-testid="table-skeleton">
        {Array.from({ length: rows }, (_, r) => (
          <div className="table-skeleton-row" key={r}>
            {Array.from({ length: columns }, (_, c) => (
              <Skeleton key={c} />
            ))}
          </div>
        ))}
      </div>
    </Loading>
  );
}

export function DashboardSkeleton() {
  return (
    <Loading label="Loading the summary">
      <div className="stats" data-testid="dashboard-skeleton">
        {Array.from({ length: 6 }, (_, n) => (
          <div className="stat" key={n}>
            <Skeleton width="60%" height="0.8rem" />
            <Skeleton width="80%" height="1.6rem" />
          </div>
        ))}
      </div>
    </Loading>
  );
}

export function DrawerSkeleton() {
  return (
    <Loading label="Loading the batch">
      <div data-testid="drawer-skeleton">
        {Array.from({ length: 5 }, (_, n) => (
          <section className="drawer-section" key={n}>
            <Skeleton width="40%" height="1.1rem" />
            <Skeleton />
            <Skeleton width="85%" />
            <Skeleton width="70%" />
          </section>
        ))}
      </div>
    </Loading>
  );
}

export function EmptyState({ title, children, testId }: { title: string; children?: ReactNode; testId?: string }) {
  return (
    <div className="empty-state" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** An API failure with its message and a way to try again. */
export function ErrorState({ error, onRetry, title = "Something went wrong" }: { error: unknown; onRetry?: () => void; title?: string }) {
  const denied = error instanceof ApiError && error.status === 403;
  return (
    <div className="error-state" role="alert" data-testid="error-state">
      <h2>{denied ? "Access denied" : title}</h2>
      <p>{messageOf(error)}</p>
      {error instanceof ApiError && error.code !== "HTTP_ERROR" && <p className="muted">Code: {error.code}</p>}
      {onRetry && !denied && (
        <button type="button" className="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/** What a detail page's query reports while its record is not there to show. */
interface DetailQuery {
  isPending: boolean;
  error: unknown;
  refetch: () => unknown;
}

/**
 * A detail page (/…/:id) before its record is there: a skeleton while it loads, "does not exist"
 * with a way back to the list when it is not found (a wrong or old link), otherwise the error with
 * Retry. Pages render it while their query is not a success, which narrows the query's data after:
 * `if (!query.isSuccess) return <DetailState query={query} what="harvest" back="/cultivation/harvests" />;`
 */
export function DetailState({ query, what, back }: { query: DetailQuery; what: string; back: string }) {
  if (query.isPending)
    return (
      <Loading label={`Loading the ${what}`}>
        <Skeleton height="2rem" width="30%" />
        <Skeleton height="6rem" />
        <Skeleton height="10rem" />
      </Loading>
    );
  if (query.error instanceof ApiError && query.error.isNotFound)
    return (
      <EmptyState title={`This ${what} does not exist`} testId="not-found">
        <p>
          It may have been removed, or the link is wrong. <Link to={back}>Back to the list</Link>
        </p>
      </EmptyState>
    );
  return <ErrorState error={query.error} onRetry={() => void query.refetch()} title={`The ${what} could not be loaded`} />;
}

/** `licenseWide`: the roles would do, but the screen spans the license and the user is granted
 * some sites, not every site. */
export function AccessDenied({ what, licenseWide = false }: { what: string; licenseWide?: boolean }) {
  return (
    <div className="error-state" role="alert" data-testid="access-denied">
      <h2>Access denied</h2>
      {licenseWide ? (
        <p>The {what} covers the whole license, which needs access to every site; you are granted some sites. Ask an administrator if you need it.</p>
      ) : (
        <p>Your roles do not include access to {what}. Ask an administrator if you need it.</p>
      )}
    </div>
  );
}
