import type { QueryClient } from "@tanstack/react-query";

import { meQuery, sitesQuery } from "../api/queries";
import { session } from "../auth/session";
import { ignore } from "../ui/ignore";
import { SCREENS } from "./modules";

/**
 * At page load, for a signed-in person, everything the first screen waits for starts at once:
 * their permissions, their sites, the screen's code and its first request. Otherwise each waits
 * for the one before (permissions, then sites, then the screen's chunk, then its data): four
 * round trips in a row instead of one.
 */
export function startLoading(client: QueryClient): void {
  if (!session.signedIn) return;
  client.query(meQuery).catch(ignore);
  client.query(sitesQuery).catch(ignore);
  const screen = SCREENS.find((s) => s.path === location.pathname);
  if (screen) {
    void screen.load();
    screen.prefetch?.(client);
  }
}
