import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { ApiError, fieldErrors, messageOf } from "../api/errors";
import { useSites } from "../app/SiteProvider";
import { Field } from "../ui/Field";
import { ErrorState } from "../ui/states";
import { useToast } from "../ui/toast";

/** Compliance > Jurisdiction rules: the chosen site's state, program, license, Metrc address and
 * the reason map (Canopy's cause of a change -> the Metrc adjustment reason). */
export default function RulesPage() {
  const { site } = useSites();
  const siteId = site?.id ?? "";
  const rules = useQuery({
    queryKey: ["compliance", "rules", siteId],
    queryFn: async () => {
      try {
        return await unwrap(api.GET("/api/v1/compliance/rules/{siteId}", { params: { path: { siteId } } }));
      } catch (error) {
        if (error instanceof ApiError && error.code === "RULES_NOT_FOUND") return null;
        throw error;
      }
    },
    enabled: siteId !== "",
  });
  return (
    <div className="compliance">
      <div className="page-header">
        <h1>Jurisdiction rules</h1>
        <span className="muted">{site ? `${site.name} · ${site.licenseNumber}` : ""}</span>
      </div>
      {rules.isPending ? (
        <p className="muted">Loading…</p>
      ) : rules.isError ? (
        <ErrorState error={rules.error} onRetry={() => void rules.refetch()} />
      ) : (
        <RulesForm key={`${siteId}-${rules.data?.updatedAt ?? "new"}`} siteId={siteId} rules={rules.data} fallback={site} />
      )}
    </div>
  );
}

function RulesForm({ siteId, rules, fallback }: { siteId: string; rules: Schemas["SiteRules"] | null; fallback: Schemas["Site"] | undefined }) {
  const client = useQueryClient();
  const toast = useToast();
  const [form, setForm] = useState({
    state: rules?.state ?? fallback?.state ?? "",
    program: rules?.program ?? "CANNABIS",
    licenseNumber: rules?.licenseNumber ?? fallback?.licenseNumber ?? "",
    metrcBaseUrl: rules?.metrcBaseUrl ?? "",
    timeZone: rules?.timeZone ?? "UTC",
    requireMetrcId: rules?.requireMetrcId ?? true,
  });
  const [reasons, setReasons] = useState<[string, string][]>(Object.entries(rules?.reasonMap ?? {}));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Schemas["RulesSaveResult"] | null>(null);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT("/api/v1/compliance/rules/{siteId}", {
          params: { path: { siteId } },
          headers: { "Idempotency-Key": idempotencyKey() },
          body: {
            // The maps this screen does not edit are sent back as they are (a save is the whole record).
            unitMap: rules?.unitMap ?? {},
            itemMap: rules?.itemMap ?? {},
            locationMap: rules?.locationMap ?? {},
            trackLocations: rules?.trackLocations ?? false,
            allowOpeningBalance: rules?.allowOpeningBalance ?? false,
            ...form,
            state: form.state.toUpperCase(),
            metrcBaseUrl: form.metrcBaseUrl || null,
            licenseNumber: form.licenseNumber || null,
            reasonMap: Object.fromEntries(reasons.filter(([cause]) => cause.trim())),
          },
        }),
      ),
    onSuccess: (result) => {
      setOutcome(result);
      void client.invalidateQueries({ queryKey: ["compliance"] });
      toast.success("Rules saved");
    },
    onError: (error) => {
      setErrors(fieldErrors(error));
      toast.error("The rules were not saved", messageOf(error));
    },
  });
  const set = (name: keyof typeof form, value: string | boolean) => setForm((f) => ({ ...f, [name]: value }));
  return (
    <form
      className="form-card"
      data-testid="rules-form"
      onSubmit={(e) => {
        e.preventDefault();
        setErrors({});
        save.mutate();
      }}
    >
      {rules && (
        <p className={rules.pushesToMetrc ? "notice" : "notice notice-warn"} data-testid="rules-pushes">
          {rules.pushesToMetrc ? "This site pushes its inventory to Metrc." : `This site pushes nothing to Metrc: ${rules.whyNotMetrc ?? ""}`}
        </p>
      )}
      {outcome && (
        <p className="notice" role="status">
          {outcome.checkedAgainstMetrc ? "The Metrc names were checked against the facility's Metrc." : `Not checked against Metrc: ${outcome.uncheckedBecause ?? ""}`}
        </p>
      )}
      <div className="form-grid">
        <Field label="State" required error={errors.state}>
          {(c) => <input {...c} value={form.state} maxLength={2} onChange={(e) => set("state", e.target.value)} />}
        </Field>
        <Field label="Program" required error={errors.program}>
          {(c) => (
            <select {...c} value={form.program} onChange={(e) => set("program", e.target.value)}>
              <option value="CANNABIS">Cannabis</option>
              <option value="HEMP">Hemp</option>
            </select>
          )}
        </Field>
        <Field label="License" error={errors.licenseNumber}>
          {(c) => <input {...c} value={form.licenseNumber} onChange={(e) => set("licenseNumber", e.target.value)} />}
        </Field>
        <Field label="Metrc address" error={errors.metrcBaseUrl} hint="Empty: the state's Metrc">
          {(c) => <input {...c} value={form.metrcBaseUrl} onChange={(e) => set("metrcBaseUrl", e.target.value)} />}
        </Field>
        <Field label="Time zone" error={errors.timeZone}>
          {(c) => <input {...c} value={form.timeZone} onChange={(e) => set("timeZone", e.target.value)} />}
        </Field>
      </div>
      <label className="checkbox">
        <input type="checkbox" checked={form.requireMetrcId} onChange={(e) => set("requireMetrcId", e.target.checked)} />
        Every batch needs its Metrc package
      </label>
      <fieldset className="reason-map">
        <legend>Reason map: Canopy cause → Metrc adjustment reason</legend>
        {errors.reasonMap && <p className="field-error">{errors.reasonMap}</p>}
        <table className="grid compact" data-testid="reason-map">
          <thead>
            <tr>
              <th scope="col">Canopy cause</th>
              <th scope="col">Metrc reason</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {reasons.map(([cause, reason], n) => (
              <tr key={n}>
                <td>
                  <input aria-label={`Canopy cause ${n + 1}`} value={cause} onChange={(e) => setReasons((r) => r.map((row, i) => (i === n ? [e.target.value, row[1]] : row)))} />
                </td>
                <td>
                  <input aria-label={`Metrc reason for ${cause || `row ${n + 1}`}`} value={reason} onChange={(e) => setReasons((r) => r.map((row, i) => (i === n ? [row[0], e.target.value] : row)))} />
                </td>
                <td>
                  <button type="button" className="button button-small" aria-label={`Remove ${cause || `row ${n + 1}`}`} onClick={() => setReasons((r) => r.filter((_, i) => i !== n))}>
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" className="button button-small" onClick={() => setReasons((r) => [...r, ["", ""]])}>
          Add a reason
        </button>
      </fieldset>
      <button type="submit" className="button button-primary" disabled={save.isPending}>
        {save.isPending ? "Saving…" : "Save rules"}
      </button>
    </form>
  );
}
