import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type SyntheticEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";

import { api, idempotencyKey, unwrap } from "../api/client";
import { messageOf } from "../api/errors";
import { useSites } from "../app/SiteProvider";
import { LocationSelect } from "../inventory/LocationSelect";
import { useLocations } from "../inventory/queries";
import { formatQty, quantityProblem } from "../ui/decimal";
import { Field } from "../ui/Field";
import { FormProblems, useFormErrors } from "../ui/FormErrors";
import { useToast } from "../ui/toast";
import { usePlants, useRefreshCultivation } from "./queries";
import { dateProblem, problems, required, today, WEIGHT_UNITS } from "./rules";

/** /cultivation/harvests/new: the guide's "Record Harvest": the flowering plants harvested with
 * each one's wet weight, the waste weight, the drying location; `?tags=` or `?plantBatch=`
 * choose the plants already. */
export default function HarvestCreatePage() {
  const { site } = useSites();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const toast = useToast();
  const refresh = useRefreshCultivation();
  const locations = useLocations(site?.id);
  const plantBatchId = params.get("plantBatch") ?? undefined;
  const preset = new Set((params.get("tags") ?? "").split(",").filter(Boolean));
  const flowering = usePlants(site?.id ?? "", { plantBatchId, growthPhase: "Flowering", state: "TRACKED" });
  const plants = flowering.data?.pages.flatMap((p) => p.items) ?? [];
  const [weights, setWeights] = useState<Record<string, string>>({});
  const [picked, setPicked] = useState<Set<string> | null>(null);
  const chosen = picked ?? (preset.size > 0 ? preset : new Set(plantBatchId ? plants.map((p) => p.tag) : []));
  const [form, setForm] = useState({ name: "", dryingLocationId: "", unitOfWeight: "Grams", harvestDate: today(), wasteWeight: "", partial: false });
  const key = useRef(idempotencyKey());
  const rows = plants.filter((p) => chosen.has(p.tag));

  const local = problems({
    name: required(form.name, "the harvest's name"),
    dryingLocationId: form.dryingLocationId ? undefined : "Choose where it dries",
    harvestDate: dateProblem(form.harvestDate),
    plants: rows.length === 0 ? "Choose at least one flowering plant" : undefined,
    wasteWeight: form.wasteWeight.trim() ? (quantityProblem(form.wasteWeight, { positive: false }) ?? undefined) : undefined,
    ...Object.fromEntries(rows.map((p) => [`weight-${p.tag}`, quantityProblem(weights[p.tag] ?? "") ?? undefined])),
  });
  const create = useMutation({
    mutationFn: (siteId: string) =>
      unwrap(
        api.POST("/api/v1/harvests", {
          params: { header: { "Idempotency-Key": key.current } },
          body: {
            siteId,
            name: form.name.trim(),
            dryingLocationId: form.dryingLocationId,
            unitOfWeight: form.unitOfWeight,
            harvestDate: form.harvestDate,
            plants: rows.map((p) => ({ tag: p.tag, weight: (weights[p.tag] ?? "").trim() })),
            partial: form.partial,
            wasteWeight: form.wasteWeight.trim() || null,
          },
        }),
      ),
    onSuccess: (result) => {
      toast.success(`Harvest ${result.harvest.name} recorded`, `${result.harvest.plantCount} plants, ${formatQty(result.harvest.wetWeight)} ${result.harvest.unitOfWeight} wet`);
      refresh();
      void navigate(`/cultivation/harvests/${result.harvest.id}`);
    },
    onError: (error) => {
      key.current = idempotencyKey();
      toast.error("The harvest was not recorded", messageOf(error));
    },
  });
  const errors = useFormErrors(local, create.error);
  const shown = errors.shown;
  const set = (name: keyof typeof form) => (value: string | boolean) => setForm((current) => ({ ...current, [name]: value }));
  const toggle = (tag: string) => {
    const next = new Set(chosen);
    if (!next.delete(tag)) next.add(tag);
    setPicked(next);
  };
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (errors.ready() && site) create.mutate(site.id);
  };
  return (
    <div className="cultivation">
      <div className="page-header">
        <h1>Record harvest</h1>
        <span className="muted">{site ? `at ${site.name}` : ""}</span>
        <div className="page-actions">
          <Link className="button" to="/cultivation/harvests">
            Back to harvests
          </Link>
        </div>
      </div>
      <form onSubmit={submit} noValidate className="form-card" aria-label="Record harvest" data-testid="harvest-form">
        <div className="form-grid">
          <Field label="Harvest name" required error={shown("name")} hint="Unique per facility">
            {(control) => <input {...control} maxLength={100} value={form.name} onChange={(e) => set("name")(e.target.value)} />}
          </Field>
          <Field label="Harvest date" required error={shown("harvestDate")} hint="YYYY-MM-DD, not in the future">
            {(control) => <input {...control} type="date" max={today()} value={form.harvestDate} onChange={(e) => set("harvestDate")(e.target.value)} />}
          </Field>
          <Field label="Drying location" required error={shown("dryingLocationId")}>
            {(control) => (
              <LocationSelect control={control} locations={locations} value={form.dryingLocationId} onChange={set("dryingLocationId")} />
            )}
          </Field>
          <Field label="Unit of weight" required error={shown("unitOfWeight")}>
            {(control) => (
              <select {...control} value={form.unitOfWeight} onChange={(e) => set("unitOfWeight")(e.target.value)}>
                {WEIGHT_UNITS.map((u) => (
                  <option key={u}>{u}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label="Waste weight" error={shown("wasteWeight")} hint="At harvest time (plant material); optional">
            {(control) => <input {...control} inputMode="decimal" value={form.wasteWeight} onChange={(e) => set("wasteWeight")(e.target.value)} />}
          </Field>
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={form.partial} onChange={(e) => set("partial")(e.target.checked)} />
          Partial harvest (take weight only; the plants keep flowering)
        </label>
        <fieldset className="sync-types" aria-describedby={shown("plants") ? "harvest-plants-error" : undefined}>
          <legend>Flowering plants and their wet weight</legend>
          {flowering.isPending ? (
            <p className="muted">Loading the flowering plants…</p>
          ) : flowering.isError ? (
            <p className="form-error" role="alert">
              The plants could not be loaded: {messageOf(flowering.error)}
            </p>
          ) : plants.length === 0 ? (
            <p className="muted" data-testid="no-flowering">
              No flowering plant here: move plants to flowering first (Plants screen).
            </p>
          ) : (
            <table className="grid compact" data-testid="harvest-plants">
              <thead>
                <tr>
                  <th scope="col" className="select-cell">
                    <span className="visually-hidden">Harvest</span>
                  </th>
                  <th scope="col">Tag</th>
                  <th scope="col">Plant batch</th>
                  <th scope="col">Wet weight ({form.unitOfWeight})</th>
                </tr>
              </thead>
              <tbody>
                {plants.map((p) => {
                  const error = chosen.has(p.tag) ? shown(`weight-${p.tag}`) : undefined;
                  return (
                    <tr key={p.id} data-tag={p.tag}>
                      <td className="select-cell">
                        <input type="checkbox" aria-label={`Harvest plant ${p.tag}`} checked={chosen.has(p.tag)} onChange={() => toggle(p.tag)} />
                      </td>
                      <td>
                        <code>{p.tag}</code>
                      </td>
                      <td>{p.plantBatchName}</td>
                      <td>
                        <input
                          aria-label={`Wet weight of ${p.tag}`}
                          inputMode="decimal"
                          disabled={!chosen.has(p.tag)}
                          aria-invalid={Boolean(error)}
                          value={weights[p.tag] ?? ""}
                          onChange={(e) => setWeights((current) => ({ ...current, [p.tag]: e.target.value }))}
                        />
                        {error && <span className="field-error"> {error}</span>}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {shown("plants") && (
            <p className="field-error" id="harvest-plants-error">
              {shown("plants")}
            </p>
          )}
        </fieldset>
        <FormProblems errors={errors} />
        <div className="dialog-actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? "Saving…" : "Record harvest"}
          </button>
        </div>
      </form>
    </div>
  );
}
