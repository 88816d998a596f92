import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type SyntheticEvent } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import { problems } from "../cultivation/rules";
import { LocationSelect } from "../inventory/LocationSelect";
import { useLocations, useProducts } from "../inventory/queries";
import { formatQty, plainQty, quantityProblem, toUnits } from "../ui/decimal";
import { Field } from "../ui/Field";
import { FormProblems, useFormErrors } from "../ui/FormErrors";
import { DetailState, EmptyState } from "../ui/states";
import { useToast } from "../ui/toast";
import { defaultReceived, manifestName, MetrcStateBadge, NOT_IN_METRC_YET, whyNotAcceptable } from "./incomingParts";
import { useIncomingTransfer, useRefreshTransfers } from "./queries";

type Package = Schemas["IncomingTransferPackage"];

/** One package's receipt as typed: accepted or not, the quantity, the product ("" = the API's
 * default: the product named like Metrc's item, found or created). */
interface Decision {
  accepted: boolean;
  quantity: string;
  productId: string;
}

function initial(p: Package): Decision {
  return { accepted: whyNotAcceptable(p) === null, quantity: plainQty(defaultReceived(p)), productId: "" };
}

/** The rules the API applies, each on its package's field (it checks them all again). */
function validate(locationId: string, decisions: Decision[]): Record<string, string> {
  return problems({
    locationId: locationId ? undefined : "Choose where the accepted packages are put",
    ...Object.fromEntries(decisions.map((d, n) => [`packages.${n}.receivedQuantity`, d.accepted ? (quantityProblem(d.quantity) ?? undefined) : undefined])),
  });
}

/** What a refusal of the whole receipt means here, by its stable code. */
function refusal(error: unknown): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.isConflict) return "This transfer changed since it was loaded (Metrc reported it again, or someone received it): reload it and check the packages again.";
  if (error.code === "INVALID_STATUS_TRANSITION") return "This transfer was received already: a transfer is received once.";
  return null;
}

/** /transfers/incoming/:id/receive: take the delivery in. Each package accepted (with the
 * quantity received, in its shipped unit, and its product) or rejected; each accepted one
 * becomes a batch at the chosen location, in one request with an Idempotency-Key. */
export default function IncomingReceivePage() {
  const { transferId = "" } = useParams();
  const transfer = useIncomingTransfer(transferId);
  if (!transfer.isSuccess) return <DetailState query={transfer} what="incoming transfer" back="/transfers/incoming" />;
  const t = transfer.data;
  if (t.status !== "PENDING")
    return (
      <EmptyState title={`${manifestName(t)} was received already`} testId="already-received">
        <p>
          A transfer is received once. <Link to={`/transfers/incoming/${t.id}`}>See what was received</Link>
        </p>
      </EmptyState>
    );
  return <ReceiveForm transfer={t} reload={() => void transfer.refetch()} />;
}

