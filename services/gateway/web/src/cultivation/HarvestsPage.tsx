import { Link, useSearchParams } from "react-router";

import type { Schemas } from "../api/client";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { formatDay, formatQty } from "../ui/decimal";
import { ListPage } from "../ui/ListPage";
import { HarvestStatusBadge } from "./parts";
import { useHarvests } from "./queries";

/** Cultivation > Harvests: the site's harvests, newest first, with their weights. */
export default function HarvestsPage() {
  const { site } = useSites();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "") as Schemas["HarvestStatus"] | "";
  const list = useHarvests(site?.id ?? "", status);
  return (
    <ListPage
      className="cultivation"
      title="Harvests"
      subtitle={site?.name}
      actions={
        can("POST /api/v1/harvests") && (
          <Link className="button button-primary" to="/cultivation/harvests/new">
            Record harvest
          </Link>
        )
      }
      toolbar={
        <div className="toolbar">
          <label className="inline">
            Status
            <select value={status} onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })} data-testid="harvest-status">
              <option value="">Any</option>
              <option value="ACTIVE">Active</option>
              <option value="FINISHED">Finished</option>
            </select>
          </label>
        </div>
      }
      list={list}
      what="harvests"
      emptyTestId="harvests-empty"
      empty={<p>A harvest is recorded from flowering plants (Plants screen, or a plant batch's Record harvest).</p>}
      tableTestId="harvests"
      caption={<>Harvests of {site?.name}</>}
      columns={
        <>
          <th scope="col">Name</th>
          <th scope="col">Harvested</th>
          <th scope="col">Strains</th>
          <th scope="col" className="numeric">Plants</th>
          <th scope="col" className="numeric">Wet</th>
          <th scope="col" className="numeric">Waste</th>
          <th scope="col" className="numeric">Packaged</th>
          <th scope="col" className="numeric">Left</th>
          <th scope="col">Status</th>
        </>
      }
      row={(h) => (
        <tr key={h.id} data-name={h.name}>
          <th scope="row">
            <Link to={`/cultivation/harvests/${h.id}`}>{h.name}</Link>
          </th>
          <td>{formatDay(h.harvestDate)}</td>
          <td>{h.strains.join(", ")}</td>
          <td className="numeric">{h.plantCount}</td>
          <td className="numeric">
            {formatQty(h.wetWeight)} {h.unitOfWeight}
          </td>
          <td className="numeric">{formatQty(h.wasteWeight)}</td>
          <td className="numeric">{formatQty(h.packagedWeight)}</td>
          <td className="numeric" data-testid="current-weight">
            {formatQty(h.currentWeight)}
          </td>
          <td>
            <HarvestStatusBadge status={h.status} />
          </td>
        </tr>
      )}
      more="Older harvests"
    />
  );
}
