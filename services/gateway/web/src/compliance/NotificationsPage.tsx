import { useUrlFilters } from "../ui/searchParams";

import { NotificationList } from "./Notifications";

/** Compliance > Notifications: the feed filtered by license and open ones only (in the URL),
 * each with the guide's guidance. */
export default function NotificationsPage() {
  const [params, set] = useUrlFilters();
  const licenseNumber = params.get("license") ?? "";
  const openOnly = params.get("open") === "1";
  return (
    <div className="compliance">
      <div className="page-header">
        <h1>Notifications</h1>
        <span className="muted">Refused or failed pushes, keys refused or expiring, backlogs and drifts, newest first.</span>
      </div>
      <form className="toolbar" role="search" aria-label="Filter the notifications" onSubmit={(e) => e.preventDefault()}>
        <label className="inline">
          License
          <input
            defaultValue={licenseNumber}
            onBlur={(e) => set("license", e.target.value.trim())}
            onKeyDown={(e) => e.key === "Enter" && set("license", e.currentTarget.value.trim())}
            data-testid="notifications-license"
          />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={openOnly} onChange={(e) => set("open", e.target.checked ? "1" : "")} data-testid="notifications-open" />
          Open only
        </label>
      </form>
      <NotificationList filter={{ licenseNumber, openOnly, limit: 200 }} empty={openOnly ? "No open notification." : "No notifications."} />
    </div>
  );
}