function ReceiveForm({ transfer: t, reload }: { transfer: Schemas["IncomingTransfer"]; reload: () => void }) {
  const navigate = useNavigate();
  const toast = useToast();
  const refresh = useRefreshTransfers();
  const locations = useLocations(t.siteId);
  const products = useProducts();
  const [locationId, setLocationId] = useState("");
  // Keyed by tag, so a reloaded transfer keeps what was typed for the packages it still has.
  const [typed, setTyped] = useState<Record<string, Decision>>({});
  const decisions = t.packages.map((p) => typed[p.packageTag] ?? initial(p));
  const key = useRef(idempotencyKey());
  const receive = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/incoming-transfers/{transferId}/receive", {
          params: { path: { transferId: t.id }, header: { "Idempotency-Key": key.current } },
          body: {
            locationId,
            version: t.version,
            // Every package named, in the transfer's order, so the API's packages.<n> is row n.
            packages: t.packages.map((p, n) => {
              const d = decisions[n] ?? initial(p);
              return d.accepted
                ? { packageTag: p.packageTag, accepted: true, receivedQuantity: d.quantity.trim(), productId: d.productId || null }
                : { packageTag: p.packageTag, accepted: false };
            }),
          },
        }),
      ),
    onSuccess: (result) => {
      const codes = result.batches.map((b) => b.code);
      toast.success(
        `${manifestName(result.transfer)} received`,
        codes.length === 0 ? "Every package rejected: no batch made" : `${codes.length} ${codes.length === 1 ? "batch" : "batches"} created: ${codes.join(", ")}`,
      );
      refresh();
      void navigate(`/transfers/incoming/${t.id}`);
    },
    onError: (error) => {
      // Refused: the next try sends another body (a reload, a fix), under a new key. No answer
      // (the network, a 5xx): the receipt may have been made, so the retry replays the key.
      if (error instanceof ApiError && error.status < 500) key.current = idempotencyKey();
      toast.error("The transfer was not received", refusal(error) ?? messageOf(error));
    },
  });
  const errors = useFormErrors(validate(locationId, decisions), refusal(receive.error) ? null : receive.error);
  const whole = refusal(receive.error);
  const set = (p: Package, n: number, change: Partial<Decision>) => setTyped((current) => ({ ...current, [p.packageTag]: { ...(decisions[n] ?? initial(p)), ...change } }));
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (errors.ready()) receive.mutate();
  };
  const accepted = decisions.filter((d) => d.accepted).length;
  return (
    <div className="transfers">
      <div className="page-header">
        <h1>Receive {manifestName(t)}</h1>
        <span className="muted">from {[t.shipperName, t.shipperLicenseNumber].filter(Boolean).join(", ")}</span>
        <div className="page-actions">
          <Link className="button" to={`/transfers/incoming/${t.id}`}>
            Back to the transfer
          </Link>
        </div>
      </div>
      <form onSubmit={submit} noValidate className="form-card" aria-label={`Receive ${manifestName(t)}`} data-testid="receive-form">
        <fieldset className="form-section">
          <legend>Where</legend>
          <div className="form-grid">
            <Field label="Location" required error={errors.shown("locationId")} hint="Each accepted package's batch starts there">
              {(control) => (
                <LocationSelect control={control} locations={locations} value={locationId} onChange={setLocationId} />
              )}
            </Field>
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend>Packages</legend>
          <div className="table-scroll">
            <table className="grid compact receive-packages" data-testid="receive-packages">
              <caption className="visually-hidden">The packages of {manifestName(t)}</caption>
              <thead>
                <tr>
                  <th scope="col">Package tag</th>
                  <th scope="col">Item</th>
                  <th scope="col" className="numeric">
                    Shipped
                  </th>
                  <th scope="col">In Metrc</th>
                  <th scope="col">Accept</th>
                  <th scope="col">Received quantity</th>
                  <th scope="col">Product</th>
                </tr>
              </thead>
              <tbody>
                {t.packages.map((p, n) => (
                  <PackageRow
                    key={p.packageTag}
                    p={p}
                    n={n}
                    decision={decisions[n] ?? initial(p)}
                    set={(change) => set(p, n, change)}
                    products={(products.data ?? []).filter((x) => x.unitOfMeasure === p.unit)}
                    productsLoading={products.isLoading}
                    shown={errors.shown}
                  />
                ))}
              </tbody>
            </table>
          </div>
        </fieldset>
        <p className="muted" data-testid="receive-summary">
          {accepted} of {t.packages.length} {t.packages.length === 1 ? "package" : "packages"} accepted: {accepted === 1 ? "one batch" : `${accepted} batches`} made, awaiting intake, each with its package's tag, the shipper as vendor and the manifest as lot.
        </p>
        {whole && (
          <div className="conflict" role="alert" data-testid="receive-refused">
            <p>{whole}</p>
            <button
              type="button"
              className="button"
              onClick={() => {
                reload();
                receive.reset();
              }}
            >
              Reload transfer
            </button>
          </div>
        )}
        <FormProblems errors={errors} />
        <div className="dialog-actions">
          <button type="submit" className="button button-primary" disabled={receive.isPending || Boolean(whole)}>
            {receive.isPending ? "Saving…" : "Receive transfer"}
          </button>
        </div>
      </form>
    </div>
  );
}

