import { ApiError } from "./errors";

/** What every cursor-paged list query shares: the first page asked without a cursor, the next
 * one with the cursor the last page gave, while the API says there is more. */
export const cursorPages = {
  initialPageParam: "",
  getNextPageParam: (page: { hasMore: boolean; nextCursor?: string | null }) => (page.hasMore ? (page.nextCursor ?? undefined) : undefined),
};

/** The cursor query parameter of a page (none for the first). */
export const cursorOf = (pageParam: string) => (pageParam ? { cursor: pageParam } : {});

/** A record that is not there (a wrong address) is said at once, not after retries. */
export const notWhenMissing = (count: number, error: unknown) => !(error instanceof ApiError && error.isNotFound) && count < 2;
