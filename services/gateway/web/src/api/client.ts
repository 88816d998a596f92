import createClient from "openapi-fetch";

import { session } from "../auth/session";
import { ApiError, NetworkError } from "./errors";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

/** The typed client of the gateway's public API (types generated from its OpenAPI document). */
export const api = createClient<paths>({
  baseUrl: "",
  fetch: async (request: Request) => {
    try {
      return await session.fetch(request);
    } catch (error) {
      if (error instanceof TypeError) throw new NetworkError();
      throw error;
    }
  },
});

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or an ApiError carrying the gateway's code, message and details. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw ApiError.from(response, error);
  return data as T;
}

interface Page<T> {
  items: T[];
  nextCursor?: string | null;
  hasMore: boolean;
}

/** Every item of a cursor-paged list, page after page (reference lists: vendors, brands...). */
export async function everyPage<T>(page: (cursor?: string) => Promise<Answer<Page<T>>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const answer = await unwrap(page(cursor));
    items.push(...answer.items);
    if (!answer.hasMore || !answer.nextCursor) return items;
    cursor = answer.nextCursor;
  }
}

/** A fresh Idempotency-Key for one user action: a retry of the same action reuses it. */
export function idempotencyKey(): string {
  // randomUUID exists only in secure contexts (https, localhost); a LAN address over http is not.
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
