import { useMutation } from "@tanstack/react-query";
import { useRef, type ReactNode, type SyntheticEvent } from "react";

import { idempotencyKey } from "../api/client";
import { ApiError, fieldErrors, messageOf } from "../api/errors";
import { Modal } from "./Modal";
import { useToast } from "./toast";

/**
 * One write to one record in a dialog (a batch, a plant batch, a harvest): "Saving…" while it
 * runs; on success a toast, the dialog closes and `onDone` refetches what changed; a refusal is a
 * toast with the API's message (field problems shown on their fields through `children`), and a
 * stale version (someone else changed the record) says so and offers to reload it.
 */
export function WriteDialog<T>({
  open,
  onOpenChange,
  title,
  description,
  noun,
  invalid,
  submitLabel,
  success,
  write,
  onDone,
  reload,
  children,
  testId,
  danger = false,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  /** What is written, for the conflict message: "batch", "plant batch", "harvest". */
  noun: string;
  invalid: boolean;
  submitLabel: string;
  success: string | ((result: T) => string);
  /** The request, with the Idempotency-Key of this attempt. */
  write: (key: string) => Promise<T>;
  onDone: (result: T) => void;
  reload: () => void;
  children: (errors: Record<string, string>) => ReactNode;
  testId: string;
  danger?: boolean;
}) {
  const toast = useToast();
  // One key per attempt of this dialog: a double submit or a retry after a lost answer replays.
  const key = useRef(idempotencyKey());
  const mutation = useMutation({
    mutationFn: () => write(key.current),
    onSuccess: (result) => {
      toast.success(typeof success === "string" ? success : success(result));
      onDone(result);
      key.current = idempotencyKey();
      onOpenChange(false);
    },
    onError: (error) => {
      key.current = idempotencyKey();
      toast.error(error instanceof ApiError && error.isConflict ? `This ${noun} was changed by someone else` : "Not saved", messageOf(error));
    },
  });
  const conflict = mutation.error instanceof ApiError && mutation.error.isConflict;
  const errors = fieldErrors(mutation.error);
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (!invalid) mutation.mutate();
  };
  return (
    <Modal
      open={open}
      onOpenChange={(next) => {
        if (!next) mutation.reset();
        onOpenChange(next);
      }}
      title={title}
      description={description}
      testId={testId}
    >
      <form onSubmit={submit} noValidate>
        {children(errors)}
        {conflict && (
          <div className="conflict" role="alert" data-testid="conflict">
            <p>Someone changed this {noun} while you were working on it. Reload it to see the latest numbers, then try again.</p>
            <button
              type="button"
              className="button"
              onClick={() => {
                reload();
                mutation.reset();
              }}
            >
              Reload {noun}
            </button>
          </div>
        )}
        {mutation.isError && !conflict && (
          <p className="form-error" role="alert">
            {messageOf(mutation.error)}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button type="submit" className={`button ${danger ? "button-danger" : "button-primary"}`} disabled={invalid || mutation.isPending || conflict}>
            {mutation.isPending ? "Saving…" : submitLabel}
          </button>
        </div>
      </form>
    </Modal>
  );
}
