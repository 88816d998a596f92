import type { ReactNode } from "react";

import { useSites } from "../app/SiteProvider";
import { useUrlFilters } from "../ui/searchParams";

/** The API reads at most this many `siteId`; none at all means every site the caller is granted. */
const MAX_SITE_IDS = 100;

export interface ReportScope {
  /** "All my sites" chosen (`?sites=all`) and the user has more than one site. */
  all: boolean;
  /** What the report is asked for: the site worked in, or every site of the user. */
  siteIds: string[];
  /** The header's words for it. */
  label: string;
  /** The CSV file names' words for it: the site's license, or "all-sites". */
  fileTag: string;
}

/**
 * Which sites a report covers: the site being worked in (the switcher's), or, for a user granted
 * several, all of them at once (the reporting API adds the sites up). The choice is kept in the
 * address (`?sites=all`), so a link or a reload shows the same report.
 */
export function useReportScope(): [ReportScope, (all: boolean) => void] {
  const { sites, site } = useSites();
  const [params, set] = useUrlFilters();
  const all = params.get("sites") === "all" && sites.length > 1;
  const ids = all ? sites.map((s) => s.id) : site ? [site.id] : [];
  const scope: ReportScope = {
    all,
    siteIds: ids.length > MAX_SITE_IDS ? [] : ids,
    label: all ? `All my sites (${sites.length})` : site ? `${site.name} · ${site.licenseNumber}` : "",
    fileTag: all ? "all-sites" : (site?.licenseNumber ?? "site"),
  };
  return [scope, (next) => set("sites", next ? "all" : "")];
}

/** A report's header: its title, the sites it covers, the choice of them and its actions (a CSV download). */
export function ReportHeader({ title, scope, onScope, children }: { title: string; scope: ReportScope; onScope: (all: boolean) => void; children: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      <span className="muted" data-testid="report-sites">
        {scope.label}
      </span>
      <div className="page-actions">
        <ScopeChoice scope={scope} onChange={onScope} />
        {children}
      </div>
    </div>
  );
}

/** The choice between the site worked in and all of the user's sites (offered only to a user with several). */
function ScopeChoice({ scope, onChange }: { scope: ReportScope; onChange: (all: boolean) => void }) {
  const { sites, site } = useSites();
  if (sites.length < 2 || !site) return null;
  return (
    <label className="inline">
      Sites
      <select value={scope.all ? "all" : "site"} onChange={(e) => onChange(e.target.value === "all")} data-testid="report-scope">
        <option value="site">
          {site.name} ({site.licenseNumber})
        </option>
        <option value="all">All my sites ({sites.length})</option>
      </select>
    </label>
  );
}
