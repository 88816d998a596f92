import { useState } from "react";

import { api, unwrap, type Schemas } from "../api/client";
import { LocationSelect } from "../inventory/LocationSelect";
import { useLocations, useProducts } from "../inventory/queries";
import { formatQty, fromUnits, quantityProblem, toUnits } from "../ui/decimal";
import { Field } from "../ui/Field";
import { WriteDialog } from "../ui/WriteDialog";
import { useRefreshCultivation } from "./queries";
import { dateProblem, problems, tagProblem, today } from "./rules";

type Harvest = Schemas["Harvest"];
export type HarvestAction = "waste" | "finish" | "unfinish" | "packages";

interface Props {
  harvest: Harvest;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

const WASTE_TYPES: Schemas["HarvestWasteType"][] = ["Plant Material", "Fibrous", "Root Ball"];
const at = (harvest: Harvest, key: string) => ({ path: { harvestId: harvest.id }, header: { "Idempotency-Key": key } });

/** A write to one harvest (ui/WriteDialog), with its version; cultivation refetched after. */
function HarvestWriteDialog<T>(
  props: Omit<Parameters<typeof WriteDialog<T>>[0], "noun" | "onDone" | "reload" | "write"> & { write: (key: string) => Promise<T> },
) {
  const refresh = useRefreshCultivation();
  return <WriteDialog<T> {...props} noun="harvest" onDone={refresh} reload={refresh} />;
}

function DateField({ value, onChange, error }: { value: string; onChange: (v: string) => void; error: string | undefined }) {
  return (
    <Field label="Date" required error={error} hint="The facility's date, YYYY-MM-DD, not in the future">
      {(control) => <input {...control} type="date" max={today()} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/** More than is left of the harvest, said before the API says HARVEST_WEIGHT_EXCEEDED. */
function beyondLeft(harvest: Harvest, units: bigint | null): string | undefined {
  const left = toUnits(harvest.currentWeight) ?? 0n;
  return units !== null && units > left ? `Only ${formatQty(harvest.currentWeight)} ${harvest.unitOfWeight} are left` : undefined;
}

export function WasteDialog({ harvest, open, onOpenChange }: Props) {
  const [wasteType, setWasteType] = useState<Schemas["HarvestWasteType"]>("Plant Material");
  const [weight, setWeight] = useState("");
  const [actualDate, setActualDate] = useState(today());
  const local = problems({ weight: quantityProblem(weight) ?? beyondLeft(harvest, toUnits(weight)), actualDate: dateProblem(actualDate) });
  return (
    <HarvestWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Record waste"
      description={`${harvest.name}: ${formatQty(harvest.currentWeight)} ${harvest.unitOfWeight} left.`}
      invalid={Object.keys(local).length > 0}
      submitLabel="Record waste"
      success={`Waste of ${harvest.name} recorded`}
      testId="waste-dialog"
      write={(key) =>
        unwrap(api.POST("/api/v1/harvests/{harvestId}/waste", { params: at(harvest, key), body: { wasteType, weight: weight.trim(), actualDate, version: harvest.version } }))
      }
    >
      {(errors) => (
        <>
          <Field label="Waste type" required error={errors.wasteType}>
            {(control) => (
              <select {...control} value={wasteType} onChange={(e) => setWasteType(e.target.value as Schemas["HarvestWasteType"])}>
                {WASTE_TYPES.map((t) => (
                  <option key={t}>{t}</option>
                ))}
              </select>
            )}
          </Field>
          <Field label={`Weight (${harvest.unitOfWeight})`} required error={(weight ? local.weight : undefined) ?? errors.weight} hint="Greater than zero, at most what is left">
            {(control) => <input {...control} inputMode="decimal" value={weight} onChange={(e) => setWeight(e.target.value)} />}
          </Field>
          <DateField value={actualDate} onChange={setActualDate} error={(actualDate ? local.actualDate : undefined) ?? errors.actualDate} />
        </>
      )}
    </HarvestWriteDialog>
  );
}

export function FinishDialog({ harvest, open, onOpenChange }: Props) {
  const [actualDate, setActualDate] = useState(today());
  const left = (toUnits(harvest.currentWeight) ?? 0n) > 0n;
  const dateError = dateProblem(actualDate);
  return (
    <HarvestWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Finish the harvest"
      description={left ? `${formatQty(harvest.currentWeight)} ${harvest.unitOfWeight} are still left: record the drying loss as waste first.` : `Nothing is left of ${harvest.name}: it can be finished.`}
      invalid={left || Boolean(dateError)}
      submitLabel="Finish harvest"
      success={`${harvest.name} finished`}
      testId="finish-dialog"
      write={(key) => unwrap(api.POST("/api/v1/harvests/{harvestId}/finish", { params: at(harvest, key), body: { actualDate, version: harvest.version } }))}
    >
      {(errors) => <DateField value={actualDate} onChange={setActualDate} error={(actualDate ? dateError : undefined) ?? errors.actualDate} />}
    </HarvestWriteDialog>
  );
}

export function UnfinishDialog({ harvest, open, onOpenChange }: Props) {
  return (
    <HarvestWriteDialog
      open={open}
      onOpenChange={onOpenChange}
      title="Unfinish the harvest"
      description={`${harvest.name} becomes active again (for a correction).`}
      invalid={false}
      submitLabel="Unfinish harvest"
      success={`${harvest.name} is active again`}
      testId="unfinish-dialog"
      write={(key) => unwrap(api.POST("/api/v1/harvests/{harvestId}/unfinish", { params: at(harvest, key), body: { version: harvest.version } }))}
    >
      {() => null}
    </HarvestWriteDialog>
  );
}

interface PackageRow {
  productId: string;
  weight: string;
  locationId: string;
  packageTag: string;
  unitCogs: string;
}
const EMPTY_ROW: PackageRow = { productId: "", weight: "", locationId: "", packageTag: "", unitCogs: "" };

function rowProblems(row: PackageRow): Record<string, string> {
  return problems({
    productId: row.productId ? undefined : "Choose the product",
    weight: quantityProblem(row.weight) ?? undefined,
    locationId: row.locationId ? undefined : "Choose where it is put",
    packageTag: row.packageTag.trim() ? tagProblem(row.packageTag) : undefined,
    unitCogs: row.unitCogs.trim() ? (quantityProblem(row.unitCogs, { positive: false }) ?? undefined) : undefined,
  });
}

/** Packages from the harvest: each one a batch of a product measured in the harvest's unit. */
export function PackagesDialog({ harvest, open, onOpenChange }: Props) {
  const products = useProducts();
  const locations = useLocations(harvest.siteId);
  const [rows, setRows] = useState<PackageRow[]>([{ ...EMPTY_ROW }]);
  const [actualDate, setActualDate] = useState(today());
  const fitting = (products.data ?? []).filter((p) => p.unitOfMeasure === harvest.unitOfWeight);
  const found = rows.map(rowProblems);
  const total = rows.reduce((sum, r) => sum + (toUnits(r.weight) ?? 0n), 0n);
  const tooMuch = beyondLeft(harvest, total);
  const dateError = dateProblem(actualDate);
  const invalid = found.some((p) => Object.keys(p).length > 0) || Boolean(tooMuch) || Boolean(dateError);
  const edit = (index: number, name: keyof PackageRow, value: string) => setRows((current) => current.map((r, i) => (i === index ? { ...r, [name]: value } : r)));
  return (
    <HarvestWriteDialog<Schemas["HarvestPackagesResult"]>
      open={open}
      onOpenChange={onOpenChange}
      title="Create packages"
      description={`From ${harvest.name}: ${formatQty(harvest.currentWeight)} ${harvest.unitOfWeight} left. Each package becomes a batch awaiting intake.`}
      invalid={invalid}
      submitLabel={`Create ${rows.length} package${rows.length === 1 ? "" : "s"}`}
      success={(result) => `${result.batches.length} package${result.batches.length === 1 ? "" : "s"} created: ${result.batches.map((b) => b.code).join(", ")}`}
      testId="packages-dialog"
      write={(key) =>
        unwrap(
          api.POST("/api/v1/harvests/{harvestId}/packages", {
            params: at(harvest, key),
            body: {
              actualDate,
              version: harvest.version,
              packages: rows.map((r) => ({
                productId: r.productId,
                weight: r.weight.trim(),
                locationId: r.locationId,
                packageTag: r.packageTag.trim() || null,
                unitCogs: r.unitCogs.trim() || null,
              })),
            },
          }),
        )
      }
    >
      {(errors) => (
        <>
          {rows.map((row, index) => {
            const shown = (name: keyof PackageRow) => (row[name] ? found[index]?.[name] : undefined) ?? errors[`packages.${index}.${name}`];
            return (
              <fieldset className="sync-types" key={index} data-testid={`package-${index}`}>
                <legend>Package {index + 1}</legend>
                <Field label="Product" required error={shown("productId") ?? (products.isSuccess && fitting.length === 0 ? `No product is measured in ${harvest.unitOfWeight}: add one at intake first` : undefined)}>
                  {(control) => (
                    <select {...control} value={row.productId} onChange={(e) => edit(index, "productId", e.target.value)}>
                      <option value="">{products.isLoading ? "Loading…" : "Choose…"}</option>
                      {fitting.map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.name} ({p.category})
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label={`Weight (${harvest.unitOfWeight})`} required error={shown("weight")}>
                  {(control) => <input {...control} inputMode="decimal" value={row.weight} onChange={(e) => edit(index, "weight", e.target.value)} />}
                </Field>
                <Field label="Location" required error={shown("locationId")}>
                  {(control) => (
                    <LocationSelect control={control} locations={locations} value={row.locationId} onChange={(v) => edit(index, "locationId", v)} />
                  )}
                </Field>
                <Field label="Package tag" error={shown("packageTag")} hint="24 letters and digits; optional">
                  {(control) => <input {...control} maxLength={24} value={row.packageTag} onChange={(e) => edit(index, "packageTag", e.target.value)} />}
                </Field>
                <Field label="Unit cost" error={shown("unitCogs")} hint="Optional (0 when empty)">
                  {(control) => <input {...control} inputMode="decimal" value={row.unitCogs} onChange={(e) => edit(index, "unitCogs", e.target.value)} />}
                </Field>
                {rows.length > 1 && (
                  <button type="button" className="button button-small" onClick={() => setRows((current) => current.filter((_, i) => i !== index))}>
                    Remove package {index + 1}
                  </button>
                )}
              </fieldset>
            );
          })}
          <button type="button" className="button" disabled={rows.length >= 100} onClick={() => setRows((current) => [...current, { ...EMPTY_ROW }])}>
            Add a package
          </button>
          <p className={tooMuch ? "form-error" : "muted"} data-testid="packages-total">
            Total {formatQty(fromUnits(total))} {harvest.unitOfWeight}
            {tooMuch ? `: ${tooMuch}` : ""}
          </p>
          <DateField value={actualDate} onChange={setActualDate} error={(actualDate ? dateError : undefined) ?? errors.actualDate} />
        </>
      )}
    </HarvestWriteDialog>
  );
}
