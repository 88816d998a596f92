import { useState, type ReactNode } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { LocationSelect } from "../inventory/LocationSelect";
import { useLocations } from "../inventory/queries";
import { quantityProblem } from "../ui/decimal";
import { Field } from "../ui/Field";
import { WriteDialog } from "../ui/WriteDialog";
import { useRefreshCultivation } from "./queries";
import { dateProblem, problems, required, tagProblem, today, WEIGHT_UNITS, wholeProblem } from "./rules";

type PlantBatch = Schemas["PlantBatch"];
export type PlantBatchAction = "adjust" | "move" | "split" | "destroy" | "growth";

interface Props {
  batch: PlantBatch;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

const header = (key: string) => ({ header: { "Idempotency-Key": key } });
const at = (batch: PlantBatch) => ({ path: { plantBatchId: batch.id } });

/** A write to one plant batch (ui/WriteDialog), with its version; cultivation refetched after. */
function PlantBatchWriteDialog<T>(
  props: Omit<Parameters<typeof WriteDialog<T>>[0], "noun" | "onDone" | "reload" | "write"> & { write: (key: string) => Promise<T> },
) {
  const refresh = useRefreshCultivation();
  return <WriteDialog<T> {...props} noun="plant batch" onDone={refresh} reload={refresh} />;
}

function DateField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: string | undefined }) {
  return (
    <Field label="Date" required error={error} hint="The facility's date, YYYY-MM-DD, not in the future">
      {(control) => <input {...control} type="date" max={today()} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

function LocationField({ siteId, value, onChange, error, label = "Location", optional }: { siteId: string; value: string; onChange: (v: string) => void; error: string | undefined; label?: string; optional?: string }) {
  const locations = useLocations(siteId);
  return (
    <Field label={label} required={!optional} error={error}>
      {(control) => (
        <LocationSelect control={control} locations={locations} value={value} onChange={onChange} empty={optional} />
      )}
    </Field>
  );
}

function useForm<F extends Record<string, string>>(initial: F) {
  const [form, setForm] = useState(initial);
  const set = (name: keyof F) => (value: string) => setForm((current) => ({ ...current, [name]: value }));
  return [form, set] as const;
}

export function AdjustCountDialog({ batch, open, onOpenChange }: Props) {
  const [f, set] = useForm({ quantity: "", reason: "", reasonNote: "", actualDate: today() });
  const local = problems({
    quantity: wholeProblem(f.quantity, { signed: true }) ?? (batch.count + Number(f.quantity) < 0 ? `Only ${batch.count} plants are in the batch` : undefined),
    reason: required(f.reason, "the adjustment reason"),
    actualDate: dateProblem(f.actualDate),
  });
  const touched = (name: string, value: string) => (value ? local[name] : undefined);
  return (
    <PlantBatchWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Adjust the count"
      description={`${batch.name}: ${batch.count} plants. A signed correction with the state's reason.`}
      invalid={Object.keys(local).length > 0}
      submitLabel="Save adjustment"
      success={`${batch.name} adjusted`}
      testId="adjust-count-dialog"
      write={(key) =>
        unwrap(
          api.POST("/api/v1/plant-batches/{plantBatchId}/adjustments", {
            params: { ...at(batch), ...header(key) },
            body: { quantity: Number(f.quantity.trim()), reason: f.reason.trim(), reasonNote: f.reasonNote.trim() || null, actualDate: f.actualDate, version: batch.version },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <Field label="Plants (+/-)" required error={touched("quantity", f.quantity) ?? errors.quantity} hint="Can be negative; not zero">
            {(control) => <input {...control} inputMode="numeric" value={f.quantity} onChange={(e) => set("quantity")(e.target.value)} />}
          </Field>
          <Field label="Adjustment reason" required error={errors.reason} hint="As the state names it, e.g. Dead">
            {(control) => <input {...control} maxLength={500} value={f.reason} onChange={(e) => set("reason")(e.target.value)} />}
          </Field>
          <Field label="Reason note" error={errors.reasonNote} hint="Optional, but recommended">
            {(control) => <textarea {...control} maxLength={500} value={f.reasonNote} onChange={(e) => set("reasonNote")(e.target.value)} />}
          </Field>
          <DateField value={f.actualDate} onChange={set("actualDate")} error={touched("actualDate", f.actualDate) ?? errors.actualDate} />
        </>
      )}
    </PlantBatchWriteDialog>
  );
}

export function MoveDialog({ batch, open, onOpenChange }: Props) {
  const [f, set] = useForm({ locationId: "", actualDate: today() });
  const local = problems({
    locationId: !f.locationId ? "Choose where to" : f.locationId === batch.locationId ? "The batch is already there" : undefined,
    actualDate: dateProblem(f.actualDate),
  });
  return (
    <PlantBatchWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Move the plant batch"
      description={`${batch.name} is at ${batch.locationLabel}.`}
      invalid={Object.keys(local).length > 0}
      submitLabel="Move"
      success={`${batch.name} moved`}
      testId="move-dialog"
      write={(key) =>
        unwrap(
          api.POST("/api/v1/plant-batches/{plantBatchId}/move", {
            params: { ...at(batch), ...header(key) },
            body: { locationId: f.locationId, actualDate: f.actualDate, version: batch.version },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <LocationField siteId={batch.siteId} label="New location" value={f.locationId} onChange={set("locationId")} error={(f.locationId ? local.locationId : undefined) ?? errors.locationId} />
          <DateField value={f.actualDate} onChange={set("actualDate")} error={(f.actualDate ? local.actualDate : undefined) ?? errors.actualDate} />
        </>
      )}
    </PlantBatchWriteDialog>
  );
}

export function SplitDialog({ batch, open, onOpenChange }: Props) {
  const [f, set] = useForm({ name: "", count: "", locationId: "", actualDate: today() });
  const local = problems({
    name: required(f.name, "the new batch's name"),
    count: wholeProblem(f.count) ?? (Number(f.count) > batch.count ? `Only ${batch.count} plants are in the batch` : undefined),
    actualDate: dateProblem(f.actualDate),
  });
  const touched = (name: string, value: string) => (value ? local[name] : undefined);
  return (
    <PlantBatchWriteDialog<Schemas["PlantBatchSplitResult"]>
      open={open}
      onOpenChange={onOpenChange}
      title="Split plants off"
      description={`Plants of ${batch.name} into a new plant batch of the same strain.`}
      invalid={Object.keys(local).length > 0}
      submitLabel="Split"
      success={(result) => `${result.newPlantBatch.name} split off with ${result.newPlantBatch.count} plants`}
      testId="split-dialog"
      write={(key) =>
        unwrap(
          api.POST("/api/v1/plant-batches/{plantBatchId}/split", {
            params: { ...at(batch), ...header(key) },
            body: { name: f.name.trim(), count: Number(f.count.trim()), locationId: f.locationId || null, actualDate: f.actualDate, version: batch.version },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <Field label="New batch name" required error={touched("name", f.name) ?? errors.name} hint="Unique per facility">
            {(control) => <input {...control} maxLength={100} value={f.name} onChange={(e) => set("name")(e.target.value)} />}
          </Field>
          <Field label="Plants" required error={touched("count", f.count) ?? errors.count} hint={`Positive integer, at most ${batch.count}`}>
            {(control) => <input {...control} inputMode="numeric" value={f.count} onChange={(e) => set("count")(e.target.value)} />}
          </Field>
          <LocationField siteId={batch.siteId} value={f.locationId} onChange={set("locationId")} error={errors.locationId} optional="Where the batch is" />
          <DateField value={f.actualDate} onChange={set("actualDate")} error={touched("actualDate", f.actualDate) ?? errors.actualDate} />
        </>
      )}
    </PlantBatchWriteDialog>
  );
}

export function DestroyDialog({ batch, open, onOpenChange }: Props) {
  const [f, set] = useForm({ count: "", wasteMethod: "", wasteReason: "", wasteWeight: "", wasteUnit: "Grams", wasteMaterialMixed: "", reasonNote: "", actualDate: today() });
  const local = problems({
    count: wholeProblem(f.count) ?? (Number(f.count) > batch.count ? `Only ${batch.count} plants are in the batch` : undefined),
    wasteMethod: required(f.wasteMethod, "how the waste was made unusable"),
    wasteReason: required(f.wasteReason, "why the plants are destroyed"),
    wasteWeight: quantityProblem(f.wasteWeight) ?? undefined,
    actualDate: dateProblem(f.actualDate),
  });
  const touched = (name: string, value: string) => (value ? local[name] : undefined);
  const text = (label: string, name: keyof typeof f, errors: Record<string, string>, hint?: string, isRequired = true): ReactNode => (
    <Field label={label} required={isRequired} error={touched(name, f[name]) ?? errors[name]} hint={hint}>
      {(control) => <input {...control} maxLength={500} value={f[name]} onChange={(e) => set(name)(e.target.value)} />}
    </Field>
  );
  return (
    <PlantBatchWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Destroy plants"
      description={`Plants of ${batch.name} (${batch.count}) destroyed, with their waste as the state records it.`}
      invalid={Object.keys(local).length > 0}
      submitLabel="Destroy plants"
      success={`Plants of ${batch.name} destroyed`}
      testId="destroy-dialog"
      danger
      write={(key) =>
        unwrap(
          api.POST("/api/v1/plant-batches/{plantBatchId}/destroy", {
            params: { ...at(batch), ...header(key) },
            body: {
              count: Number(f.count.trim()),
              wasteMethod: f.wasteMethod.trim(),
              wasteReason: f.wasteReason.trim(),
              wasteWeight: f.wasteWeight.trim(),
              wasteUnit: f.wasteUnit,
              wasteMaterialMixed: f.wasteMaterialMixed.trim() || null,
              reasonNote: f.reasonNote.trim() || null,
              actualDate: f.actualDate,
              version: batch.version,
            },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <Field label="Plants" required error={touched("count", f.count) ?? errors.count} hint={`Positive integer, at most ${batch.count}`}>
            {(control) => <input {...control} inputMode="numeric" value={f.count} onChange={(e) => set("count")(e.target.value)} />}
          </Field>
          {text("Waste method", "wasteMethod", errors, "e.g. Grinder")}
          {text("Waste reason", "wasteReason", errors, "e.g. Male plants")}
          <Field label="Waste weight" required error={touched("wasteWeight", f.wasteWeight) ?? errors.wasteWeight} hint="Greater than zero, at most 4 decimal places">
            {(control) => <input {...control} inputMode="decimal" value={f.wasteWeight} onChange={(e) => set("wasteWeight")(e.target.value)} />}
          </Field>
          <Field label="Waste unit" required error={errors.wasteUnit}>
            {(control) => (
              <select {...control} value={f.wasteUnit} onChange={(e) => set("wasteUnit")(e.target.value)}>
                {WEIGHT_UNITS.map((u) => (
                  <option key={u}>{u}</option>
                ))}
              </select>
            )}
          </Field>
          {text("Material mixed in", "wasteMaterialMixed", errors, "Optional, e.g. Soil", false)}
          {text("Note", "reasonNote", errors, "Optional", false)}
          <DateField value={f.actualDate} onChange={set("actualDate")} error={touched("actualDate", f.actualDate) ?? errors.actualDate} />
        </>
      )}
    </PlantBatchWriteDialog>
  );
}

export function GrowthPhaseDialog({ batch, open, onOpenChange }: Props) {
  const [f, set] = useForm({ count: "", startingTag: "", growthPhase: "Vegetative", locationId: "", actualDate: today() });
  const local = problems({
    count: wholeProblem(f.count) ?? (Number(f.count) > batch.count ? `Only ${batch.count} plants are in the batch` : undefined),
    startingTag: tagProblem(f.startingTag),
    actualDate: dateProblem(f.actualDate),
  });
  const touched = (name: string, value: string) => (value ? local[name] : undefined);
  return (
    <PlantBatchWriteDialog<Schemas["PlantsMovedIntoGrowthResult"]>
      open={open}
      onOpenChange={onOpenChange}
      title="Move plants into growth"
      description={`Plants of ${batch.name} become tracked plants, one tag each, counting up from the first tag.`}
      invalid={Object.keys(local).length > 0}
      submitLabel="Move into growth"
      success={(result) => `${result.plants.length} plants of ${batch.name} now ${f.growthPhase.toLowerCase()}`}
      testId="growth-dialog"
      write={(key) =>
        unwrap(
          api.POST("/api/v1/plant-batches/{plantBatchId}/growth-phase", {
            params: { ...at(batch), ...header(key) },
            body: {
              count: Number(f.count.trim()),
              startingTag: f.startingTag.trim(),
              growthPhase: f.growthPhase as Schemas["GrowthPhase"],
              locationId: f.locationId || null,
              actualDate: f.actualDate,
              version: batch.version,
            },
          }),
        )
      }
    >
      {(errors) => (
        <>
          <Field label="Plants" required error={touched("count", f.count) ?? errors.count} hint={`Positive integer, at most ${batch.count}`}>
            {(control) => <input {...control} inputMode="numeric" value={f.count} onChange={(e) => set("count")(e.target.value)} />}
          </Field>
          <Field label="First plant tag" required error={touched("startingTag", f.startingTag) ?? errors.startingTag} hint="24 letters and digits; the next plants take the following tags">
            {(control) => <input {...control} maxLength={24} value={f.startingTag} onChange={(e) => set("startingTag")(e.target.value)} />}
          </Field>
          <Field label="Growth phase" required error={errors.growthPhase}>
            {(control) => (
              <select {...control} value={f.growthPhase} onChange={(e) => set("growthPhase")(e.target.value)}>
                <option>Vegetative</option>
                <option>Flowering</option>
              </select>
            )}
          </Field>
          <LocationField siteId={batch.siteId} value={f.locationId} onChange={set("locationId")} error={errors.locationId} optional="Where the batch is" />
          <DateField value={f.actualDate} onChange={set("actualDate")} error={touched("actualDate", f.actualDate) ?? errors.actualDate} />
        </>
      )}
    </PlantBatchWriteDialog>
  );
}
