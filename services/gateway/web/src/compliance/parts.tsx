import type { Schemas } from "../api/client";

/** The guide's green check: VALID keys; a red mark for refused ones; grey until checked. */
export function KeyStatusBadge({ status }: { status: Schemas["KeyStatus"] | null | undefined }) {
  if (!status) return <span className="badge">No keys</span>;
  if (status === "VALID")
    return (
      <span className="badge key-valid" data-testid="key-valid">
        <span aria-hidden="true">✓ </span>Valid
      </span>
    );
  if (status === "INVALID")
    return (
      <span className="badge key-invalid" data-testid="key-invalid">
        <span aria-hidden="true">✗ </span>Refused by Metrc
      </span>
    );
  return <span className="badge">Not checked yet</span>;
}

export const SUBMISSION_STATE_LABELS: Record<Schemas["SubmissionState"], string> = {
  PENDING: "Waiting",
  IN_FLIGHT: "Sending",
  ACCEPTED: "Accepted",
  REJECTED: "Rejected",
  FAILED: "Failed",
  SETTLED: "Settled by manifest",
};

export function SubmissionStateBadge({ state }: { state: Schemas["SubmissionState"] }) {
  return <span className={`badge submission-${state.toLowerCase()}`}>{SUBMISSION_STATE_LABELS[state]}</span>;
}
