/**
 * Quantities and money are decimal strings on the wire ("12.5000", NUMERIC(15,4)); they are never
 * turned into binary floats here. Arithmetic, where the UI needs any, is on scaled BigInts.
 */

const PATTERN = /^-?\d{1,11}(\.\d{1,4})?$/;
const SCALE = 4;

/** The value in ten-thousandths, or null when it is not a decimal the API accepts. */
export function toUnits(text: string): bigint | null {
  const value = text.trim();
  if (!PATTERN.test(value)) return null;
  const negative = value.startsWith("-");
  const [whole = "0", fraction = ""] = value.replace("-", "").split(".");
  const units = BigInt(whole) * 10n ** BigInt(SCALE) + BigInt(fraction.padEnd(SCALE, "0"));
  return negative ? -units : units;
}

export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const absolute = negative ? -units : units;
  const base = 10n ** BigInt(SCALE);
  const whole = (absolute / base).toString();
  const fraction = (absolute % base).toString().padStart(SCALE, "0");
  return `${negative ? "-" : ""}${whole}.${fraction}`;
}

/** "1234.5000" -> "1,234.5"; null or undefined -> "—". */
export function formatQty(value: string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const negative = value.startsWith("-");
  const [whole = "0", fraction = ""] = value.replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const trimmed = fraction.replace(/0+$/, "");
  return `${negative ? "−" : ""}${grouped}${trimmed ? `.${trimmed}` : ""}`;
}

/** "10.5000" -> "10.5": the API's decimal as a person would type it (no grouping), for a form
 * field's starting value. */
export function plainQty(value: string): string {
  return value.includes(".") ? value.replace(/\.?0+$/, "") : value;
}

/** "2.5000" -> "$2.50" (more places kept when they are not zero). */
export function formatMoney(value: string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const negative = value.startsWith("-");
  const [whole = "0", fraction = ""] = value.replace("-", "").split(".");
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = fraction.padEnd(2, "0").replace(/(\d{2}\d*?)0+$/, "$1");
  return `${negative ? "−" : ""}$${grouped}.${cents}`;
}

/** A problem with a quantity typed by a person, or null when the API will take it. */
export function quantityProblem(text: string, { positive = true } = {}): string | null {
  if (!text.trim()) return "Enter a quantity";
  const units = toUnits(text);
  if (units === null) return "Enter a number with at most 4 decimal places";
  if (positive && units <= 0n) return "Must be greater than zero";
  return null;
}

// One formatter each: toLocaleString() builds a new Intl formatter on every call, which costs
// more than the rest of a table row's rendering.
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const DATE = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

export function formatDateTime(iso: string): string {
  return DATE_TIME.format(new Date(iso));
}

export function formatDate(iso: string): string {
  return DATE.format(new Date(iso));
}

/** A calendar date ("2026-03-02", a facility's local date as Metrc has it) as that same day,
 * whatever the browser's time zone (new Date("2026-03-02") is UTC midnight: the day before in
 * the Americas). */
export function formatDay(day: string): string {
  const [year = 1970, month = 1, date = 1] = day.split("-").map(Number);
  return DATE.format(new Date(year, month - 1, date));
}
