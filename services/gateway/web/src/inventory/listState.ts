import { useCallback, useEffect, useMemo } from "react";
import { useSearchParams, type SetURLSearchParams } from "react-router";

import type { Schemas } from "../api/client";

/** The enhanced list's filters, sort and page, as the URL carries them (UI-003: shareable, and
 * remembered in localStorage so that coming back to /inventory finds them again). */
export interface ListState {
  search: string;
  status: Schemas["BatchStatus"][];
  category: string[];
  vendorId: string[];
  brandId: string[];
  grade: string[];
  stockStatus: Schemas["StockStatus"][];
  ageBracket: Schemas["AgingBracket"][];
  locationId: string[];
  includeArchived: boolean;
  page: number;
  pageSize: number;
  sortBy: Schemas["SortField"];
  sortOrder: Schemas["SortOrder"];
}

export const LIST_KEYS = [
  "status",
  "category",
  "vendorId",
  "brandId",
  "grade",
  "stockStatus",
  "ageBracket",
  "locationId",
] as const satisfies readonly (keyof ListState)[];
export type ListKey = (typeof LIST_KEYS)[number];

export const PAGE_SIZES = [25, 50, 100] as const;
const STORAGE_KEY = "canopy.inventory.list";
const OWN_KEYS = new Set<string>([...LIST_KEYS, "search", "includeArchived", "page", "pageSize", "sortBy", "sortOrder"]);

export function readState(params: URLSearchParams): ListState {
  const page = Number(params.get("page") ?? "1");
  const pageSize = Number(params.get("pageSize") ?? "25");
  return {
    search: params.get("search") ?? "",
    status: params.getAll("status") as Schemas["BatchStatus"][],
    category: params.getAll("category"),
    vendorId: params.getAll("vendorId"),
    brandId: params.getAll("brandId"),
    grade: params.getAll("grade"),
    stockStatus: params.getAll("stockStatus") as Schemas["StockStatus"][],
    ageBracket: params.getAll("ageBracket") as Schemas["AgingBracket"][],
    locationId: params.getAll("locationId"),
    includeArchived: params.get("includeArchived") === "true",
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    pageSize: (PAGE_SIZES as readonly number[]).includes(pageSize) ? pageSize : 25,
    sortBy: (params.get("sortBy") ?? "createdAt") as Schemas["SortField"],
    sortOrder: params.get("sortOrder") === "asc" ? "asc" : "desc",
  };
}

function writeState(state: ListState, keep: URLSearchParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of keep) if (!OWN_KEYS.has(key)) params.append(key, value);
  if (state.search.trim()) params.set("search", state.search);
  for (const key of LIST_KEYS) for (const value of state[key]) params.append(key, value);
  if (state.includeArchived) params.set("includeArchived", "true");
  if (state.page !== 1) params.set("page", String(state.page));
  if (state.pageSize !== 25) params.set("pageSize", String(state.pageSize));
  if (state.sortBy !== "createdAt") params.set("sortBy", state.sortBy);
  if (state.sortOrder !== "desc") params.set("sortOrder", state.sortOrder);
  return params;
}

/**
 * The query string as it is now. React Router hands its setter the parameters of the last
 * render, and applies navigations in a transition: two updates in quick succession (a filter
 * clicked while a debounced search is pending) would each start from the same old parameters
 * and the second would undo the first. The browser's location is updated at once.
 */
export function latestParams(): URLSearchParams {
  return new URLSearchParams(window.location.search);
}

export function hasFilters(state: ListState): boolean {
  return Boolean(state.search.trim()) || state.includeArchived || LIST_KEYS.some((key) => state[key].length > 0);
}

export function clearedFilters(state: ListState): ListState {
  return {
    ...state,
    search: "",
    status: [],
    category: [],
    vendorId: [],
    brandId: [],
    grade: [],
    stockStatus: [],
    ageBracket: [],
    locationId: [],
    includeArchived: false,
    page: 1,
  };
}

/** The URL's query, or, when it names no filter, sort or page, the list as it was left. */
export function withRemembered(params: URLSearchParams): URLSearchParams {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (!saved || [...params.keys()].some((key) => OWN_KEYS.has(key))) return params;
  const restored = new URLSearchParams(saved);
  for (const [key, value] of params) restored.append(key, value);
  return restored;
}

/** The list state from the URL, and a setter that writes it back (and remembers it). */
export type SetListState = (next: ListState | ((current: ListState) => ListState)) => void;

export function useListState(): [ListState, SetListState, URLSearchParams, SetURLSearchParams] {
  const [params, setParams] = useSearchParams();
  // Coming back to /inventory without a query: the list as it was left, from the first render
  // (no request for the default list first), and in the URL right after.
  const effective = useMemo(() => withRemembered(params), [params]);
  const state = useMemo(() => readState(effective), [effective]);
  useEffect(() => {
    if (effective !== params) setParams(effective, { replace: true });
  }, [effective, params, setParams]);

  // An updater gets the state of the URL as it is when applied (a debounced search must not
  // undo a filter chosen meanwhile).
  const setState = useCallback<SetListState>(
    (next) => {
      setParams(() => {
        const current = latestParams();
        const written = writeState(typeof next === "function" ? next(readState(current)) : next, current);
        const own = new URLSearchParams([...written].filter(([key]) => OWN_KEYS.has(key)));
        localStorage.setItem(STORAGE_KEY, own.toString());
        return written;
      });
    },
    [setParams],
  );
  return [state, setState, params, setParams];
}
