import { useQuery } from "@tanstack/react-query";
import { useRef } from "react";

import { api, unwrap } from "../api/client";
import { ErrorState } from "../ui/states";
import { Modal } from "../ui/Modal";

/**
 * Metrc's printable manifest, as compliance serves it. The document is Metrc's, not ours: the
 * gateway serves it with `Content-Security-Policy: sandbox`, and since the session's token is not
 * a cookie the page fetches it and shows it in an iframe sandboxed the same way (no scripts, no
 * forms, no navigation), so nothing in it runs on Canopy's origin. *Print* prints that frame.
 */
export function ManifestDialog({
  transferId,
  manifestNumber,
  open,
  onOpenChange,
}: {
  transferId: string;
  manifestNumber: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const frame = useRef<HTMLIFrameElement>(null);
  const html = useQuery({
    queryKey: ["transfers", "manifest", transferId, "html"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/compliance/transfers/{transferId}/manifest.html", { params: { path: { transferId } }, parseAs: "text", signal })),
    enabled: open,
    staleTime: 60_000,
  });
  return (
    <Modal open={open} onOpenChange={onOpenChange} title={`Manifest ${manifestNumber}`} description="Metrc's manifest, for the driver and an inspector." testId="manifest-dialog">
      {html.isPending ? (
        <p className="muted" role="status">
          Loading the manifest from Metrc…
        </p>
      ) : html.isError ? (
        <ErrorState error={html.error} onRetry={() => void html.refetch()} title="The manifest could not be loaded" />
      ) : (
        // allow-same-origin (without allow-scripts) only lets this page call print() on the frame.
        <iframe ref={frame} className="manifest-frame" title={`Manifest ${manifestNumber}`} sandbox="allow-same-origin allow-modals" srcDoc={html.data} data-testid="manifest-frame" />
      )}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => onOpenChange(false)}>
          Close
        </button>
        <button type="button" className="button button-primary" disabled={!html.isSuccess} onClick={() => frame.current?.contentWindow?.print()}>
          Print
        </button>
      </div>
    </Modal>
  );
}
