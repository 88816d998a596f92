import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, everyPage, unwrap } from "../api/client";
import { enhancedListQuery } from "../api/queries";
import { useAuth } from "../auth/AuthProvider";
import type { ListState } from "./listState";

export function useEnhancedList(siteId: string, state: ListState) {
  return useQuery(enhancedListQuery(siteId, { ...state }));
}

export function useBatchDetail(batchId: string | null) {
  return useQuery({
    queryKey: ["batch", batchId, "detail"],
    queryFn: ({ signal }) =>
      unwrap(api.GET("/api/v1/batches/{batchId}/detail", { params: { path: { batchId: batchId ?? "" } }, signal })),
    enabled: batchId !== null,
  });
}

export function useVendors(enabled = true) {
  return useQuery({ queryKey: ["vendors"], queryFn: () => everyPage((cursor) => api.GET("/api/v1/vendors", { params: { query: { limit: 500, cursor } } })), staleTime: 60_000, enabled });
}

export function useBrands(enabled = true) {
  return useQuery({ queryKey: ["brands"], queryFn: () => everyPage((cursor) => api.GET("/api/v1/brands", { params: { query: { limit: 500, cursor } } })), staleTime: 60_000, enabled });
}

export function useProducts(brandId?: string) {
  return useQuery({
    queryKey: ["products", brandId ?? null],
    queryFn: () =>
      everyPage((cursor) =>
        api.GET("/api/v1/products", { params: { query: { ...(brandId ? { brandId } : {}), limit: 500, cursor } } }),
      ),
    staleTime: 60_000,
    placeholderData: keepPreviousData,
  });
}

export function useLocations(siteId: string | undefined) {
  return useQuery({
    queryKey: ["locations", siteId],
    queryFn: () => unwrap(api.GET("/api/v1/sites/{siteId}/locations", { params: { path: { siteId: siteId ?? "" } } })),
    enabled: siteId !== undefined,
    staleTime: 60_000,
  });
}

export function useLots(vendorId: string | undefined) {
  return useQuery({
    queryKey: ["lots", vendorId],
    queryFn: () =>
      everyPage((cursor) =>
        api.GET("/api/v1/vendors/{vendorId}/lots", {
          params: { path: { vendorId: vendorId ?? "" }, query: { limit: 500, cursor } },
        }),
      ),
    enabled: vendorId !== undefined,
    staleTime: 60_000,
  });
}

export function useSavedViews(wanted: boolean) {
  const { can } = useAuth();
  return useQuery({
    queryKey: ["views"],
    queryFn: () => unwrap(api.GET("/api/v1/views")),
    enabled: wanted && can("GET /api/v1/views"),
  });
}

/** After a write: the lists and the batch's detail are refetched. */
export function useRefreshBatches() {
  const client = useQueryClient();
  return (batchId?: string) => {
    void client.invalidateQueries({ queryKey: ["batches"] });
    if (batchId) void client.invalidateQueries({ queryKey: ["batch", batchId] });
  };
}
