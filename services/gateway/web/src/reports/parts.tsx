import { useState } from "react";

import { messageOf } from "../api/errors";
import { formatDateTime } from "../ui/decimal";
import { Loading, Skeleton } from "../ui/states";
import { useToast } from "../ui/toast";
import { saveCsv } from "./download";

/** How fresh a report is: the reporting service's `asOf` (null while it has seen no event). */
export function AsOf({ asOf, lagMs }: { asOf: string | null; lagMs: number | null }) {
  if (!asOf) {
    return (
      <p className="as-of muted" data-testid="as-of">
        No event counted yet
      </p>
    );
  }
  const behind = lagMs !== null && lagMs >= 60_000 ? ` (${Math.round(lagMs / 60_000)} min behind)` : "";
  return (
    <p className="as-of muted" data-testid="as-of">
      As of <time dateTime={asOf}>{formatDateTime(asOf)}</time>
      {behind}
    </p>
  );
}

/** A "Download CSV" button: busy while the export comes, a toast if it fails. */
export function CsvButton({
  label,
  filename,
  call,
}: {
  label: string;
  filename: () => string;
  call: () => Promise<{ data?: Blob; error?: unknown; response: Response }>;
}) {
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  return (
    <button
      type="button"
      className="button"
      disabled={busy}
      onClick={() => {
        setBusy(true);
        saveCsv(call(), filename())
          .catch((error: unknown) => toast.error("The export failed", messageOf(error)))
          .finally(() => setBusy(false));
      }}
    >
      {busy ? "Preparing…" : label}
    </button>
  );
}

export function ReportSkeleton() {
  return (
    <Loading label="Loading the report">
      <div data-testid="report-skeleton">
        <Skeleton width="20%" />
        <Skeleton height="14rem" />
        <Skeleton height="8rem" />
      </div>
    </Loading>
  );
}
