import type { Schemas } from "../api/client";
import { toUnits } from "../ui/decimal";

type Package = Schemas["IncomingTransferPackage"];

/** A delivery by its manifest number (Metrc's, printed on the paper the driver carries). */
export function manifestName(t: Schemas["IncomingTransfer"]): string {
  return t.manifestNumber ? `Manifest ${t.manifestNumber}` : `Delivery ${t.deliveryId}`;
}

export const INCOMING_LABELS: Record<Schemas["IncomingTransferStatus"], string> = {
  PENDING: "Not received",
  RECEIVED: "Received",
};

export const RECEIVED_LABELS: Record<Schemas["IncomingPackageState"], string> = {
  PENDING: "Not received",
  ACCEPTED: "Accepted",
  REJECTED: "Rejected",
};

export function IncomingStatusBadge({ status }: { status: Schemas["IncomingTransferStatus"] }) {
  return (
    <span className={`badge incoming-${status.toLowerCase()}`} data-testid="incoming-status" data-status={status}>
      {INCOMING_LABELS[status]}
    </span>
  );
}

/** Metrc's ShipmentPackageState as Metrc spells it (Shipped, Accepted, Rejected, Returned). */
export function MetrcStateBadge({ state }: { state: string }) {
  return (
    <span className={`badge metrc-${state.trim().toLowerCase()}`} data-testid="metrc-state">
      {state}
    </span>
  );
}

export function ReceivedBadge({ state }: { state: Schemas["IncomingPackageState"] }) {
  return (
    <span className={`badge received-${state.toLowerCase()}`} data-testid="received-state">
      {RECEIVED_LABELS[state]}
    </span>
  );
}

const isMetrc = (p: Package, state: string) => p.metrcState.trim().toLowerCase() === state;

/** Why a package cannot be accepted here, or null when it can: one Metrc shows rejected or
 * returned is not the receiver's to take in (the API refuses it). */
export function whyNotAcceptable(p: Package): string | null {
  if (isMetrc(p, "rejected") || isMetrc(p, "returned"))
    return `Metrc shows this package ${p.metrcState.trim().toLowerCase()}: it went back to the shipper, so it cannot be accepted here.`;
  return null;
}

/** The quantity a receipt starts from, as the API defaults it: what Metrc says was received
 * once the package was accepted in Metrc, else what was shipped. */
export function defaultReceived(p: Package): string {
  return isMetrc(p, "accepted") && p.metrcReceivedQuantity ? p.metrcReceivedQuantity : p.shippedQuantity;
}

/** Where Metrc and what was received here disagree about a package, or null. Compliance links
 * each batch to its Metrc package only when they agree (else LINK_MISMATCH on the batch). */
export function differsFromMetrc(p: Package): string | null {
  if (p.state === "ACCEPTED" && (isMetrc(p, "rejected") || isMetrc(p, "returned"))) return `accepted here, ${p.metrcState.trim().toLowerCase()} in Metrc`;
  if (p.state === "ACCEPTED" && isMetrc(p, "shipped")) return "not received in Metrc yet";
  if (p.state === "REJECTED" && isMetrc(p, "accepted")) return "rejected here, accepted in Metrc";
  const here = p.receivedQuantity ? toUnits(p.receivedQuantity) : null;
  const there = p.metrcReceivedQuantity ? toUnits(p.metrcReceivedQuantity) : null;
  if (p.state === "ACCEPTED" && isMetrc(p, "accepted") && here !== null && there !== null && here !== there) return "Metrc received another quantity";
  return null;
}

/** Guidance on a package not yet decided in Metrc (Metrc's API has no call to receive one). */
export const NOT_IN_METRC_YET =
  "Not received in Metrc yet: accept it in Metrc too (Metrc's API cannot), or compliance cannot link its batch (PACKAGE_NOT_RECEIVED on the batch until then).";
