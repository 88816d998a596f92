import { useState } from "react";

import { fieldErrors, messageOf } from "../api/errors";

/**
 * The problems of a form page, from both sides: the rules checked as a person types (`local`,
 * shown once they tried to submit) and the API's refusal of what was sent (mapped onto the fields
 * it names; anything it names no field for is said once, under the form).
 */
export interface FormErrors {
  /** The problem to show on a field (the local rule first, then the API's). */
  shown: (name: string) => string | undefined;
  /** The API's problems by field, for fields a form names itself (e.g. a table's rows). */
  server: Record<string, string>;
  /** On submit: true when the form may be sent; otherwise marks the fields and focuses the first. */
  ready: () => boolean;
  tried: boolean;
  local: Record<string, string>;
  error: unknown;
  unmapped: boolean;
}

export function useFormErrors(local: Record<string, string>, error: unknown, aliases: Record<string, string> = {}): FormErrors {
  const [tried, setTried] = useState(false);
  const server = fieldErrors(error, aliases);
  return {
    shown: (name) => (tried ? local[name] : undefined) ?? server[name],
    server,
    ready: () => {
      setTried(true);
      if (Object.keys(local).length === 0) return true;
      // After React has marked the fields: focus the first one to fix.
      requestAnimationFrame(() => document.querySelector<HTMLElement>("[aria-invalid='true']")?.focus());
      return false;
    },
    tried,
    local,
    error,
    unmapped: Boolean(error) && Object.keys(server).length === 0,
  };
}

/** Under a form: how many fields still need attention, and a refusal that names no field. */
export function FormProblems({ errors, testId = "form-invalid" }: { errors: FormErrors; testId?: string }) {
  const count = Object.keys(errors.local).length;
  return (
    <>
      {errors.tried && count > 0 && (
        <p className="form-error" role="alert" data-testid={testId}>
          Some fields need attention: {count} to fix.
        </p>
      )}
      {errors.unmapped && (
        <p className="form-error" role="alert">
          {messageOf(errors.error)}
        </p>
      )}
    </>
  );
}
