import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type SyntheticEvent } from "react";
import { Link, useNavigate } from "react-router";

import { api, idempotencyKey, unwrap } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import { useSites } from "../app/SiteProvider";
import { problems } from "../cultivation/rules";
import { quantityProblem, toUnits } from "../ui/decimal";
import { Field } from "../ui/Field";
import { FormProblems, useFormErrors } from "../ui/FormErrors";
import { useToast } from "../ui/toast";
import { toLocalInput } from "./parts";
import { BatchPicker, type Line } from "./BatchPicker";
import { useRefreshTransfers } from "./queries";

const TEXTS = [
  "destinationLicenseNumber",
  "destinationName",
  "transferType",
  "plannedRoute",
  "transporterLicenseNumber",
  "transporterName",
  "driverName",
  "driverOccupationalLicenseNumber",
  "driverLicenseNumber",
  "phoneNumber",
  "vehicleMake",
  "vehicleModel",
  "vehicleLicensePlate",
  "estimatedDeparture",
  "estimatedArrival",
] as const;
type Form = Record<(typeof TEXTS)[number], string>;
const OPTIONAL = new Set<keyof Form>(["transporterName", "phoneNumber"]);

function initial(): Form {
  const hour = 60 * 60 * 1000;
  const departure = new Date(Math.ceil(Date.now() / hour) * hour + hour);
  const form = Object.fromEntries(TEXTS.map((name) => [name, ""])) as Form;
  return { ...form, transferType: "Wholesale", estimatedDeparture: toLocalInput(departure), estimatedArrival: toLocalInput(new Date(departure.getTime() + 2 * hour)) };
}

/** The rules the inventory API applies, each on its field (it checks them all again). */
function validate(form: Form, lines: Line[], ownLicense: string | undefined): Record<string, string> {
  const texts = Object.fromEntries(TEXTS.filter((name) => !OPTIONAL.has(name)).map((name) => [name, form[name].trim() ? undefined : "Required"]));
  const departure = Date.parse(form.estimatedDeparture);
  const arrival = Date.parse(form.estimatedArrival);
  const own = ownLicense && form.destinationLicenseNumber.trim().toUpperCase() === ownLicense.trim().toUpperCase();
  return problems({
    ...texts,
    destinationLicenseNumber: texts.destinationLicenseNumber ?? (own ? "This is your own facility's license: a transfer goes to another facility" : undefined),
    estimatedDeparture: Number.isNaN(departure) ? "Enter the date and time of departure" : undefined,
    estimatedArrival: Number.isNaN(arrival) ? "Enter the date and time of arrival" : !Number.isNaN(departure) && arrival <= departure ? "Must be after the estimated departure" : undefined,
    lines: lines.length === 0 ? "Choose at least one package" : undefined,
    ...Object.fromEntries(lines.map((line, n) => [`lines.${n}.wholesalePrice`, priceProblem(line.price)])),
  });
}

function priceProblem(price: string): string | undefined {
  if (!price.trim()) return undefined;
  const problem = quantityProblem(price, { positive: false });
  if (problem) return problem;
  return (toUnits(price) ?? 0n) < 0n ? "Must not be negative" : undefined;
}

/** /transfers/outgoing/new: plan an outgoing transfer (Metrc's outgoing template: packages,
 * destination, transporter, driver, vehicle, estimated times). Planning reserves each package. */
