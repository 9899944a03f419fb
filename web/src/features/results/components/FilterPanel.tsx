import type { DepartureWindow, Filters, SortKey, Stops } from "../model";

interface Props {
  filters: Filters;
  airlines: [string, string][];
  onChange: (filters: Filters) => void;
}

/** Sort and filter the offers already on the page. */
export function FilterPanel({ filters, airlines, onChange }: Props) {
  const set = (change: Partial<Filters>) => onChange({ ...filters, ...change });
  return (
    <details className="filters">
      <summary>Sort and filter</summary>
      <div className="filter-grid">
        <div className="field">
          <label htmlFor="sort">Sort by</label>
          <select id="sort" value={filters.sort} onChange={(e) => set({ sort: e.target.value as SortKey })}>
            <option value="price">Lowest price</option>
            <option value="duration">Shortest duration</option>
            <option value="departure">Earliest departure</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="stops">Stops</label>
          <select id="stops" value={filters.stops} onChange={(e) => set({ stops: e.target.value as Stops })}>
            <option value="any">Any number of stops</option>
            <option value="0">Non-stop only</option>
            <option value="1">1 stop at most</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="departure">Departure time</label>
          <select
            id="departure"
            value={filters.departure}
            onChange={(e) => set({ departure: e.target.value as DepartureWindow })}
          >
            <option value="any">Any time</option>
            <option value="morning">Morning (before 12:00)</option>
            <option value="afternoon">Afternoon (12:00–18:00)</option>
            <option value="evening">Evening (after 18:00)</option>
          </select>
        </div>
        <label className="check">
          <input
            type="checkbox"
            checked={filters.refundableOnly}
            onChange={(e) => set({ refundableOnly: e.target.checked })}
          />
          Refundable only
        </label>
        {airlines.length > 0 && (
          <fieldset className="airline-filter">
            <legend>Airlines</legend>
            {airlines.map(([code, name]) => (
              <label key={code} className="check">
                <input
                  type="checkbox"
                  checked={!filters.excludedAirlines.includes(code)}
                  onChange={(e) =>
                    set({
                      excludedAirlines: e.target.checked
                        ? filters.excludedAirlines.filter((c) => c !== code)
                        : [...filters.excludedAirlines, code],
                    })
                  }
                />
                {name}
              </label>
            ))}
          </fieldset>
        )}
      </div>
    </details>
  );
}
