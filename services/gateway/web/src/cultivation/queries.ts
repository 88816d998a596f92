import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";
import { cursorOf, cursorPages, notWhenMissing } from "../api/paging";

/** Cultivation's reads, all under the ["cultivation"] key, so one write refetches them all. */

export function usePlantBatches(siteId: string, includeEmpty: boolean) {
  return useInfiniteQuery({
    queryKey: ["cultivation", "plant-batches", siteId, includeEmpty],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/plant-batches", {
          params: { query: { siteId, includeEmpty, limit: 50, ...cursorOf(pageParam) } },
          signal,
        }),
      ),
    ...cursorPages,
    placeholderData: keepPreviousData,
  });
}

export function usePlantBatch(plantBatchId: string) {
  return useQuery({
    queryKey: ["cultivation", "plant-batch", plantBatchId],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/plant-batches/{plantBatchId}", { params: { path: { plantBatchId } }, signal })),
    retry: notWhenMissing,
  });
}

export function usePlantMovements(plantBatchId: string) {
  return useInfiniteQuery({
    queryKey: ["cultivation", "plant-batch", plantBatchId, "movements"],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/plant-batches/{plantBatchId}/movements", {
          params: { path: { plantBatchId }, query: { limit: 100, ...cursorOf(pageParam) } },
          signal,
        }),
      ),
    ...cursorPages,
  });
}

export interface PlantFilters {
  plantBatchId?: string | undefined;
  growthPhase?: Schemas["GrowthPhase"] | undefined;
  state?: Schemas["PlantState"] | undefined;
}

export function usePlants(siteId: string, filters: PlantFilters) {
  const query = Object.fromEntries(Object.entries(filters).filter(([, value]) => value));
  return useInfiniteQuery({
    queryKey: ["cultivation", "plants", siteId, query],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/plants", {
          params: { query: { siteId, ...query, limit: 500, ...cursorOf(pageParam) } },
          signal,
        }),
      ),
    ...cursorPages,
    placeholderData: keepPreviousData,
  });
}

export function useHarvests(siteId: string, status: Schemas["HarvestStatus"] | "") {
  return useInfiniteQuery({
    queryKey: ["cultivation", "harvests", siteId, status],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/harvests", {
          params: { query: { siteId, limit: 50, ...(status ? { status } : {}), ...cursorOf(pageParam) } },
          signal,
        }),
      ),
    ...cursorPages,
    placeholderData: keepPreviousData,
  });
}

export function useHarvest(harvestId: string) {
  return useQuery({
    queryKey: ["cultivation", "harvest", harvestId],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/harvests/{harvestId}", { params: { path: { harvestId } }, signal })),
    retry: notWhenMissing,
  });
}

/** After a write: every cultivation read is refetched (and the batch list, which packages join). */
export function useRefreshCultivation() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ["cultivation"] });
    void client.invalidateQueries({ queryKey: ["batches"] });
  };
}
