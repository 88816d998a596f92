import type { RowSelectionState } from "@tanstack/react-table";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";

import type { Schemas } from "../api/client";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { DashboardSkeleton, EmptyState, ErrorState, TableSkeleton } from "../ui/states";
import { BatchDrawer } from "./BatchDrawer";
import { BatchTable } from "./BatchTable";
import { BulkBar } from "./BulkBar";
import { DashboardStats } from "./DashboardStats";
import { FilterChips, FiltersButton } from "./Filters";
import { clearedFilters, hasFilters, latestParams, PAGE_SIZES, useListState, type ListState } from "./listState";
import { useBrands, useEnhancedList, useLocations, useVendors } from "./queries";
import { SavedViews } from "./SavedViews";
import { Summary } from "./Summary";

/** /inventory: the batch list (search, filters, sort, pages, summary, saved views), the bulk bar
 * and the batch drawer (?batch=<id>). */
export default function InventoryPage() {
  const { site } = useSites();
  const { can } = useAuth();
  const [state, setState, params, setParams] = useListState();
  const siteId = site?.id ?? "";
  const list = useEnhancedList(siteId, state);
  // A selection belongs to the site it was made in.
  const [selected_, setSelected] = useState<{ siteId: string; rows: RowSelectionState }>({ siteId: "", rows: {} });
  const selection = selected_.siteId === siteId ? selected_.rows : {};
  const setSelection = (rows: RowSelectionState) => setSelected({ siteId, rows });
  const [codes, setCodes] = useState<Record<string, string>>({});
  const names = useFilterNames(siteId, state);
  const openBatch = params.get("batch");

  // Stable, so the table's columns (and the focused button in them) survive a change of URL.
  const setParamsRef = useRef(setParams);
  useEffect(() => {
    setParamsRef.current = setParams;
  }, [setParams]);
  const open = useCallback((batch: Schemas["Batch"]) => {
    setParamsRef.current(() => {
      const next = latestParams();
      next.set("batch", batch.id);
      return next;
    });
  }, []);
  const close = () =>
    setParams(() => {
      const next = latestParams();
      next.delete("batch");
      return next;
    });
  const change = (next: ListState) => setState(next);
  const selectable = can("POST /api/v1/batches/bulk/status") || can("POST /api/v1/batches/bulk/delete");
  const selected = Object.keys(selection).filter((id) => selection[id]);

  return (
    <div className="inventory">
      <div className="page-header">
        <h1>Inventory</h1>
        <span className="muted">{site ? `${site.name} · ${site.licenseNumber}` : ""}</span>
        <div className="page-actions">
          {can("GET /api/v1/inventory/as-of") && (
            <Link className="button" to="/inventory/as-of">
              Inventory as of a date
            </Link>
          )}
          {can("POST /api/v1/batches/intake") && (
            <Link className="button button-primary" to="/inventory/intake">
              Receive stock
            </Link>
          )}
        </div>
      </div>

      <DashboardStats siteId={siteId} />

      {list.isPending ? <DashboardSkeleton /> : list.data ? <Summary summary={list.data.summary} /> : null}

      <div className="toolbar" role="search">
        <SearchBox value={state.search} onChange={(search) => setState((current) => ({ ...current, search, page: 1 }))} />
        <FiltersButton state={state} onChange={change} siteId={siteId} />
        <SavedViews state={state} onApply={change} />
      </div>
      <FilterChips state={state} onChange={change} names={names} />

      <BulkBar
        selected={selected}
        codes={codes}
        onClear={() => setSelection({})}
        onDone={(failed) => setSelection(Object.fromEntries(failed.map((id) => [id, true])))}
      />

      {list.isPending ? (
        <TableSkeleton />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} title="The batches could not be loaded" />
      ) : list.data.items.length === 0 ? (
        hasFilters(state) ? (
          <EmptyState title="No matching inventory" testId="no-results">
            <p>No batch of this site matches the search and filters.</p>
            <button type="button" className="button" onClick={() => change(clearedFilters(state))}>
              Clear filters
            </button>
          </EmptyState>
        ) : (
          <EmptyState title="No batches yet" testId="empty">
            <p>This site has no inventory yet.</p>
            {can("POST /api/v1/batches/intake") && (
              <Link className="button button-primary" to="/inventory/intake">
                Create first batch
              </Link>
            )}
          </EmptyState>
        )
      ) : (
        <>
          <BatchTable
            batches={list.data.items}
            sortBy={state.sortBy}
            sortOrder={state.sortOrder}
            onSort={(sortBy, sortOrder) => change({ ...state, sortBy, sortOrder, page: 1 })}
            selection={selection}
            selectable={selectable}
            onSelectionChange={(next, batches) => {
              setSelection(next);
              setCodes((known) => ({ ...known, ...Object.fromEntries(batches.map((b) => [b.id, b.code])) }));
            }}
            onOpen={open}
          />
          <Pager pagination={list.data.pagination} state={state} onChange={change} fetching={list.isFetching} />
        </>
      )}
      <BatchDrawer batchId={openBatch} onClose={close} />
    </div>
  );
}

/** Search as you type (SKU, batch code, product name), sent once typing pauses. */
function SearchBox({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const [text, setText] = useState(value);
  // The URL changed under us (filters cleared, a view applied): show what it now says.
  const [shown, setShown] = useState(value);
  if (value !== shown) {
    setShown(value);
    setText(value);
  }
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onChange(text), 200);
    return () => clearTimeout(timer);
  }, [text, value, onChange]);
  return (
    <input
      type="search"
      className="search"
      placeholder="Search SKU, batch code or product"
      aria-label="Search batches by SKU, batch code or product"
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === "Enter") onChange(text);
      }}
      data-testid="search"
    />
  );
}

function Pager({
  pagination,
  state,
  onChange,
  fetching,
}: {
  pagination: Schemas["Pagination"];
  state: ListState;
  onChange: (next: ListState) => void;
  fetching: boolean;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <span data-testid="page-info" aria-live="polite">
        Page {pagination.page} of {Math.max(1, pagination.totalPages)} · {pagination.totalItems.toLocaleString()} batches
        {fetching ? " · updating…" : ""}
      </span>
      <button type="button" className="button" disabled={!pagination.hasPrevious} onClick={() => onChange({ ...state, page: state.page - 1 })}>
        Previous page
      </button>
      <button type="button" className="button" disabled={!pagination.hasNext} onClick={() => onChange({ ...state, page: state.page + 1 })}>
        Next page
      </button>
      <label className="inline">
        Rows per page
        <select value={state.pageSize} onChange={(e) => onChange({ ...state, pageSize: Number(e.target.value), page: 1 })}>
          {PAGE_SIZES.map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}

/** Names of the vendors, brands and locations the filters name (loaded only when some do). */
function useFilterNames(siteId: string, state: ListState): Record<string, string> {
  const vendors = useVendors(state.vendorId.length > 0);
  const brands = useBrands(state.brandId.length > 0);
  const locations = useLocations(state.locationId.length > 0 ? siteId : undefined);
  return useMemo(
    () =>
      Object.fromEntries([
        ...(vendors.data ?? []).map((v): [string, string] => [v.id, v.name]),
        ...(brands.data ?? []).map((b): [string, string] => [b.id, b.name]),
        ...(locations.data ?? []).map((l): [string, string] => [l.id, l.label]),
      ]),
    [vendors.data, brands.data, locations.data],
  );
}
