import { useState } from "react";
import { Link } from "react-router";

import { api, unwrap, type Schemas } from "../api/client";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { LocationSelect } from "../inventory/LocationSelect";
import { useLocations } from "../inventory/queries";
import { formatDay } from "../ui/decimal";
import { Field } from "../ui/Field";
import { ListPage, listItems } from "../ui/ListPage";
import { useUrlFilters } from "../ui/searchParams";
import { WriteDialog } from "../ui/WriteDialog";
import { PHASE_LABELS, PhaseBadge, PLANT_STATE_LABELS } from "./parts";
import { usePlants, useRefreshCultivation } from "./queries";
import { dateProblem, today } from "./rules";

const PHASES: Schemas["GrowthPhase"][] = ["Vegetative", "Flowering"];
const STATES: Schemas["PlantState"][] = ["TRACKED", "HARVESTED", "DESTROYED"];

/** Cultivation > Plants: the site's tracked plants by tag (filtered by plant batch, phase and
 * state, in the URL); growing ones are chosen to change their growth phase or to be harvested. */
export default function PlantsPage() {
  const { site } = useSites();
  const { can } = useAuth();
  const [params, set] = useUrlFilters();
  const filters = {
    plantBatchId: params.get("plantBatch") ?? undefined,
    growthPhase: (params.get("phase") ?? undefined) as Schemas["GrowthPhase"] | undefined,
    state: (params.get("state") ?? "TRACKED") as Schemas["PlantState"],
  };
  const list = usePlants(site?.id ?? "", filters);
  const plants = listItems(list);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [phaseTo, setPhaseTo] = useState<Schemas["GrowthPhase"] | null>(null);
  const selected = plants.filter((p) => chosen.has(p.tag) && p.state === "TRACKED");
  const toggle = (tag: string) =>
    setChosen((current) => {
      const next = new Set(current);
      if (!next.delete(tag)) next.add(tag);
      return next;
    });
  const allFlowering = selected.length > 0 && selected.every((p) => p.growthPhase === "Flowering");
  return (
    <ListPage
      className="cultivation"
      title="Plants"
      subtitle={site?.name}
      toolbar={
        <>
          <form className="toolbar" role="search" aria-label="Filter the plants" onSubmit={(e) => e.preventDefault()}>
            <label className="inline">
              Growth phase
              <select value={filters.growthPhase ?? ""} onChange={(e) => set("phase", e.target.value)} data-testid="plants-phase">
                <option value="">Any</option>
                {PHASES.map((p) => (
                  <option key={p} value={p}>
                    {PHASE_LABELS[p]}
                  </option>
                ))}
              </select>
            </label>
            <label className="inline">
              State
              <select value={filters.state} onChange={(e) => set("state", e.target.value)} data-testid="plants-state">
                {STATES.map((s) => (
                  <option key={s} value={s}>
                    {PLANT_STATE_LABELS[s]}
                  </option>
                ))}
              </select>
            </label>
            {filters.plantBatchId && (
              <button type="button" className="button button-small" onClick={() => set("plantBatch", "")}>
                Every plant batch
              </button>
            )}
          </form>
          {selected.length > 0 && (
            <div className="bulk-bar" role="region" aria-label="Chosen plants" data-testid="plants-bar">
              <span>{selected.length} chosen</span>
              {can("POST /api/v1/plants/growth-phase") &&
                PHASES.map((phase) => (
                  <button key={phase} type="button" className="button" disabled={selected.every((p) => p.growthPhase === phase)} onClick={() => setPhaseTo(phase)}>
                    Move to {PHASE_LABELS[phase].toLowerCase()}
                  </button>
                ))}
              {can("POST /api/v1/harvests") && allFlowering && (
                <Link className="button button-primary" to={`/cultivation/harvests/new?tags=${selected.map((p) => p.tag).join(",")}`}>
                  Record harvest
                </Link>
              )}
              <button type="button" className="button button-ghost" onClick={() => setChosen(new Set())}>
                Clear
              </button>
            </div>
          )}
        </>
      }
      list={list}
      what="plants"
      emptyTestId="plants-empty"
      empty={<p>Plants appear here once a plant batch moves them into growth with their tags.</p>}
      tableTestId="plants"
      caption="Tracked plants"
      columns={
        <>
          <th scope="col" className="select-cell">
            <span className="visually-hidden">Choose</span>
          </th>
          <th scope="col">Tag</th>
          <th scope="col">Plant batch</th>
          <th scope="col">Strain</th>
          <th scope="col">Phase</th>
          <th scope="col">Vegetative since</th>
          <th scope="col">Flowering since</th>
          <th scope="col">Harvested</th>
        </>
      }
      row={(p) => (
        <tr key={p.id} data-tag={p.tag} className={chosen.has(p.tag) ? "selected" : undefined}>
          <td className="select-cell">
            {p.state === "TRACKED" && <input type="checkbox" aria-label={`Choose plant ${p.tag}`} checked={chosen.has(p.tag)} onChange={() => toggle(p.tag)} />}
          </td>
          <td>
            <code>{p.tag}</code>
          </td>
          <td>
            <Link to={`/cultivation/plant-batches/${p.plantBatchId}`}>{p.plantBatchName}</Link>
          </td>
          <td>{p.strain}</td>
          <td>
            <PhaseBadge plant={p} />
          </td>
          <td>{formatDay(p.vegetativeDate)}</td>
          <td>{p.floweringDate ? formatDay(p.floweringDate) : "—"}</td>
          <td>{p.harvestId ? <Link to={`/cultivation/harvests/${p.harvestId}`}>{p.harvestedDate ? formatDay(p.harvestedDate) : "Harvest"}</Link> : "—"}</td>
        </tr>
      )}
      more="More plants"
    >
      {site && phaseTo && (
        <ChangePhaseDialog siteId={site.id} tags={selected.map((p) => p.tag)} phase={phaseTo} onClose={() => setPhaseTo(null)} onDone={() => setChosen(new Set())} />
      )}
    </ListPage>
  );
}

