/**
 * The guide's validation rules (compliance-workflows.md, "Validation Rules"), checked as a person
 * types so each shows on its field; the API checks every one again (and the facility's today in
 * its own state's time zone, which the browser's today can differ from near midnight).
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const WHOLE = /^-?\d+$/;
const TAG = /^[A-Za-z0-9]{24}$/;

/** Today in the browser's time zone, as YYYY-MM-DD. */
export function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** "YYYY-MM-DD, not future". */
export function dateProblem(text: string): string | undefined {
  if (!text) return "Enter the date (YYYY-MM-DD)";
  if (!DATE.test(text) || Number.isNaN(Date.parse(text))) return "Enter the date as YYYY-MM-DD";
  if (text > today()) return "Must not be in the future";
  return undefined;
}

/** "Positive integer" (or a signed one, never 0, for an adjustment), within the API's bounds. */
export function wholeProblem(text: string, { signed = false, max = 100_000 }: { signed?: boolean; max?: number } = {}): string | undefined {
  const value = text.trim();
  if (!value) return "Enter a whole number";
  if (!WHOLE.test(value)) return signed ? "Enter a whole number of plants, e.g. -2" : "Enter a positive whole number of plants";
  const n = Number(value);
  if (signed ? n === 0 : n <= 0) return signed ? "Must not be zero" : "Must be a positive whole number";
  if (Math.abs(n) > max) return `At most ${max.toLocaleString("en-US")}`;
  return undefined;
}

/** "24 alphanumeric characters". */
export function tagProblem(text: string): string | undefined {
  if (!text.trim()) return "Enter the tag";
  if (!TAG.test(text.trim())) return "A Metrc tag is 24 letters and digits";
  return undefined;
}

export function required(text: string, what: string): string | undefined {
  return text.trim() ? undefined : `Enter ${what}`;
}

/** Only the problems that are there. */
export function problems(found: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(found).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export const WEIGHT_UNITS = ["Grams", "Kilograms", "Ounces", "Pounds"] as const;