export default function TransferCreatePage() {
  const { site } = useSites();
  const navigate = useNavigate();
  const toast = useToast();
  const refresh = useRefreshTransfers();
  const [form, setForm] = useState<Form>(initial);
  const [lines, setLines] = useState<Line[]>([]);
  const key = useRef(idempotencyKey());
  const create = useMutation({
    mutationFn: (siteId: string) =>
      unwrap(
        api.POST("/api/v1/outgoing-transfers", {
          params: { header: { "Idempotency-Key": key.current } },
          body: {
            siteId,
            destinationLicenseNumber: form.destinationLicenseNumber.trim(),
            destinationName: form.destinationName.trim(),
            transferType: form.transferType.trim(),
            plannedRoute: form.plannedRoute.trim(),
            transporterLicenseNumber: form.transporterLicenseNumber.trim(),
            transporterName: form.transporterName.trim() || null,
            driverName: form.driverName.trim(),
            driverOccupationalLicenseNumber: form.driverOccupationalLicenseNumber.trim(),
            driverLicenseNumber: form.driverLicenseNumber.trim(),
            phoneNumber: form.phoneNumber.trim() || null,
            vehicleMake: form.vehicleMake.trim(),
            vehicleModel: form.vehicleModel.trim(),
            vehicleLicensePlate: form.vehicleLicensePlate.trim(),
            // datetime-local is the browser's local time; the API takes aware instants.
            estimatedDeparture: new Date(form.estimatedDeparture).toISOString(),
            estimatedArrival: new Date(form.estimatedArrival).toISOString(),
            // No quantity: a package ships whole (the API's default is the batch's stock).
            lines: lines.map((line) => ({ batchId: line.batch.id, wholesalePrice: line.price.trim() || null })),
          },
        }),
      ),
    onSuccess: (result) => {
      const count = result.transfer.lines.length;
      toast.success(`Transfer to ${result.transfer.destinationName} planned`, `${count} ${count === 1 ? "package" : "packages"} reserved`);
      refresh();
      void navigate(`/transfers/outgoing/${result.transfer.id}`);
    },
    onError: (error) => {
      key.current = idempotencyKey();
      toast.error("The transfer was not planned", messageOf(error));
    },
  });
  const errors = useFormErrors(validate(form, lines, site?.licenseNumber), create.error);
  // A package refused for what it holds (INSUFFICIENT_AVAILABLE) names its line in details.field.
  const refused = create.error instanceof ApiError && typeof create.error.details.field === "string" ? { [create.error.details.field]: create.error.message } : {};
  const lineProblem = (n: number) =>
    errors.server[`lines.${n}.batchId`] ?? errors.server[`lines.${n}.quantity`] ?? errors.server[`lines.${n}`] ?? refused[`lines.${n}`];
  const set = (name: keyof Form) => (value: string) => setForm((current) => ({ ...current, [name]: value }));
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (errors.ready() && site) create.mutate(site.id);
  };
  const text = (label: string, name: keyof Form, hint?: string) => (
    <Field label={label} required={!OPTIONAL.has(name)} error={errors.shown(name)} {...(hint ? { hint } : {})}>
      {(control) => <input {...control} maxLength={200} value={form[name]} onChange={(e) => set(name)(e.target.value)} />}
    </Field>
  );
  const when = (label: string, name: "estimatedDeparture" | "estimatedArrival") => (
    <Field label={label} required error={errors.shown(name)} hint="Your local time">
      {(control) => <input {...control} type="datetime-local" value={form[name]} onChange={(e) => set(name)(e.target.value)} />}
    </Field>
  );
  return (
    <div className="transfers">
      <div className="page-header">
        <h1>New outgoing transfer</h1>
        <span className="muted">{site ? `from ${site.name} (${site.licenseNumber})` : ""}</span>
        <div className="page-actions">
          <Link className="button" to="/transfers/outgoing">
            Back to transfers
          </Link>
        </div>
      </div>
      <form onSubmit={submit} noValidate className="form-card" aria-label="New outgoing transfer" data-testid="transfer-form">
        <fieldset className="form-section">
          <legend>Packages</legend>
          <BatchPicker siteId={site?.id ?? ""} lines={lines} onChange={setLines} shown={errors.shown} lineProblem={lineProblem} />
        </fieldset>
        <fieldset className="form-section">
          <legend>Destination</legend>
          <div className="form-grid">
            {text("Destination license number", "destinationLicenseNumber", "The receiving facility's Metrc license")}
            {text("Destination name", "destinationName")}
            <Field label="Transfer type" required error={errors.shown("transferType")} hint="As Metrc names it in your state">
              {(control) => (
                <>
                  <input {...control} list="transfer-types" maxLength={100} value={form.transferType} onChange={(e) => set("transferType")(e.target.value)} />
                  <datalist id="transfer-types">
                    <option value="Wholesale" />
                    <option value="Transfer" />
                    <option value="Transfer to Testing Facility" />
                  </datalist>
                </>
              )}
            </Field>
            {text("Planned route", "plannedRoute", "The roads the driver takes, as the manifest shows them")}
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend>Transporter, driver and vehicle</legend>
          <div className="form-grid">
            {text("Transporter license number", "transporterLicenseNumber", "Your own license when you deliver it yourselves")}
            {text("Transporter name", "transporterName")}
            {text("Driver name", "driverName")}
            {text("Driver occupational license number", "driverOccupationalLicenseNumber")}
            {text("Driver's license number", "driverLicenseNumber")}
            {text("Phone number", "phoneNumber")}
            {text("Vehicle make", "vehicleMake")}
            {text("Vehicle model", "vehicleModel")}
            {text("Vehicle license plate", "vehicleLicensePlate")}
          </div>
        </fieldset>
        <fieldset className="form-section">
          <legend>Estimated times</legend>
          <div className="form-grid">
            {when("Estimated departure", "estimatedDeparture")}
            {when("Estimated arrival", "estimatedArrival")}
          </div>
        </fieldset>
        <FormProblems errors={errors} />
        <div className="dialog-actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {create.isPending ? "Saving…" : "Plan transfer"}
          </button>
        </div>
      </form>
      <p className="muted">Planning reserves each package whole; Send ships them, Cancel releases them. Compliance sends the plan to Metrc as an outgoing template.</p>
    </div>
  );
}