function ChangePhaseDialog({ siteId, tags, phase, onClose, onDone }: { siteId: string; tags: string[]; phase: Schemas["GrowthPhase"]; onClose: () => void; onDone: () => void }) {
  const refresh = useRefreshCultivation();
  const locations = useLocations(siteId);
  const [locationId, setLocationId] = useState("");
  const [actualDate, setActualDate] = useState(today());
  const dateError = dateProblem(actualDate);
  return (
    <WriteDialog<Schemas["PlantsResult"]>
      open
      onOpenChange={(open) => !open && onClose()}
      title={`Move ${tags.length} plants to ${phase.toLowerCase()}`}
      description="The plants chosen change phase together; a plant already in that phase refuses the whole change."
      noun="plant"
      invalid={Boolean(dateError)}
      submitLabel={`Move to ${phase.toLowerCase()}`}
      success={(result) => `${result.plants.length} plants now ${phase.toLowerCase()}`}
      testId="change-phase-dialog"
      write={(key) =>
        unwrap(
          api.POST("/api/v1/plants/growth-phase", {
            params: { header: { "Idempotency-Key": key } },
            body: { siteId, tags, growthPhase: phase, locationId: locationId || null, actualDate },
          }),
        )
      }
      onDone={() => {
        refresh();
        onDone();
      }}
      reload={refresh}
    >
      {(errors) => (
        <>
          <Field label="Location" error={errors.locationId}>
            {(control) => (
              <LocationSelect control={control} locations={locations} value={locationId} onChange={setLocationId} empty="Where each plant is" />
            )}
          </Field>
          <Field label="Date" required error={(actualDate ? dateError : undefined) ?? errors.actualDate} hint="YYYY-MM-DD, not in the future">
            {(control) => <input {...control} type="date" max={today()} value={actualDate} onChange={(e) => setActualDate(e.target.value)} />}
          </Field>
        </>
      )}
    </WriteDialog>
  );
}
