import { aircraftName } from "../../../lib/aircraft";
import type { Schemas } from "../../../lib/api/client";
import { duration, durationMinutes, localDate, localTime, minutesBetween } from "../../../lib/format";

/** One slice: each segment with local times, flight, aircraft and cabin; the layovers between. */
export function SliceDetails({ slice }: { slice: Schemas["Slice"] }) {
  return (
    <section className="slice" aria-label={`${slice.origin} to ${slice.destination}`}>
      <h2>
        {slice.origin} → {slice.destination}{" "}
        <span className="meta">{duration(durationMinutes(slice.duration))}</span>
      </h2>
      <ol className="segments">
        {slice.segments.map((segment, index) => {
          const previous = slice.segments[index - 1];
          return (
            <li key={index}>
              {previous && (
                <p className="layover">
                  Layover in {segment.origin}:{" "}
                  {duration(minutesBetween(previous.arriving_at, segment.departing_at))}
                </p>
              )}
              <p className="segment-times">
                <strong>{localTime(segment.departing_at)}</strong> {segment.origin}
                <span className="date"> {localDate(segment.departing_at)}</span> →{" "}
                <strong>{localTime(segment.arriving_at)}</strong> {segment.destination}
                <span className="date"> {localDate(segment.arriving_at)}</span>
              </p>
              <p className="meta">
                {[segment.flight_number, aircraftName(segment.aircraft), segment.cabin_class.replace("_", " "), "local times"]
                  .filter(Boolean)
                  .join(" · ")}
              </p>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
