import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { fieldErrors, messageOf } from "../api/errors";
import { useSites } from "../app/SiteProvider";
import { useAuth } from "../auth/AuthProvider";
import { formatDate, formatDateTime } from "../ui/decimal";
import { Field } from "../ui/Field";
import { EmptyState, ErrorState } from "../ui/states";
import { useToast } from "../ui/toast";
import { KeyStatusBadge } from "./parts";

/**
 * Compliance > API keys: each license's Metrc keys as hints (never the keys), the status of
 * their last validation against Metrc (the green check), when they were checked and when the
 * user key expires; keys saved (validated against Metrc as they are saved) and validated again.
 */
export default function KeysPage() {
  const keys = useQuery({ queryKey: ["compliance", "credentials"], queryFn: () => unwrap(api.GET("/api/v1/compliance/credentials")) });
  return (
    <div className="compliance">
      <div className="page-header">
        <h1>Metrc API keys</h1>
        <span className="muted">One pair of keys per license; Canopy keeps them sealed and shows only their last four characters.</span>
      </div>
      {keys.isPending ? (
        <p className="muted">Loading…</p>
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} title="The keys could not be loaded" />
      ) : keys.data.length === 0 ? (
        <EmptyState title="No keys yet" testId="keys-empty">
          <p>Add the Metrc keys of a license below to start pushing its inventory to Metrc.</p>
        </EmptyState>
      ) : (
        <KeysTable keys={keys.data} />
      )}
      <SaveKeys />
    </div>
  );
}

