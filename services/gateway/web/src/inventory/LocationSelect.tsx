import type { Schemas } from "../api/client";
import type { FieldControl } from "../ui/Field";

/** A Field's select of the site's locations (useLocations), by label; "" until one is chosen. */
export function LocationSelect({
  control,
  locations,
  value,
  onChange,
  empty = "Choose…",
}: {
  control: FieldControl;
  locations: { isLoading: boolean; data?: Schemas["Location"][] | undefined };
  value: string;
  onChange: (locationId: string) => void;
  empty?: string;
}) {
  return (
    <select {...control} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{locations.isLoading ? "Loading…" : empty}</option>
      {(locations.data ?? []).map((l) => (
        <option key={l.id} value={l.id}>
          {l.label}
        </option>
      ))}
    </select>
  );
}
