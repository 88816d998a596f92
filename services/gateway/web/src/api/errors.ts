import type { components } from "./schema";

type ErrorBody = components["schemas"]["ErrorBody"];

/** A refused or failed request: the gateway's stable error code, its message and details. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }

  static from(response: Response, body: unknown): ApiError {
    const error = (body as Partial<ErrorBody> | undefined)?.error;
    if (error && typeof error.code === "string") {
      return new ApiError(response.status, error.code, error.message, error.details ?? {});
    }
    return new ApiError(
      response.status,
      response.status >= 500 ? "SERVER_ERROR" : "HTTP_ERROR",
      `The server answered ${response.status} ${response.statusText}`.trim(),
    );
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  get isConflict(): boolean {
    return this.code === "OPTIMISTIC_LOCK_CONFLICT";
  }
}

/** The network failed before any answer (server down, connection refused, offline). */
export class NetworkError extends Error {
  constructor() {
    super("Canopy cannot be reached. Check your connection and try again.");
    this.name = "NetworkError";
  }
}

/** What to tell a person about an error, whatever it is. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.isConflict) return "Someone changed this batch while you were looking at it; reload it and try again.";
    if (error.code === "PERMISSION_DENIED") return "You do not have permission to do this.";
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}

/**
 * Field problems of a VALIDATION_ERROR (or a DUPLICATE), keyed by the form's field names.
 *
 * Invalid input has one shape, whoever found it (the gateway's schema check, the service's
 * schema check or its business rules): details.problems[{field: "product.unitOfMeasure", in:
 * "body", problem}], the field path spelled as the wire spells it, so a form names its fields
 * that way. A duplicate says details {field, value}. `aliases` maps a path onto another name.
 */
export function fieldErrors(error: unknown, aliases: Record<string, string> = {}): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const found: Record<string, string> = {};
  const add = (path: string, message: string) => {
    const name = aliases[path] ?? camelPath(path);
    found[name] ??= message;
  };
  const { problems, field } = error.details as {
    problems?: { field: string; in?: string; problem: string }[];
    field?: string;
  };
  for (const p of Array.isArray(problems) ? problems : []) add(p.field, p.problem);
  if (error.code === "DUPLICATE" && typeof field === "string") add(field, error.message);
  return found;
}

function camelPath(path: string): string {
  return path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}
