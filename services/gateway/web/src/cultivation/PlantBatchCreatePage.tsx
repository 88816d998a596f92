import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type SyntheticEvent } from "react";
import { Link, useNavigate } from "react-router";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { messageOf } from "../api/errors";
import { useSites } from "../app/SiteProvider";
import { LocationSelect } from "../inventory/LocationSelect";
import { useLocations } from "../inventory/queries";
import { Field } from "../ui/Field";
import { FormProblems, useFormErrors } from "../ui/FormErrors";
import { useToast } from "../ui/toast";
import { useRefreshCultivation } from "./queries";
import { dateProblem, problems, required, today, wholeProblem } from "./rules";

interface Form {
  name: string;
  type: Schemas["PlantBatchType"] | "";
  count: string;
  strain: string;
  locationId: string;
  plantedDate: string;
}

/** The guide's "Plant Batch Creation" table, each rule on its field (the API checks them again). */
function validate(f: Form): Record<string, string> {
  return problems({
    name: required(f.name, "the batch's name"),
    type: f.type ? undefined : 'Choose "Seed" or "Clone"',
    count: wholeProblem(f.count),
    strain: required(f.strain, "the strain"),
    locationId: f.locationId ? undefined : "Choose one of the facility's locations",
    plantedDate: dateProblem(f.plantedDate),
  });
}

/** /cultivation/plant-batches/new: plant a batch of seeds or clones (the guide's "Create Plant
 * Batch": strain, count, location; compliance then creates it in Metrc). */
export default function PlantBatchCreatePage() {
  const { site } = useSites();
  const navigate = useNavigate();
  const toast = useToast();
  const refresh = useRefreshCultivation();
  const locations = useLocations(site?.id);
  const [form, setForm] = useState<Form>({ name: "", type: "", count: "", strain: "", locationId: "", plantedDate: today() });
  const key = useRef(idempotencyKey());
  const create = useMutation({
    mutationFn: (siteId: string) =>
      unwrap(
        api.POST("/api/v1/plant-batches", {
          params: { header: { "Idempotency-Key": key.current } },
          body: {
            siteId,
            name: form.name.trim(),
            type: form.type as Schemas["PlantBatchType"],
            count: Number(form.count.trim()),
            strain: form.strain.trim(),
            locationId: form.locationId,
            plantedDate: form.plantedDate,
          },
        }),
      ),
    onSuccess: (result) => {
      toast.success(`Plant batch ${result.plantBatch.name} planted`, `${result.plantBatch.count} plants of ${result.plantBatch.strain}`);
      refresh();
      void navigate(`/cultivation/plant-batches/${result.plantBatch.id}`);
    },
    onError: (error) => {
      key.current = idempotencyKey();
      toast.error("The plant batch was not created", messageOf(error));
    },
  });
  const errors = useFormErrors(validate(form), create.error);
  const shown = (name: keyof Form) => errors.shown(name);
  const set = (name: keyof Form) => (value: string) => setForm((current) => ({ ...current, [name]: value }));
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (errors.ready() && site) create.mutate(site.id);
  };
  return (
    <div className="cultivation">
      <div className="page-header">
        <h1>New plant batch</h1>
        <span className="muted">{site ? `at ${site.name}` : ""}</span>
        <div className="page-actions">
          <Link className="button" to="/cultivation/plant-batches">
            Back to plant batches
          </Link>
        </div>
      </div>
      <form onSubmit={submit} noValidate className="form-card" aria-label="New plant batch" data-testid="plant-batch-form">
        <div className="form-grid">
          <Field label="Name" required error={shown("name")} hint="Unique per facility, e.g. OG-2026-01">
            {(control) => <input {...control} maxLength={100} value={form.name} onChange={(e) => set("name")(e.target.value)} />}
          </Field>
          <Field label="Type" required error={shown("type")} hint='"Seed" or "Clone"'>
            {(control) => (
              <select {...control} value={form.type} onChange={(e) => set("type")(e.target.value)}>
                <option value="">Choose…</option>
                <option value="Seed">Seed</option>
                <option value="Clone">Clone</option>
              </select>
            )}
          </Field>
          <Field label="Count" required error={shown("count")} hint="Positive integer: whole plants, up to 100,000">
            {(control) => <input {...control} inputMode="numeric" value={form.count} onChange={(e) => set("count")(e.target.value)} />}
          </Field>
          <Field label="Strain" required error={shown("strain")} hint="Must exist in Metrc, spelled as Metrc has it">
            {(control) => <input {...control} maxLength={100} value={form.strain} onChange={(e) => set("strain")(e.target.value)} />}
          </Field>
          <Field label="Location" required error={shown("locationId")} hint="Valid facility location">
            {(control) => (
              <LocationSelect control={control} locations={locations} value={form.locationId} onChange={set("locationId")} />
            )}
          </Field>
          <Field label="Planted date" required error={shown("plantedDate")} hint="YYYY-MM-DD, not in the future">
            {(control) => <input {...control} type="date" max={today()} value={form.plantedDate} onChange={(e) => set("plantedDate")(e.target.value)} />}
          </Field>
        </div>
        {locations.isError && (
          <p className="form-error" role="alert">
            The locations could not be loaded: {messageOf(locations.error)}
          </p>
        )}
        <FormProblems errors={errors} />
        <div className="dialog-actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? "Saving…" : "Plant batch"}
          </button>
        </div>
      </form>
    </div>
  );
}
