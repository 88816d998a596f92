import { useQuery } from "@tanstack/react-query";
import { createContext, use, useMemo, useState, type ReactNode } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { useAuth } from "../auth/AuthProvider";

interface Sites {
  sites: Schemas["Site"][];
  site: Schemas["Site"] | undefined;
  isLoading: boolean;
  error: unknown;
  refetch: () => void;
  choose: (siteId: string) => void;
}

const STORAGE_KEY = "canopy.site";
const SiteContext = createContext<Sites | null>(null);

/**
 * The sites the signed-in user may see (the inventory's GET /sites, already filtered by their
 * grants) and the one they are working in. Screens scope their requests to that site: one site's
 * batches are what a person works with, and what the enhanced list serves fastest.
 */
export function SiteProvider({ children }: { children: ReactNode }) {
  const { can, signedIn } = useAuth();
  const enabled = signedIn && can("GET /api/v1/sites");
  const query = useQuery({
    queryKey: ["sites"],
    queryFn: () => unwrap(api.GET("/api/v1/sites")),
    enabled,
    staleTime: 5 * 60_000,
  });
  const [chosen, setChosen] = useState(() => localStorage.getItem(STORAGE_KEY));

  const value = useMemo<Sites>(() => {
    const sites = [...(query.data ?? [])].sort((a, b) => a.name.localeCompare(b.name));
    return {
      sites,
      site: sites.find((s) => s.id === chosen) ?? sites[0],
      isLoading: query.isLoading,
      error: query.error,
      refetch: () => void query.refetch(),
      choose: (siteId) => {
        localStorage.setItem(STORAGE_KEY, siteId);
        setChosen(siteId);
      },
    };
  }, [query, chosen]);

  return <SiteContext value={value}>{children}</SiteContext>;
}

export function useSites(): Sites {
  const sites = use(SiteContext);
  if (!sites) throw new Error("useSites outside SiteProvider");
  return sites;
}
