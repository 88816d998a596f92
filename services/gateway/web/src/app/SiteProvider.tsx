import { useQuery } from "@tanstack/react-query";
import { createContext, use, useEffect, useMemo, useState, type ReactNode } from "react";

import type { Schemas } from "../api/client";
import { sitesQuery } from "../api/queries";
import { useAuth } from "../auth/AuthProvider";
import { session } from "../auth/session";

interface Sites {
  sites: Schemas["Site"][];
  site: Schemas["Site"] | undefined;
  isLoading: boolean;
  error: unknown;
  refetch: () => void;
  choose: (siteId: string) => void;
}

/** Where the browser remembers the site a user last worked in (per user). */
export function siteStorageKey(userId: string | null): string {
  return `canopy.site.${userId ?? ""}`;
}
const SiteContext = createContext<Sites | null>(null);

/**
 * The sites the signed-in user may see (the inventory's GET /sites, already filtered by their
 * grants) and the one they are working in. Screens scope their requests to that site: one site's
 * batches are what a person works with, and what the enhanced list serves fastest.
 */
export function SiteProvider({ children }: { children: ReactNode }) {
  const { signedIn } = useAuth();
  // Asked for as soon as the person is signed in, beside their permissions (every role may
  // read sites; a user with no role at all gets an error here and "access denied" on screens).
  const query = useQuery({ ...sitesQuery, enabled: signedIn });
  const key = siteStorageKey(session.userId);
  const [chosen, setChosen] = useState(() => localStorage.getItem(key));

  const value = useMemo<Sites>(() => {
    const sites = [...(query.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    return {
      sites,
      site: sites.find((s) => s.id === chosen) ?? sites[0],
      isLoading: query.isLoading,
      error: query.error,
      refetch: () => void query.refetch(),
      choose: (siteId) => {
        localStorage.setItem(key, siteId);
        setChosen(siteId);
      },
    };
  }, [query, chosen, key]);

  // Remembered even when never chosen (the first site), so the next page load can ask for its
  // batches at once (app/startup.ts).
  const siteId = value.site?.id;
  useEffect(() => {
    if (siteId) localStorage.setItem(key, siteId);
  }, [key, siteId]);

  return <SiteContext value={value}>{children}</SiteContext>;
}

export function useSites(): Sites {
  const sites = use(SiteContext);
  if (!sites) throw new Error("useSites outside SiteProvider");
  return sites;
}
