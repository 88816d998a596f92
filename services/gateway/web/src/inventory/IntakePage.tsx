import { useMutation } from "@tanstack/react-query";
import { useRef, useState, type SyntheticEvent, type ReactNode } from "react";
import { Link, useNavigate } from "react-router";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { messageOf } from "../api/errors";
import { useSites } from "../app/SiteProvider";
import { quantityProblem, toUnits } from "../ui/decimal";
import { Field } from "../ui/Field";
import { FormProblems, useFormErrors } from "../ui/FormErrors";
import { useToast } from "../ui/toast";
import { useBrands, useLocations, useLots, useProducts, useRefreshBatches, useVendors } from "./queries";

const NEW = "__new__";
const TERMS: Schemas["PaymentTerms"][] = ["COD", "NET_7", "NET_15", "NET_30", "CONSIGNMENT", "PARTIAL"];

interface Form {
  vendorId: string;
  vendorName: string;
  vendorLicense: string;
  brandId: string;
  brandName: string;
  productId: string;
  productName: string;
  category: string;
  subcategory: string;
  strain: string;
  unitOfMeasure: string;
  productSku: string;
  lotId: string;
  lotCode: string;
  locationId: string;
  zone: string;
  rack: string;
  shelf: string;
  bin: string;
  code: string;
  sku: string;
  grade: string;
  quantity: string;
  cogsMode: Schemas["CogsMode"];
  unitCogs: string;
  unitCogsMin: string;
  unitCogsMax: string;
  paymentTerms: Schemas["PaymentTerms"] | "";
  ticket: string;
  isSample: boolean;
  notes: string;
}

const EMPTY: Form = {
  vendorId: "",
  vendorName: "",
  vendorLicense: "",
  brandId: "",
  brandName: "",
  productId: "",
  productName: "",
  category: "",
  subcategory: "",
  strain: "",
  unitOfMeasure: "Grams",
  productSku: "",
  lotId: "",
  lotCode: "",
  locationId: "",
  zone: "",
  rack: "",
  shelf: "",
  bin: "",
  code: "",
  sku: "",
  grade: "",
  quantity: "",
  cogsMode: "FIXED",
  unitCogs: "",
  unitCogsMin: "",
  unitCogsMax: "",
  paymentTerms: "",
  ticket: "",
  isSample: false,
  notes: "",
};

function money(text: string, required: boolean): string | undefined {
  if (!text.trim()) return required ? "Required" : undefined;
  const units = toUnits(text);
  if (units === null) return "Enter an amount with at most 4 decimal places";
  if (units < 0n) return "Must not be negative";
  return undefined;
}