function PackageRow({
  p,
  n,
  decision,
  set,
  products,
  productsLoading,
  shown,
}: {
  p: Package;
  n: number;
  decision: Decision;
  set: (change: Partial<Decision>) => void;
  products: Schemas["Product"][];
  productsLoading: boolean;
  shown: (name: string) => string | undefined;
}) {
  const why = whyNotAcceptable(p);
  const field = (name: string) => shown(`packages.${n}.${name}`);
  const quantityError = field("receivedQuantity");
  const acceptError = field("accepted") ?? field("packageTag");
  const productError = field("productId");
  const metrcQty = p.metrcReceivedQuantity ? toUnits(p.metrcReceivedQuantity) : null;
  const typedQty = toUnits(decision.quantity);
  const otherThanMetrc = decision.accepted && p.metrcState.trim().toLowerCase() === "accepted" && metrcQty !== null && typedQty !== null && typedQty !== metrcQty;
  const ids = { why: `why-${n}`, quantity: `quantity-${n}-error`, product: `product-${n}-error` };
  return (
    <tr data-tag={p.packageTag}>
      <th scope="row">
        <code>{p.packageTag}</code>
      </th>
      <td>{p.itemName ?? "—"}</td>
      <td className="numeric">
        {formatQty(p.shippedQuantity)} {p.unit}
      </td>
      <td>
        <MetrcStateBadge state={p.metrcState} />
        {p.metrcState.trim().toLowerCase() === "shipped" && decision.accepted && (
          <p className="hint" data-testid="not-in-metrc">
            {NOT_IN_METRC_YET}
          </p>
        )}
      </td>
      <td>
        <input
          type="checkbox"
          aria-label={`Accept package ${p.packageTag}`}
          checked={decision.accepted}
          disabled={why !== null}
          aria-describedby={why || acceptError ? ids.why : undefined}
          aria-invalid={Boolean(acceptError)}
          onChange={(e) => set({ accepted: e.target.checked })}
        />
        {(why ?? acceptError) && (
          <p className={acceptError ? "field-error" : "hint"} id={ids.why} data-testid="why-not">
            {acceptError ?? why}
          </p>
        )}
      </td>
      <td>
        <input
          aria-label={`Received quantity of ${p.packageTag} (${p.unit})`}
          inputMode="decimal"
          value={decision.accepted ? decision.quantity : ""}
          disabled={!decision.accepted}
          aria-invalid={Boolean(quantityError)}
          aria-describedby={quantityError ? ids.quantity : undefined}
          onChange={(e) => set({ quantity: e.target.value })}
        />{" "}
        {p.unit}
        {quantityError && (
          <p className="field-error" id={ids.quantity}>
            {quantityError}
          </p>
        )}
        {otherThanMetrc && !quantityError && (
          <p className="hint" data-testid="other-than-metrc">
            Metrc received {formatQty(p.metrcReceivedQuantity)} {p.unit}: another quantity here keeps compliance from linking the batch (LINK_MISMATCH).
          </p>
        )}
      </td>
      <td>
        <select
          aria-label={`Product of ${p.packageTag}`}
          value={decision.accepted ? decision.productId : ""}
          disabled={!decision.accepted}
          aria-invalid={Boolean(productError)}
          aria-describedby={productError ? ids.product : undefined}
          onChange={(e) => set({ productId: e.target.value })}
        >
          <option value="">{productsLoading ? "Loading…" : `As Metrc names it: ${p.itemName ?? p.packageTag}`}</option>
          {products.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name} ({x.brandName}, {x.unitOfMeasure})
            </option>
          ))}
        </select>
        {productError && (
          <p className="field-error" id={ids.product}>
            {productError}
          </p>
        )}
      </td>
    </tr>
  );
}
