import { unwrap } from "../api/client";

/**
 * Saves a CSV export under `filename`. The exports need the session's token, so a plain link
 * cannot fetch them: the answer is read here and handed to the browser as a download.
 */
export async function saveCsv(call: Promise<{ data?: Blob; error?: unknown; response: Response }>, filename: string): Promise<void> {
  const blob = await unwrap(call);
  const href = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = href;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started from the URL by now; a later revoke frees the blob.
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** "2026-12-06T06:30:00.123Z" -> "2026-12-06T0630Z", for file names. */
export function stamp(iso: string | null | undefined): string {
  return (iso ?? new Date().toISOString()).replace(/:\d{2}(\.\d+)?Z$/, "Z").replace(":", "");
}
