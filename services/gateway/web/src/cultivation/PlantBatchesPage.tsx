import { Link, useSearchParams } from "react-router";

import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { formatDay } from "../ui/decimal";
import { ListStates } from "./parts";
import { usePlantBatches } from "./queries";

/** Cultivation > Plant batches: the site's plant batches by name, each opening its detail. */
export default function PlantBatchesPage() {
  const { site } = useSites();
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const includeEmpty = params.get("empty") === "1";
  const list = usePlantBatches(site?.id ?? "", includeEmpty);
  const batches = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="cultivation">
      <div className="page-header">
        <h1>Plant batches</h1>
        <span className="muted">{site?.name}</span>
        <div className="page-actions">
          {can("POST /api/v1/plant-batches") && (
            <Link className="button button-primary" to="/cultivation/plant-batches/new">
              New plant batch
            </Link>
          )}
        </div>
      </div>
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
      <ListStates
        pending={list.isPending}
        error={list.error}
        retry={() => void list.refetch()}
        empty={batches.length === 0}
        what="plant batches"
        emptyTestId="plant-batches-empty"
      >
        <p>Plant a batch of seeds or clones to start tracking it here{can("POST /api/v1/plant-batches") ? "." : " (ask someone who may create them)."}</p>
      </ListStates>
      {batches.length > 0 && (
        <div className="table-scroll">
          <table className="grid compact" data-testid="plant-batches">
            <caption className="visually-hidden">Plant batches of {site?.name}</caption>
            <thead>
              <tr>
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
              </tr>
            </thead>
            <tbody>
              {batches.map((b) => (
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
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <button type="button" className="button" disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {list.isFetchingNextPage ? "Loading…" : "More plant batches"}
        </button>
      )}
    </div>
  );
}
