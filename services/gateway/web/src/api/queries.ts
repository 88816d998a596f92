import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "./client";
import type { paths } from "./schema";

/**
 * The queries a screen needs before it can show anything, defined once: the components use
 * them, and the application starts them at load (app/startup.ts) so that they run side by side
 * instead of one after the other.
 */
export const meQuery = queryOptions({
  queryKey: ["me"],
  queryFn: () => unwrap(api.GET("/api/v1/auth/me")),
  staleTime: 60_000,
});

export const sitesQuery = queryOptions({
  queryKey: ["sites"],
  queryFn: () => unwrap(api.GET("/api/v1/sites")),
  staleTime: 5 * 60_000,
});

export type EnhancedQuery = NonNullable<paths["/api/v1/batches/enhanced"]["get"]["parameters"]["query"]>;

/** The enhanced list of one site with the given filters, sort and page (empty ones left out). */
export function enhancedListQuery(siteId: string, state: Record<string, unknown>) {
  const query: EnhancedQuery = { siteId: [siteId] };
  for (const [key, value] of Object.entries(state)) {
    if (Array.isArray(value) ? value.length > 0 : value !== "" && value !== false) Object.assign(query, { [key]: value });
  }
  return queryOptions({
    queryKey: ["batches", "enhanced", query],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/batches/enhanced", { params: { query }, signal })),
  });
}
