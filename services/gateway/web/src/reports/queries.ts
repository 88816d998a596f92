import { queryOptions } from "@tanstack/react-query";

import { api, unwrap } from "../api/client";

/**
 * The reporting service's answers, for the sites asked for (the one being worked in, or all of
 * the user's: reports/scope.tsx). Reports are read models built
 * from events: each answer carries `asOf` (every event published before it is counted), which
 * the screens show beside the figures.
 */
export function dashboardQuery(siteId: string) {
  return queryOptions({
    queryKey: ["reports", "dashboard", siteId],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/reports/dashboard", { params: { query: { siteId: [siteId] } }, signal })),
    staleTime: 10_000,
  });
}

export function agingQuery(siteIds: string[], top: number) {
  return queryOptions({
    queryKey: ["reports", "aging", siteIds, top],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/reports/aging", { params: { query: { siteId: siteIds, top } }, signal })),
    staleTime: 10_000,
  });
}

export function profitabilityQuery(siteIds: string[]) {
  return queryOptions({
    queryKey: ["reports", "profitability", siteIds],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/reports/profitability", { params: { query: { siteId: siteIds } }, signal })),
    staleTime: 10_000,
  });
}

export function batchProfitabilityQuery(batchId: string) {
  return queryOptions({
    queryKey: ["reports", "profitability", "batch", batchId],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/reports/profitability/batches/{batchId}", { params: { path: { batchId } }, signal })),
    staleTime: 10_000,
  });
}
