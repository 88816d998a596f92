import { Popover } from "radix-ui";
import { useId, useState, type KeyboardEvent } from "react";

import type { Schemas } from "../api/client";
import { AGING_LABELS, STATUS_LABELS, STOCK_LABELS } from "../ui/badges";
import { clearedFilters, hasFilters, LIST_KEYS, type ListKey, type ListState } from "./listState";
import { useBrands, useLocations, useProducts, useVendors } from "./queries";

type Names = Record<string, string>;

/** Every filter of the enhanced list, in a popover; each change applies at once (page 1). */
export function FiltersButton({ state, onChange, siteId }: { state: ListState; onChange: (next: ListState) => void; siteId: string }) {
  const active = LIST_KEYS.reduce((n, key) => n + state[key].length, 0) + (state.includeArchived ? 1 : 0);
  return (
    <Popover.Root>
      <Popover.Trigger className="button" data-testid="filters-button">
        Filters{active > 0 ? ` (${active})` : ""}
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content className="popover filters" align="start" sideOffset={6} aria-label="Filters">
          <FiltersPanel state={state} onChange={onChange} siteId={siteId} />
          <Popover.Close className="button">Done</Popover.Close>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

/** The filters themselves: mounted with the open popover, so their lists load only then. */
function FiltersPanel({ state, onChange, siteId }: { state: ListState; onChange: (next: ListState) => void; siteId: string }) {
  const vendors = useVendors();
  const brands = useBrands();
  const products = useProducts();
  const locations = useLocations(siteId);
  const categories = [...new Set((products.data ?? []).map((p) => p.category))].sort();

  const toggle = <K extends ListKey>(key: K, value: ListState[K][number]) => {
    const current = state[key] as string[];
    const next = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
    onChange({ ...state, [key]: next, page: 1 });
  };
  const add = (key: ListKey, value: string) => {
    const clean = value.trim();
    if (clean && !(state[key] as string[]).includes(clean)) onChange({ ...state, [key]: [...state[key], clean], page: 1 });
  };

  return (
          <div className="filters-grid">
            <Checkboxes title="Status" values={STATUS_LABELS} chosen={state.status} onToggle={(v) => toggle("status", v)} />
            <Checkboxes title="Stock" values={STOCK_LABELS} chosen={state.stockStatus} onToggle={(v) => toggle("stockStatus", v)} />
            <Checkboxes title="Age" values={AGING_LABELS} chosen={state.ageBracket} onToggle={(v) => toggle("ageBracket", v)} />
            <div className="filter-column">
              <AddFromList
                label="Vendor"
                options={(vendors.data ?? []).map((v) => [v.id, v.name])}
                chosen={state.vendorId}
                onAdd={(v) => add("vendorId", v)}
              />
              <AddFromList
                label="Brand"
                options={(brands.data ?? []).map((b) => [b.id, b.name])}
                chosen={state.brandId}
                onAdd={(v) => add("brandId", v)}
              />
              <AddFromList
                label="Location"
                options={(locations.data ?? []).map((l) => [l.id, l.label])}
                chosen={state.locationId}
                onAdd={(v) => add("locationId", v)}
              />
              <AddText label="Category" suggestions={categories} onAdd={(v) => add("category", v)} />
              <AddText label="Grade" suggestions={["A", "AA", "B", "C"]} onAdd={(v) => add("grade", v)} />
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={state.includeArchived}
                  onChange={(e) => onChange({ ...state, includeArchived: e.target.checked, page: 1 })}
                />
                Include closed and deleted batches
              </label>
            </div>
          </div>
  );
}

function Checkboxes<V extends string>({
  title,
  values,
  chosen,
  onToggle,
}: {
  title: string;
  values: Record<V, string>;
  chosen: V[];
  onToggle: (value: V) => void;
}) {
  return (
    <fieldset className="filter-column">
      <legend>{title}</legend>
      {(Object.keys(values) as V[]).map((value) => (
        <label className="checkbox" key={value}>
          <input type="checkbox" checked={chosen.includes(value)} onChange={() => onToggle(value)} />
          {values[value]}
        </label>
      ))}
    </fieldset>
  );
}

function AddFromList({ label, options, chosen, onAdd }: { label: string; options: [string, string][]; chosen: string[]; onAdd: (id: string) => void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        value=""
        onChange={(e) => {
          if (e.target.value) onAdd(e.target.value);
        }}
      >
        <option value="">Add a {label.toLowerCase()}…</option>
        {options
          .filter(([value]) => !chosen.includes(value))
          .map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
      </select>
    </div>
  );
}

function AddText({ label, suggestions, onAdd }: { label: string; suggestions: string[]; onAdd: (value: string) => void }) {
  const id = useId();
  const [text, setText] = useState("");
  const submit = () => {
    onAdd(text);
    setText("");
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="inline">
        <input
          id={id}
          list={`${id}-list`}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e: KeyboardEvent) => {
            if (e.key === "Enter") {
              e.preventDefault();
              submit();
            }
          }}
        />
        <datalist id={`${id}-list`}>
          {suggestions.map((s) => (
            <option key={s} value={s} />
          ))}
        </datalist>
        <button type="button" className="button" onClick={submit} disabled={!text.trim()}>
          Add <span className="visually-hidden">{label.toLowerCase()} filter</span>
        </button>
      </div>
    </div>
  );
}

/** The active filters as removable chips, and a way to clear them all. */
export function FilterChips({ state, onChange, names }: { state: ListState; onChange: (next: ListState) => void; names: Names }) {
  if (!hasFilters(state)) return null;
  const label = (key: ListKey, value: string): string => {
    switch (key) {
      case "status":
        return `Status: ${STATUS_LABELS[value as Schemas["BatchStatus"]]}`;
      case "stockStatus":
        return `Stock: ${STOCK_LABELS[value as Schemas["StockStatus"]]}`;
      case "ageBracket":
        return `Age: ${AGING_LABELS[value as Schemas["AgingBracket"]]}`;
      case "vendorId":
        return `Vendor: ${names[value] ?? value}`;
      case "brandId":
        return `Brand: ${names[value] ?? value}`;
      case "locationId":
        return `Location: ${names[value] ?? value}`;
      case "category":
        return `Category: ${value}`;
      case "grade":
        return `Grade: ${value}`;
    }
  };
  const chips: { text: string; remove: () => void }[] = [];
  if (state.search.trim()) chips.push({ text: `Search: “${state.search.trim()}”`, remove: () => onChange({ ...state, search: "", page: 1 }) });
  for (const key of LIST_KEYS) {
    for (const value of state[key] as string[]) {
      chips.push({
        text: label(key, value),
        remove: () => onChange({ ...state, [key]: (state[key] as string[]).filter((v) => v !== value), page: 1 }),
      });
    }
  }
  if (state.includeArchived) chips.push({ text: "Including closed", remove: () => onChange({ ...state, includeArchived: false, page: 1 }) });
  return (
    <ul className="chips" aria-label="Active filters" data-testid="filter-chips">
      {chips.map((chip) => (
        <li className="chip" key={chip.text}>
          {chip.text}
          <button type="button" className="chip-remove" onClick={chip.remove} aria-label={`Remove filter ${chip.text}`}>
            ×
          </button>
        </li>
      ))}
      <li>
        <button type="button" className="button button-ghost" onClick={() => onChange(clearedFilters(state))}>
          Clear filters
        </button>
      </li>
    </ul>
  );
}