/** Every rule of the intake the browser can check; the API checks them again. */
function validate(f: Form): Record<string, string> {
  const e: Record<string, string | undefined> = {};
  if (!f.vendorId) e.vendor = "Choose a vendor or add a new one";
  if (f.vendorId === NEW && !f.vendorName.trim()) e["vendor.name"] = "Enter the vendor's name";
  if (!f.brandId) e.brand = "Choose a brand or add a new one";
  if (f.brandId === NEW && !f.brandName.trim()) e["brand.name"] = "Enter the brand's name";
  if (!f.productId) e.product = "Choose a product or add a new one";
  if (f.productId === NEW) {
    if (!f.productName.trim()) e["product.name"] = "Enter the product's name";
    if (!f.category.trim()) e["product.category"] = "Enter the category";
    if (!f.unitOfMeasure.trim()) e["product.unitOfMeasure"] = "Enter the unit of measure";
    if (f.category.trim().toLowerCase() === "flower" && !f.strain.trim()) e["product.strain"] = "A Flower product needs its strain";
  }
  if (!f.lotId) e.lot = "Choose a lot or add a new one";
  if (f.lotId === NEW && !f.lotCode.trim()) e["lot.code"] = "Enter the lot code";
  if (!f.locationId) e.location = "Choose where the stock is put, or add a location";
  if (f.locationId === NEW && !f.zone.trim()) e["location.zone"] = "Enter the zone";
  e.quantity = quantityProblem(f.quantity) ?? undefined;
  if (!f.paymentTerms) e.paymentTerms = "Choose the payment terms";
  if (f.cogsMode === "FIXED") {
    e.unitCogs = money(f.unitCogs, true);
  } else {
    e.unitCogsMin = money(f.unitCogsMin, true);
    e.unitCogsMax = money(f.unitCogsMax, true);
    const low = toUnits(f.unitCogsMin);
    const high = toUnits(f.unitCogsMax);
    if (!e.unitCogsMin && !e.unitCogsMax && low !== null && high !== null && !(low < high))
      e.unitCogsMax = "Must be greater than the minimum";
  }
  e.ticket = money(f.ticket, false);
  return Object.fromEntries(Object.entries(e).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function body(f: Form, siteId: string): Schemas["IntakeRequest"] {
  const text = (value: string) => value.trim() || null;
  return {
    siteId,
    vendor: f.vendorId === NEW ? { name: f.vendorName.trim(), licenseNumber: text(f.vendorLicense) } : { id: f.vendorId },
    brand: f.brandId === NEW ? { name: f.brandName.trim() } : { id: f.brandId },
    product:
      f.productId === NEW
        ? {
            name: f.productName.trim(),
            category: f.category.trim(),
            subcategory: text(f.subcategory),
            strain: text(f.strain),
            unitOfMeasure: f.unitOfMeasure.trim(),
            sku: text(f.productSku),
          }
        : { id: f.productId },
    lot: f.lotId === NEW ? { code: f.lotCode.trim() } : { id: f.lotId },
    location:
      f.locationId === NEW ? { zone: f.zone.trim(), rack: text(f.rack), shelf: text(f.shelf), bin: text(f.bin) } : { id: f.locationId },
    code: text(f.code),
    sku: text(f.sku),
    grade: text(f.grade),
    isSample: f.isSample,
    quantity: f.quantity.trim(),
    cogsMode: f.cogsMode,
    ...(f.cogsMode === "FIXED"
      ? { unitCogs: f.unitCogs.trim() }
      : { unitCogsMin: f.unitCogsMin.trim(), unitCogsMax: f.unitCogsMax.trim() }),
    paymentTerms: f.paymentTerms as Schemas["PaymentTerms"],
    ticket: text(f.ticket),
    notes: text(f.notes),
  };
}

/** /inventory/intake: receive a new batch (the spec's intake, with every rule on its field). */
export default function IntakePage() {
  const { site } = useSites();
  const navigate = useNavigate();
  const toast = useToast();
  const refresh = useRefreshBatches();
  const [form, setForm] = useState<Form>(EMPTY);
  const key = useRef(idempotencyKey());
  const vendors = useVendors();
  const brands = useBrands();
  const existingVendor = form.vendorId && form.vendorId !== NEW ? form.vendorId : undefined;
  const existingBrand = form.brandId && form.brandId !== NEW ? form.brandId : undefined;
  const products = useProducts(existingBrand);
  const lots = useLots(existingVendor);
  const locations = useLocations(site?.id);

  const intake = useMutation({
    mutationFn: (siteId: string) =>
      unwrap(api.POST("/api/v1/batches/intake", { body: body(form, siteId), params: { header: { "Idempotency-Key": key.current } } })),
    onSuccess: (result) => {
      toast.success(`Batch ${result.batch.code} received`, "It awaits intake: change its status to Live when it is ready.");
      refresh();
      void navigate(`/inventory?batch=${result.batch.id}`);
    },
    onError: (error) => {
      key.current = idempotencyKey();
      toast.error("The batch was not received", messageOf(error));
    },
  });

  const errors = useFormErrors(validate(form), intake.error);
  const shown = errors.shown;
  const set =
    <K extends keyof Form>(name: K) =>
    (value: Form[K]) => {
      setForm((current) => ({ ...current, [name]: value }));
    };
  const setText = (name: keyof Form) => (value: string) => {
    setForm((current) => ({ ...current, [name]: value }));
  };

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (errors.ready() && site) intake.mutate(site.id);
  };

  const text = (label: string, name: keyof Form, error: string, props: { required?: boolean; hint?: string; maxLength?: number; inputMode?: "decimal" } = {}) => (
    <Field label={label} error={shown(error)} required={props.required} hint={props.hint}>
      {(control) => (
        <input
          {...control}
          value={form[name] as string}
          maxLength={props.maxLength}
          inputMode={props.inputMode}
          onChange={(e) => setText(name)(e.target.value)}
        />
      )}
    </Field>
  );
  const choose = (label: string, name: keyof Form, error: string, options: [string, string][], newLabel: string, loading: boolean) => (
    <Field label={label} error={shown(error)} required>
      {(control) => (
        <select {...control} value={form[name] as string} onChange={(e) => setText(name)(e.target.value)}>
          <option value="">{loading ? "Loading…" : `Choose…`}</option>
          {options.map(([id, name]) => (
            <option key={id} value={id}>
              {name}
            </option>
          ))}
          <option value={NEW}>{newLabel}</option>
        </select>
      )}
    </Field>
  );

  return (
    <div className="intake">
      <div className="page-header">
        <h1>Receive stock</h1>
        <span className="muted">{site ? `into ${site.name}` : ""}</span>
        <div className="page-actions">
          <Link className="button" to="/inventory">
            Back to inventory
          </Link>
        </div>
      </div>
      <form onSubmit={submit} noValidate className="intake-form" aria-label="Intake" data-testid="intake-form">
        <Section title="From">
          {choose("Vendor", "vendorId", "vendor", (vendors.data ?? []).map((v) => [v.id, v.name]), "New vendor…", vendors.isLoading)}
          {form.vendorId === NEW && (
            <>
              {text("Vendor name", "vendorName", "vendor.name", { required: true, maxLength: 200 })}
              {text("Vendor license number", "vendorLicense", "vendor.licenseNumber", { maxLength: 100 })}
            </>
          )}
          {choose("Brand", "brandId", "brand", (brands.data ?? []).map((b) => [b.id, b.name]), "New brand…", brands.isLoading)}
          {form.brandId === NEW && text("Brand name", "brandName", "brand.name", { required: true, maxLength: 200 })}
          {choose(
            "Lot",
            "lotId",
            "lot",
            (existingVendor ? (lots.data ?? []) : []).map((l) => [l.id, l.code]),
            "New lot…",
            lots.isLoading && existingVendor !== undefined,
          )}
          {form.lotId === NEW && text("Lot code", "lotCode", "lot.code", { required: true, maxLength: 100 })}
        </Section>
        <Section title="Product">
          {choose(
            "Product",
            "productId",
            "product",
            (existingBrand ? (products.data ?? []) : []).map((p) => [p.id, `${p.name} (${p.category})`]),
            "New product…",
            products.isLoading && existingBrand !== undefined,
          )}
          {form.productId === NEW && (
            <>
              {text("Product name", "productName", "product.name", { required: true, maxLength: 200 })}
              {text("Category", "category", "product.category", { required: true, maxLength: 50, hint: "Flower, Pre-Roll, Vape, Concentrate, Edible …" })}
              {text("Subcategory", "subcategory", "product.subcategory", { maxLength: 50 })}
              {text("Strain", "strain", "product.strain", { required: form.category.trim().toLowerCase() === "flower", maxLength: 100 })}
              {text("Unit of measure", "unitOfMeasure", "product.unitOfMeasure", { required: true, maxLength: 30, hint: "As Metrc names it: Grams, Pounds, Each …" })}
              {text("Product SKU", "productSku", "product.sku", { maxLength: 100 })}
            </>
          )}
        </Section>
        <Section title="Where">
          {choose("Location", "locationId", "location", (locations.data ?? []).map((l) => [l.id, l.label]), "New location…", locations.isLoading)}
          {form.locationId === NEW && (
            <>
              {text("Zone", "zone", "location.zone", { required: true, maxLength: 50 })}
              {text("Rack", "rack", "location.rack", { maxLength: 50 })}
              {text("Shelf", "shelf", "location.shelf", { maxLength: 50 })}
              {text("Bin", "bin", "location.bin", { maxLength: 50 })}
            </>
          )}
        </Section>
        <Section title="Batch">
          {text("Quantity", "quantity", "quantity", { required: true, inputMode: "decimal", hint: "Greater than zero, at most 4 decimal places" })}
          {text("Batch code", "code", "code", { maxLength: 100, hint: "Generated when left empty" })}
          {text("SKU", "sku", "sku", { maxLength: 100, hint: "Defaults to the product's SKU" })}
          {text("Grade", "grade", "grade", { maxLength: 20 })}
          <label className="checkbox">
            <input type="checkbox" checked={form.isSample} onChange={(e) => set("isSample")(e.target.checked)} />
            This batch is a sample
          </label>
        </Section>
        <Section title="Cost and terms">
          <fieldset className="radios" aria-describedby={shown("cogsMode") ? "cogs-mode-error" : undefined}>
            <legend>Unit cost</legend>
            <label className="checkbox">
              <input type="radio" name="cogsMode" checked={form.cogsMode === "FIXED"} onChange={() => set("cogsMode")("FIXED")} />
              Fixed
            </label>
            <label className="checkbox">
              <input type="radio" name="cogsMode" checked={form.cogsMode === "RANGE"} onChange={() => set("cogsMode")("RANGE")} />
              Range
            </label>
            {shown("cogsMode") && (
              <p className="field-error" id="cogs-mode-error">
                {shown("cogsMode")}
              </p>
            )}
          </fieldset>
          {form.cogsMode === "FIXED" ? (
            text("Unit cost", "unitCogs", "unitCogs", { required: true, inputMode: "decimal" })
          ) : (
            <>
              {text("Unit cost, minimum", "unitCogsMin", "unitCogsMin", { required: true, inputMode: "decimal" })}
              {text("Unit cost, maximum", "unitCogsMax", "unitCogsMax", { required: true, inputMode: "decimal" })}
            </>
          )}
          <Field label="Payment terms" error={shown("paymentTerms")} required>
            {(control) => (
              <select {...control} value={form.paymentTerms} onChange={(e) => set("paymentTerms")(e.target.value as Schemas["PaymentTerms"])}>
                <option value="">Choose…</option>
                {TERMS.map((t) => (
                  <option key={t} value={t}>
                    {t.replace("_", " ")}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {text("Price per unit", "ticket", "ticket", { inputMode: "decimal" })}
          <Field label="Notes" error={shown("notes")}>
            {(control) => <textarea {...control} value={form.notes} maxLength={2000} onChange={(e) => set("notes")(e.target.value)} />}
          </Field>
        </Section>
        <FormProblems errors={errors} testId="intake-invalid" />
        <div className="dialog-actions">
          <button type="submit" className="button button-primary" disabled={intake.isPending}>
            {intake.isPending ? "Saving…" : "Receive batch"}
          </button>
        </div>
      </form>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="form-section">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}
