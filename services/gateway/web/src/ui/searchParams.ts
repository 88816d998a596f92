import { useSearchParams } from "react-router";

/**
 * A page's filters kept in its address (so a link or a reload shows the same list): the search
 * parameters, and a setter of one of them ("" removes it) that replaces the history entry rather
 * than adding one per keystroke.
 */
export function useUrlFilters(): [URLSearchParams, (name: string, value: string) => void] {
  const [params, setParams] = useSearchParams();
  const set = (name: string, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(name, value);
        else next.delete(name);
        return next;
      },
      { replace: true },
    );
  return [params, set];
}
