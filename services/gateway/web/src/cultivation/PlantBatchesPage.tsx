import { Link, useSearchParams } from "react-router";

import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { formatDay } from "../ui/decimal";
import { ListPage } from "../ui/ListPage";
import { usePlantBatches } from "./queries";

/** Cultivation > Plant batches: the site's plant batches by name, each opening its detail. */
export default function PlantBatchesPage() {
  const { site } = useSites();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const includeEmpty = params.get("empty") === "1";
  const list = usePlantBatches(site?.id ?? "", includeEmpty);
  return (
    <ListPage
      className="cultivation"
      title="Plant batches"
      subtitle={site?.name}
      actions={
        can("POST /api/v1/plant-batches") && (
          <Link className="button button-primary" to="/cultivation/plant-batches/new">
            New plant batch
          </Link>
        )
      }
      toolbar={
        <div className="toolbar">
          <label className="checkbox">
            <input
              type="checkbox"
              checked={includeEmpty}
              onChange={(e) => setParams(e.target.checked ? { empty: "1" } : {}, { replace: true })}
              data-testid="include-empty"
            />
            Also batches with no plants left
          </label>
        </div>
      }
      list={list}
      what="plant batches"
      emptyTestId="plant-batches-empty"
      empty={<p>Plant a batch of seeds or clones to start tracking it here{can("POST /api/v1/plant-batches") ? "." : " (ask someone who may create them)."}</p>}
      tableTestId="plant-batches"
      caption={<>Plant batches of {site?.name}</>}
      columns={
        <>
          <th scope="col">Name</th>
          <th scope="col">Type</th>
          <th scope="col">Strain</th>
          <th scope="col">Location</th>
          <th scope="col">Planted</th>
          <th scope="col" className="numeric">
            Plants
          </th>
          <th scope="col" className="numeric">
            Into growth
          </th>
          <th scope="col" className="numeric">
            Destroyed
          </th>
        </>
      }
      row={(b) => (
        <tr key={b.id} data-name={b.name}>
          <th scope="row">
            <Link to={`/cultivation/plant-batches/${b.id}`}>{b.name}</Link>
          </th>
          <td>{b.type}</td>
          <td>{b.strain}</td>
          <td>{b.locationLabel}</td>
          <td>{formatDay(b.plantedDate)}</td>
          <td className="numeric" data-testid="plant-count">
            {b.count}
          </td>
          <td className="numeric">{b.trackedCount}</td>
          <td className="numeric">{b.destroyedCount}</td>
        </tr>
      )}
      more="More plant batches"
    />
  );
}
