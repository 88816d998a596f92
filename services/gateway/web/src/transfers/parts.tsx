import type { Schemas } from "../api/client";

export const STATUS_LABELS: Record<Schemas["TransferStatus"], string> = {
  CREATED: "Planned",
  SENT: "Sent",
  ACCEPTED: "Accepted",
  PARTIALLY_ACCEPTED: "Partially accepted",
  REJECTED: "Rejected",
  CANCELLED: "Cancelled",
};

export const LINE_LABELS: Record<Schemas["TransferLineState"], string> = {
  RESERVED: "Reserved",
  SHIPPED: "Shipped",
  ACCEPTED: "Accepted",
  REJECTED: "Rejected (returned)",
  RELEASED: "Released",
};

export function TransferStatusBadge({ status }: { status: Schemas["TransferStatus"] }) {
  return (
    <span className={`badge transfer-${status.toLowerCase()}`} data-testid="transfer-status" data-status={status}>
      {STATUS_LABELS[status]}
    </span>
  );
}

type Manifest = Schemas["TransferManifest"] | null | undefined;

/** Compliance's side in a few words. "Synced" only once Metrc has the template (its id read
 * back), never because Canopy planned the transfer. */
export function metrcLabel(manifest: Manifest, status: Schemas["TransferStatus"]): string {
  if (manifest === undefined) return "…";
  if (manifest === null) return status === "CANCELLED" ? "Not in Metrc" : "Not in compliance yet";
  if (manifest.state === "FAILED") return "Refused by Metrc";
  if (manifest.state === "CANCELLED") return "Template archived";
  // Cancelled in Canopy: compliance's next round archives the template (or finds none).
  if (status === "CANCELLED") return "Being archived in Metrc";
  if (manifest.state === "SETTLED") return "Settled in Metrc";
  if (!manifest.synced) return manifest.lastError ? "Retrying" : "Waiting for Metrc";
  return manifest.manifestNumber ? `Manifest ${manifest.manifestNumber}` : "Synced (template)";
}

export function MetrcBadge({ manifest, status }: { manifest: Manifest; status: Schemas["TransferStatus"] }) {
  const tone = manifest?.state === "FAILED" ? "metrc-failed" : manifest?.synced ? "metrc-synced" : "metrc-waiting";
  return (
    <span className={`badge ${tone}`} data-testid="metrc-sync" data-synced={manifest?.synced ? "true" : "false"}>
      {metrcLabel(manifest, status)}
    </span>
  );
}

/** What to do about Metrc's side of a transfer (the compliance guide's way of saying it). */
export function metrcGuidance(manifest: Manifest, status: Schemas["TransferStatus"]): string | null {
  if (manifest === undefined) return null;
  if (manifest === null)
    return status === "CANCELLED"
      ? null
      : "Compliance has not recorded this transfer yet: it does within seconds of planning when the site reports to Metrc (jurisdiction rules with a license). A site without rules never has a manifest.";
  if (manifest.state === "FAILED")
    return "Metrc refused the template (or did not answer for 8 rounds in a row). Fix what Metrc names (the destination's license, the transfer type, a package no longer active in Metrc), then cancel this transfer and plan it again: a refused template is never sent twice.";
  if (!manifest.synced && manifest.lastError)
    return "Metrc did not take the template yet. Compliance reads Metrc's templates back before each new try (a second template is never made) and tries again every few seconds; if this lasts, check the license's keys on the Sync dashboard.";
  if (!manifest.synced) return "Compliance sends the template to Metrc within seconds.";
  if (!manifest.manifestNumber && manifest.state === "CREATED")
    return "Metrc has the template. Register it as a manifest in Metrc (Transfers > Templates: Register; Metrc has no API for that step); the manifest number then appears here and the manifest can be printed.";
  return null;
}

/** An ISO instant as the value of a datetime-local input (the browser's local time). */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
