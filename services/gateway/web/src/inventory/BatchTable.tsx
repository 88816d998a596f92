import {
  flexRender,
  getCoreRowModel,
  useReactTable,
  type ColumnDef,
  type RowSelectionState,
  type SortingState,
} from "@tanstack/react-table";
import { useMemo } from "react";

import type { Schemas } from "../api/client";
import { AgingBadge, StatusBadge, StockStatusBadge } from "../ui/badges";
import { formatDate, formatMoney, formatQty } from "../ui/decimal";

type Batch = Schemas["Batch"];

interface Meta {
  sortField: Schemas["SortField"];
  numeric?: boolean;
}

const qty = (get: (b: Batch) => string) => (row: Batch) => formatQty(get(row));

/** The enhanced list's page: every column sorts on the server; rows open the batch drawer. */
export function BatchTable({
  batches,
  sortBy,
  sortOrder,
  onSort,
  selection,
  onSelectionChange,
  selectable,
  onOpen,
}: {
  batches: Batch[];
  sortBy: Schemas["SortField"];
  sortOrder: Schemas["SortOrder"];
  onSort: (field: Schemas["SortField"], order: Schemas["SortOrder"]) => void;
  selection: RowSelectionState;
  onSelectionChange: (next: RowSelectionState, changed: Batch[]) => void;
  selectable: boolean;
  onOpen: (batch: Batch) => void;
}) {
  const columns = useMemo<ColumnDef<Batch>[]>(() => {
    const data: (ColumnDef<Batch> & { meta: Meta })[] = [
      {
        id: "code",
        header: "Batch",
        meta: { sortField: "code" },
        cell: ({ row }) => (
          <button type="button" className="link-button" onClick={() => onOpen(row.original)} aria-label={`Open batch ${row.original.code}`}>
            {row.original.code}
          </button>
        ),
      },
      { id: "sku", header: "SKU", meta: { sortField: "sku" }, accessorFn: (b) => b.sku },
      { id: "productName", header: "Product", meta: { sortField: "productName" }, accessorFn: (b) => b.productName },
      { id: "category", header: "Category", meta: { sortField: "category" }, accessorFn: (b) => b.category },
      { id: "vendorName", header: "Vendor", meta: { sortField: "vendorName" }, accessorFn: (b) => b.vendorName },
      { id: "brandName", header: "Brand", meta: { sortField: "brandName" }, accessorFn: (b) => b.brandName },
      { id: "grade", header: "Grade", meta: { sortField: "grade" }, accessorFn: (b) => b.grade ?? "—" },
      {
        id: "status",
        header: "Status",
        meta: { sortField: "status" },
        cell: ({ row }) => <StatusBadge status={row.original.status} />,
      },
      { id: "onHandQty", header: "On hand", meta: { sortField: "onHandQty", numeric: true }, accessorFn: qty((b) => b.onHandQty) },
      { id: "reservedQty", header: "Reserved", meta: { sortField: "reservedQty", numeric: true }, accessorFn: qty((b) => b.reservedQty) },
      {
        id: "quarantineQty",
        header: "Quarantine",
        meta: { sortField: "quarantineQty", numeric: true },
        accessorFn: qty((b) => b.quarantineQty),
      },
      { id: "holdQty", header: "Hold", meta: { sortField: "holdQty", numeric: true }, accessorFn: qty((b) => b.holdQty) },
      {
        id: "defectiveQty",
        header: "Defective",
        meta: { sortField: "defectiveQty", numeric: true },
        accessorFn: qty((b) => b.defectiveQty),
      },
      {
        id: "availableQty",
        header: "Available",
        meta: { sortField: "availableQty", numeric: true },
        cell: ({ row }) => (
          <span className="available">
            {formatQty(row.original.availableQty)} <StockStatusBadge status={row.original.stockStatus} />
          </span>
        ),
      },
      {
        id: "unitCogs",
        header: "Unit cost",
        meta: { sortField: "unitCogs", numeric: true },
        accessorFn: (b) =>
          b.cogsMode === "RANGE" ? `${formatMoney(b.unitCogsMin)}–${formatMoney(b.unitCogsMax)}` : formatMoney(b.unitCogs),
      },
      { id: "ticket", header: "Price", meta: { sortField: "ticket", numeric: true }, accessorFn: (b) => formatMoney(b.ticket) },
      {
        id: "ageDays",
        header: "Age",
        meta: { sortField: "ageDays", numeric: true },
        cell: ({ row }) => <AgingBadge bracket={row.original.agingBracket} days={row.original.ageDays} />,
      },
      { id: "createdAt", header: "Received", meta: { sortField: "createdAt" }, accessorFn: (b) => formatDate(b.createdAt) },
      { id: "updatedAt", header: "Updated", meta: { sortField: "updatedAt" }, accessorFn: (b) => formatDate(b.updatedAt) },
    ];
    if (!selectable) return data;
    const select: ColumnDef<Batch> = {
      id: "select",
      header: ({ table }) => (
        <input
          type="checkbox"
          aria-label="Select every batch on this page"
          checked={table.getIsAllPageRowsSelected()}
          ref={(el) => {
            if (el) el.indeterminate = table.getIsSomePageRowsSelected();
          }}
          onChange={table.getToggleAllPageRowsSelectedHandler()}
        />
      ),
      cell: ({ row }) => (
        <input
          type="checkbox"
          aria-label={`Select batch ${row.original.code}`}
          checked={row.getIsSelected()}
          onChange={row.getToggleSelectedHandler()}
          onClick={(e) => e.stopPropagation()}
        />
      ),
    };
    return [select, ...data];
  }, [onOpen, selectable]);

  const sorting: SortingState = [{ id: sortBy, desc: sortOrder === "desc" }];
  // TanStack Table returns functions React's compiler cannot memoise; this component is not compiled.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: batches,
    columns,
    getRowId: (row) => row.id,
    getCoreRowModel: getCoreRowModel(),
    manualSorting: true,
    manualPagination: true,
    enableRowSelection: selectable,
    state: { sorting, rowSelection: selection },
    onRowSelectionChange: (updater) => {
      const next = typeof updater === "function" ? updater(selection) : updater;
      onSelectionChange(next, batches);
    },
  });

  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Batches">
      <table className="grid" data-testid="batch-table">
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta as Meta | undefined;
                if (!meta) return <th key={header.id} className="select-cell">{flexRender(header.column.columnDef.header, header.getContext())}</th>;
                const active = sortBy === meta.sortField;
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th
                    key={header.id}
                    className={meta.numeric ? "numeric" : undefined}
                    aria-sort={active ? (sortOrder === "asc" ? "ascending" : "descending") : "none"}
                  >
                    <button
                      type="button"
                      className="sort-button"
                      onClick={() => onSort(meta.sortField, active && sortOrder === "asc" ? "desc" : "asc")}
                    >
                      {label}
                      <span aria-hidden="true" className="sort-mark">
                        {active ? (sortOrder === "asc" ? "▲" : "▼") : "↕"}
                      </span>
                    </button>
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {table.getRowModel().rows.map((row) => (
            <tr
              key={row.id}
              data-batch-id={row.id}
              className={row.getIsSelected() ? "selected" : undefined}
              onClick={(event) => {
                if ((event.target as HTMLElement).closest("button, input, a")) return;
                onOpen(row.original);
              }}
            >
              {row.getVisibleCells().map((cell) => {
                const meta = cell.column.columnDef.meta as Meta | undefined;
                return (
                  <td key={cell.id} className={meta?.numeric ? "numeric" : cell.column.id === "select" ? "select-cell" : undefined}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
