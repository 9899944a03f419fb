import { type Filters, filterWords } from "../model";

interface Props {
  filters: Filters;
  airlines: [string, string][];
  onClear: () => void;
}

/**
 * The filters hiding offers, said beside the offers with a one-click clear. Kept from the last
 * search of this route, they sat folded away in "Sort and filter": the traveler saw fewer offers
 * with no sign why.
 */
export function FiltersOn({ filters, airlines, onClear }: Props) {
  const words = filterWords(filters, airlines);
  if (words.length === 0) return null;
  return (
    <p className="filters-on">
      Filtered: {words.join(" · ")}.{" "}
      <button type="button" className="link-button" onClick={onClear}>
        Clear filters
      </button>
    </p>
  );
}
