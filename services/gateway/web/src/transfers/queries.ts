import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";

import { api, unwrap, type Schemas } from "../api/client";
import { cursorOf, cursorPages, notWhenMissing } from "../api/paging";
import { ApiError } from "../api/errors";
import { useAuth } from "../auth/AuthProvider";

/** Transfers' reads, all under the ["transfers"] key, so one write refetches them all. */

export const PAGE_SIZE = 25;

export function useOutgoingTransfers(siteId: string, status: Schemas["TransferStatus"] | "") {
  return useInfiniteQuery({
    queryKey: ["transfers", "outgoing", siteId, status],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/outgoing-transfers", {
          params: { query: { siteId, limit: PAGE_SIZE, ...(status ? { status } : {}), ...cursorOf(pageParam) } },
          signal,
        }),
      ),
    ...cursorPages,
    placeholderData: keepPreviousData,
    enabled: siteId !== "",
  });
}

export function useOutgoingTransfer(transferId: string) {
  return useQuery({
    queryKey: ["transfers", "outgoing", "one", transferId],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/outgoing-transfers/{transferId}", { params: { path: { transferId } }, signal })),
    retry: notWhenMissing,
    // A sent transfer settles when Metrc reports the receiver: followed until it does.
    refetchInterval: (query) => (query.state.data?.status === "SENT" ? 3000 : false),
  });
}

/**
 * Compliance's side of a transfer: its Metrc template and manifest, or null while compliance has
 * not recorded the transfer (TRANSFER_NOT_TRACKED: the event is on its way, or the site does not
 * report to Metrc). Only for those who may read it (compliance:sync); `follow` re-reads it every
 * few seconds while Metrc's side is still moving (the worker's round is 5 s by default).
 */
export function useTransferManifest(transferId: string, follow: boolean) {
  const { can } = useAuth();
  return useQuery({
    queryKey: ["transfers", "manifest", transferId],
    queryFn: async ({ signal }) => {
      try {
        return await unwrap(api.GET("/api/v1/compliance/transfers/{transferId}", { params: { path: { transferId } }, signal }));
      } catch (error) {
        if (error instanceof ApiError && error.code === "TRANSFER_NOT_TRACKED") return null;
        throw error;
      }
    },
    enabled: can("GET /api/v1/compliance/transfers/{transferId}"),
    refetchInterval: follow ? 3000 : false,
  });
}

/** Batches that can go on a manifest: sellable (Live or photographed) with stock, matching a
 * search; the screen keeps those with a Metrc tag and nothing set aside. */
export function useShippableBatches(siteId: string, search: string, page: number) {
  return useQuery({
    queryKey: ["batches", "shippable", siteId, search, page],
    queryFn: ({ signal }) =>
      unwrap(
        api.GET("/api/v1/batches/enhanced", {
          params: {
            query: {
              siteId: [siteId],
              status: ["LIVE", "PHOTOGRAPHY_COMPLETE"],
              stockStatus: ["IN_STOCK", "LOW_STOCK"],
              page,
              pageSize: 50,
              sortBy: "code",
              sortOrder: "asc",
              ...(search.trim() ? { search: search.trim() } : {}),
            },
          },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
    enabled: siteId !== "",
  });
}

/** After a write: the transfers are refetched, and the batches (their reservations changed). */
export function useRefreshTransfers() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: ["transfers"] });
    void client.invalidateQueries({ queryKey: ["batches"] });
  };
}

/** Incoming transfers: Metrc deliveries to the site's license, as compliance pulled them. */
export function useIncomingTransfers(siteId: string, status: Schemas["IncomingTransferStatus"] | "") {
  return useInfiniteQuery({
    queryKey: ["transfers", "incoming", siteId, status],
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        api.GET("/api/v1/incoming-transfers", {
          params: { query: { siteId, limit: PAGE_SIZE, ...(status ? { status } : {}), ...cursorOf(pageParam) } },
          signal,
        }),
      ),
    ...cursorPages,
    placeholderData: keepPreviousData,
    enabled: siteId !== "",
  });
}

export function useIncomingTransfer(transferId: string) {
  return useQuery({
    queryKey: ["transfers", "incoming", "one", transferId],
    queryFn: ({ signal }) => unwrap(api.GET("/api/v1/incoming-transfers/{transferId}", { params: { path: { transferId } }, signal })),
    retry: notWhenMissing,
  });
}