function KeysTable({ keys }: { keys: Schemas["CredentialsView"][] }) {
  const client = useQueryClient();
  const toast = useToast();
  const validate = useMutation({
    mutationFn: (license: string) =>
      unwrap(api.POST("/api/v1/compliance/credentials/{licenseNumber}/validate", { params: { path: { licenseNumber: license } }, headers: { "Idempotency-Key": idempotencyKey() } })),
    onSuccess: (view) => {
      void client.invalidateQueries({ queryKey: ["compliance"] });
      if (view.status === "VALID") toast.success(`The keys of ${view.licenseNumber} are valid`);
      else toast.error(`Metrc refused the keys of ${view.licenseNumber}`, view.validationMessage ?? undefined);
    },
    onError: (error) => toast.error("The keys could not be validated", messageOf(error)),
  });
  return (
    <div className="table-scroll">
      <table className="grid compact" data-testid="keys-table">
        <caption className="visually-hidden">Metrc keys per license</caption>
        <thead>
          <tr>
            <th scope="col">License</th>
            <th scope="col">State</th>
            <th scope="col">Vendor key</th>
            <th scope="col">User key</th>
            <th scope="col">Status</th>
            <th scope="col">Checked</th>
            <th scope="col">Expires</th>
            <th scope="col">Notifications to</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {keys.map((k) => (
            <tr key={k.licenseNumber} data-license={k.licenseNumber}>
              <th scope="row">{k.licenseNumber}</th>
              <td>{k.state}</td>
              <td>{k.vendorKeyHint}</td>
              <td>{k.userKeyHint}</td>
              <td>
                <KeyStatusBadge status={k.status} />
                {k.validationMessage && <div className="hint">{k.validationMessage}</div>}
              </td>
              <td>{k.validatedAt ? formatDateTime(k.validatedAt) : "Never"}</td>
              <td>{k.expiresAt ? formatDate(k.expiresAt) : "—"}</td>
              <td>{k.notifyEmails.join(", ") || "—"}</td>
              <td>
                <button
                  type="button"
                  className="button button-small"
                  disabled={validate.isPending}
                  onClick={() => validate.mutate(k.licenseNumber)}
                  aria-label={`Validate the keys of ${k.licenseNumber}`}
                >
                  Validate
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Add (or replace) a license's keys: saved only once Metrc accepts or refuses them. */
function SaveKeys() {
  const { sites } = useSites();
  const { can } = useAuth();
  const client = useQueryClient();
  const toast = useToast();
  const [license, setLicense] = useState(sites[0]?.licenseNumber ?? "");
  const [state, setState] = useState(sites[0]?.state ?? "");
  const [vendorKey, setVendorKey] = useState("");
  const [userKey, setUserKey] = useState("");
  const [expires, setExpires] = useState("");
  const [emails, setEmails] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [attempt] = useState(idempotencyKey);
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PUT("/api/v1/compliance/credentials/{licenseNumber}", {
          params: { path: { licenseNumber: license } },
          headers: { "Idempotency-Key": `${attempt}-${license}-${vendorKey.length}-${userKey.length}` },
          body: {
            state: state.toUpperCase(),
            vendorKey,
            userKey,
            ...(expires ? { expiresAt: new Date(`${expires}T00:00:00Z`).toISOString() } : {}),
            notifyEmails: emails.split(",").map((e) => e.trim()).filter(Boolean),
          },
        }),
      ),
    onSuccess: (view) => {
      void client.invalidateQueries({ queryKey: ["compliance"] });
      setVendorKey("");
      setUserKey("");
      if (view.status === "VALID") toast.success(`Keys saved for ${view.licenseNumber}`, "Metrc accepted them.");
      else toast.error(`Keys saved for ${view.licenseNumber}, but Metrc refused them`, view.validationMessage ?? undefined);
    },
    onError: (error) => {
      setErrors(fieldErrors(error));
      toast.error("The keys were not saved", messageOf(error));
    },
  });
  if (!can("PUT /api/v1/compliance/credentials/{licenseNumber}")) return null;
  const problems: Record<string, string> = {};
  if (!license.trim()) problems.license = "Choose a license";
  if (!/^[A-Za-z]{2}$/.test(state)) problems.state = "Two letters, e.g. CO";
  if (!vendorKey) problems.vendorKey = "Paste the vendor (integrator) key";
  if (!userKey) problems.userKey = "Paste the facility user's key";
  const shown = { ...problems, ...errors };
  const licenses = [...new Set(sites.map((s) => s.licenseNumber))];
  return (
    <section className="report-section form-card" aria-labelledby="add-keys">
      <h2 id="add-keys">Add or replace keys</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setErrors({});
          if (Object.keys(problems).length === 0) save.mutate();
        }}
        data-testid="keys-form"
      >
        <div className="form-grid">
          <Field label="License" required error={shown.license}>
            {(control) => (
              <select
                {...control}
                value={license}
                onChange={(e) => {
                  setLicense(e.target.value);
                  const site = sites.find((s) => s.licenseNumber === e.target.value);
                  if (site) setState(site.state);
                }}
              >
                {licenses.map((l) => (
                  <option key={l} value={l}>
                    {l}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="State" required error={shown.state}>
            {(control) => <input {...control} value={state} maxLength={2} onChange={(e) => setState(e.target.value)} />}
          </Field>
          <Field label="Vendor key" required error={shown.vendorKey} hint="Shown once here; Canopy keeps only a hint">
            {(control) => <input {...control} type="password" autoComplete="off" value={vendorKey} onChange={(e) => setVendorKey(e.target.value)} />}
          </Field>
          <Field label="User key" required error={shown.userKey}>
            {(control) => <input {...control} type="password" autoComplete="off" value={userKey} onChange={(e) => setUserKey(e.target.value)} />}
          </Field>
          <Field label="User key expires" error={shown.expiresAt} hint="Default: in 365 days">
            {(control) => <input {...control} type="date" value={expires} onChange={(e) => setExpires(e.target.value)} />}
          </Field>
          <Field label="Notify (emails, comma-separated)" error={shown.notifyEmails}>
            {(control) => <input {...control} value={emails} onChange={(e) => setEmails(e.target.value)} />}
          </Field>
        </div>
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {save.isPending ? "Validating with Metrc…" : "Save and validate"}
        </button>
      </form>
    </section>
  );
}
