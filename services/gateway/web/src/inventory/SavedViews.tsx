import { useMutation, useQueryClient } from "@tanstack/react-query";
import { DropdownMenu } from "radix-ui";
import { useState, type SyntheticEvent } from "react";

import { api, idempotencyKey, unwrap, type Schemas } from "../api/client";
import { fieldErrors, messageOf } from "../api/errors";
import { useAuth } from "../auth/AuthProvider";
import { Field } from "../ui/Field";
import { Modal } from "../ui/Modal";
import { useToast } from "../ui/toast";
import { LIST_KEYS, type ListState } from "./listState";
import { useSavedViews } from "./queries";

/** Saved views: the user's own and those shared with everyone; apply, save, delete (own). */
export function SavedViews({ state, onApply }: { state: ListState; onApply: (next: ListState) => void }) {
  const { can, me } = useAuth();
  const [menuOpen, setMenuOpen] = useState(false);
  const views = useSavedViews(menuOpen);
  const toast = useToast();
  const client = useQueryClient();
  const [saving, setSaving] = useState(false);
  const remove = useMutation({
    mutationFn: (view: Schemas["SavedView"]) =>
      unwrap(api.DELETE("/api/v1/views/{viewId}", { params: { path: { viewId: view.id } } })),
    onSuccess: (_, view) => {
      toast.success(`View “${view.name}” deleted`);
      void client.invalidateQueries({ queryKey: ["views"] });
    },
    onError: (error) => toast.error("The view was not deleted", messageOf(error)),
  });
  if (!can("GET /api/v1/views")) return null;

  const apply = (view: Schemas["SavedView"]) => {
    const f = view.filters;
    onApply({
      ...state,
      search: f.search ?? "",
      status: f.status ?? [],
      category: f.category ?? [],
      vendorId: f.vendorId ?? [],
      brandId: f.brandId ?? [],
      grade: f.grade ?? [],
      stockStatus: f.stockStatus ?? [],
      ageBracket: f.ageBracket ?? [],
      locationId: f.locationId ?? [],
      includeArchived: f.includeArchived ?? false,
      sortBy: f.sortBy ?? "createdAt",
      sortOrder: f.sortOrder ?? "desc",
      page: 1,
    });
  };

  return (
    <>
      <DropdownMenu.Root open={menuOpen} onOpenChange={setMenuOpen}>
        <DropdownMenu.Trigger className="button" data-testid="views-button">
          Saved views ▾
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content className="menu-popover" align="start" sideOffset={4}>
            {views.isLoading && <DropdownMenu.Label className="menu-label">Loading…</DropdownMenu.Label>}
            {views.isError && <DropdownMenu.Label className="menu-label">{messageOf(views.error)}</DropdownMenu.Label>}
            {views.data?.length === 0 && <DropdownMenu.Label className="menu-label">No saved views yet</DropdownMenu.Label>}
            {views.data?.map((view) => (
              <DropdownMenu.Item key={view.id} className="menu-item" onSelect={() => apply(view)}>
                {view.name}
                {view.isShared && <span className="badge">shared</span>}
              </DropdownMenu.Item>
            ))}
            {can("POST /api/v1/views") && (
              <>
                <DropdownMenu.Separator className="menu-separator" />
                <DropdownMenu.Item className="menu-item" onSelect={() => setSaving(true)}>
                  Save current view…
                </DropdownMenu.Item>
              </>
            )}
            {can("DELETE /api/v1/views/{viewId}") &&
              views.data
                ?.filter((view) => view.ownerId === me?.subject)
                .map((view) => (
                  <DropdownMenu.Item key={`delete-${view.id}`} className="menu-item menu-item-danger" onSelect={() => remove.mutate(view)}>
                    Delete “{view.name}”
                  </DropdownMenu.Item>
                ))}
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>
      <SaveViewDialog open={saving} onOpenChange={setSaving} state={state} />
    </>
  );
}

function SaveViewDialog({ open, onOpenChange, state }: { open: boolean; onOpenChange: (open: boolean) => void; state: ListState }) {
  const toast = useToast();
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const save = useMutation({
    mutationFn: (key: string) => {
      const filters: Schemas["ViewFilters"] = { sortBy: state.sortBy, sortOrder: state.sortOrder, includeArchived: state.includeArchived };
      if (state.search.trim()) filters.search = state.search.trim();
      for (const k of LIST_KEYS) if (state[k].length > 0) Object.assign(filters, { [k]: state[k] });
      return unwrap(
        api.POST("/api/v1/views", {
          body: { name: name.trim(), filters, isShared: shared },
          params: { header: { "Idempotency-Key": key } },
        }),
      );
    },
    onSuccess: () => {
      toast.success(`View “${name.trim()}” saved`);
      void client.invalidateQueries({ queryKey: ["views"] });
      setName("");
      setShared(false);
      onOpenChange(false);
    },
  });
  const errors = fieldErrors(save.error);
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    save.mutate(idempotencyKey());
  };
  return (
    <Modal open={open} onOpenChange={onOpenChange} title="Save the current view" description="The filters and the sort, under a name." testId="save-view-dialog">
      <form onSubmit={submit}>
        <Field label="Name" required error={errors.name}>
          {(control) => <input {...control} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} />
          Share with everyone
        </label>
        {save.isError && !errors.name && (
          <p className="form-error" role="alert">
            {messageOf(save.error)}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={!name.trim() || save.isPending}>
            {save.isPending ? "Saving…" : "Save view"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
