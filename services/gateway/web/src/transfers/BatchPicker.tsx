import { useId, useState } from "react";

import type { Schemas } from "../api/client";
import { messageOf } from "../api/errors";
import { formatQty, toUnits } from "../ui/decimal";
import { useShippableBatches } from "./queries";

/** A package chosen for a transfer, with its wholesale price as typed. */
export interface Line {
  batch: Schemas["Batch"];
  price: string;
}

/** Why a batch cannot go on a manifest now, or null when it can: Metrc ships tagged packages
 * whole, and the API reserves the whole stock, so nothing of it may be set aside already. */
export function whyNotShippable(b: Schemas["Batch"]): string | null {
  if (!b.packageTag) return "no Metrc package tag";
  const zero = (qty: string) => (toUnits(qty) ?? 0n) === 0n;
  if (!zero(b.reservedQty)) return "part of it is reserved";
  if (!zero(b.holdQty)) return "part of it is on hold";
  if (!zero(b.quarantineQty) || !zero(b.defectiveQty)) return "part of it is in quarantine or defective";
  if (zero(b.onHandQty)) return "no stock";
  return null;
}

/** The packages of a transfer: search the site's sellable batches, keep those that can ship,
 * choose them; each chosen one ships whole, with an optional wholesale price. */
export function BatchPicker({
  siteId,
  lines,
  onChange,
  shown,
  lineProblem,
}: {
  siteId: string;
  lines: Line[];
  onChange: (lines: Line[]) => void;
  shown: (name: string) => string | undefined;
  lineProblem: (n: number) => string | undefined;
}) {
  const [search, setSearch] = useState("");
  const [page, setPage] = useState(1);
  const found = useShippableBatches(siteId, search, page);
  const searchId = useId();
  const chosen = new Set(lines.map((l) => l.batch.id));
  const items = found.data?.items ?? [];
  const shippable = items.filter((b) => whyNotShippable(b) === null);
  const held = items.length - shippable.length;
  const pagination = found.data?.pagination;
  const toggle = (batch: Schemas["Batch"]) =>
    onChange(chosen.has(batch.id) ? lines.filter((l) => l.batch.id !== batch.id) : [...lines, { batch, price: "" }]);
  const setPrice = (batchId: string, price: string) => onChange(lines.map((l) => (l.batch.id === batchId ? { ...l, price } : l)));
  return (
    <div className="batch-picker">
      <div className="toolbar">
        <label htmlFor={searchId}>Find batches</label>
        <input
          id={searchId}
          type="search"
          value={search}
          placeholder="Batch code, SKU or product"
          onChange={(e) => {
            setSearch(e.target.value);
            setPage(1);
          }}
          data-testid="batch-search"
        />
      </div>
      {found.isPending ? (
        <p className="muted" role="status">
          Loading the batches…
        </p>
      ) : found.isError ? (
        <p className="form-error" role="alert">
          The batches could not be loaded: {messageOf(found.error)}{" "}
          <button type="button" className="button button-small" onClick={() => void found.refetch()}>
            Retry
          </button>
        </p>
      ) : shippable.length === 0 ? (
        <p className="muted" data-testid="no-shippable">
          {search.trim() ? "No batch matching the search can ship" : "No batch can ship"}: a package ships when it is Live (or photographed), has its Metrc tag and stock, and none of it is reserved, on hold or in quarantine.
        </p>
      ) : (
        <table className="grid compact" data-testid="shippable-batches">
          <caption className="visually-hidden">Batches that can ship</caption>
          <thead>
            <tr>
              <th scope="col" className="select-cell">
                <span className="visually-hidden">Ship</span>
              </th>
              <th scope="col">Batch</th>
              <th scope="col">Package tag</th>
              <th scope="col">Product</th>
              <th scope="col" className="numeric">
                Ships (whole)
              </th>
            </tr>
          </thead>
          <tbody>
            {shippable.map((b) => (
              <tr key={b.id} data-code={b.code}>
                <td className="select-cell">
                  <input type="checkbox" aria-label={`Ship batch ${b.code}`} checked={chosen.has(b.id)} onChange={() => toggle(b)} />
                </td>
                <td>{b.code}</td>
                <td>
                  <code>{b.packageTag}</code>
                </td>
                <td>{b.productName}</td>
                <td className="numeric">
                  {formatQty(b.onHandQty)} {b.unitOfMeasure}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {held > 0 && (
        <p className="muted" data-testid="not-shippable">
          {held} more {held === 1 ? "batch" : "batches"} on this page cannot ship (no Metrc tag, or part of the stock is reserved, on hold or in quarantine).
        </p>
      )}
      {pagination && pagination.totalPages > 1 && (
        <div className="toolbar" role="group" aria-label="Pages of batches">
          <button type="button" className="button button-small" disabled={!pagination.hasPrevious} onClick={() => setPage(page - 1)}>
            Previous
          </button>
          <span className="muted">
            Page {pagination.page} of {pagination.totalPages}
          </span>
          <button type="button" className="button button-small" disabled={!pagination.hasNext} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </div>
      )}
      <h3 className="picker-heading">On this transfer</h3>
      {lines.length === 0 ? (
        <p className={shown("lines") ? "field-error" : "muted"} data-testid="no-lines">
          {shown("lines") ?? "No package chosen yet."}
        </p>
      ) : (
        <table className="grid compact" data-testid="transfer-lines">
          <caption className="visually-hidden">Packages on this transfer</caption>
          <thead>
            <tr>
              <th scope="col">Batch</th>
              <th scope="col">Package tag</th>
              <th scope="col" className="numeric">
                Quantity
              </th>
              <th scope="col">Wholesale price</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line, n) => {
              const price = shown(`lines.${n}.wholesalePrice`);
              const problem = lineProblem(n);
              return (
                <tr key={line.batch.id} data-code={line.batch.code}>
                  <td>
                    {line.batch.code}
                    {problem && (
                      <span className="field-error" data-testid="line-error">
                        {" "}
                        {problem}
                      </span>
                    )}
                  </td>
                  <td>
                    <code>{line.batch.packageTag}</code>
                  </td>
                  <td className="numeric">
                    {formatQty(line.batch.onHandQty)} {line.batch.unitOfMeasure}
                  </td>
                  <td>
                    <input
                      aria-label={`Wholesale price of ${line.batch.code}`}
                      inputMode="decimal"
                      placeholder="optional"
                      aria-invalid={Boolean(price)}
                      value={line.price}
                      onChange={(e) => setPrice(line.batch.id, e.target.value)}
                    />
                    {price && <span className="field-error"> {price}</span>}
                  </td>
                  <td>
                    <button type="button" className="button button-small" onClick={() => toggle(line.batch)} aria-label={`Remove batch ${line.batch.code}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
