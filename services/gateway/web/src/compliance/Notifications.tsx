import { useQuery } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";
import { formatDateTime } from "../ui/decimal";
import { ErrorState, Loading, Skeleton } from "../ui/states";

export interface NotificationFilter {
  licenseNumber?: string;
  openOnly?: boolean;
  limit?: number;
}

export function useNotifications(filter: NotificationFilter) {
  const query = {
    limit: filter.limit ?? 100,
    ...(filter.licenseNumber ? { licenseNumber: filter.licenseNumber } : {}),
    ...(filter.openOnly ? { openOnly: true } : {}),
  };
  return useQuery({
    queryKey: ["compliance", "notifications", query],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/compliance/notifications", { params: { query }, signal })),
    refetchInterval: 30_000,
  });
}

/** The compliance team's notifications, newest first: severity, title, license, message and the
 * guide's guidance on what to do (the Sync dashboard shows the latest, the Notifications screen
 * filters them). */
export function NotificationList({ filter, empty }: { filter: NotificationFilter; empty: string }) {
  const feed = useNotifications(filter);
  if (feed.isPending)
    return (
      <Loading label="Loading the notifications">
        <Skeleton height="3rem" />
        <Skeleton height="3rem" />
      </Loading>
    );
  if (feed.isError) return <ErrorState error={feed.error} onRetry={() => void feed.refetch()} title="The notifications could not be loaded" />;
  if (feed.data.length === 0)
    return (
      <p className="muted" data-testid="notifications-empty">
        {empty}
      </p>
    );
  return (
    <ul className="problem-list" data-testid="notifications">
      {feed.data.map((n) => (
        <li key={n.id} className={`problem severity-${n.severity.toLowerCase()}`} data-kind={n.kind} data-open={n.resolvedAt ? "false" : "true"}>
          <div className="problem-head">
            <span className={`badge severity-${n.severity.toLowerCase()}`}>{n.severity}</span> <strong>{n.title}</strong>
            {n.licenseNumber && <> · {n.licenseNumber}</>} · {formatDateTime(n.createdAt)}
            {n.resolvedAt ? <span className="muted"> · resolved {formatDateTime(n.resolvedAt)}</span> : <span className="muted"> · open</span>}
            {n.emailedAt && <span className="muted"> · emailed</span>}
          </div>
          <p className="problem-message">{n.message}</p>
          <p className="guidance">{n.guidance}</p>
        </li>
      ))}
    </ul>
  );
}
