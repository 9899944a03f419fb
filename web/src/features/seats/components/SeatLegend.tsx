import type { PreferredPosition } from "../preference";

/** What the seats' looks mean; each state has a symbol as well as a colour. */
export function SeatLegend({ preferred = null }: { preferred?: PreferredPosition | null }) {
  return (
    <ul className="seat-legend" aria-label="Seat map key">
      {preferred && (
        <li>
          <span className="seat seat-free seat-preferred" aria-hidden="true">A</span>{" "}
          {preferred === "window" ? "Window" : "Aisle"} seat, as in your profile
        </li>
      )}
      <li>
        <span className="seat seat-free" aria-hidden="true">A</span> Free seat
      </li>
      <li>
        <span className="seat seat-paid" aria-hidden="true">A</span> Seat with a fee
      </li>
      <li>
        <span className="seat seat-free seat-legroom" aria-hidden="true">A</span> Extra legroom
      </li>
      <li>
        <span className="seat seat-chosen" aria-hidden="true">AL</span> Chosen (initials)
      </li>
      <li>
        <span className="seat seat-taken" aria-hidden="true">×</span> Taken
      </li>
      <li>
        <span className="exit-sample" aria-hidden="true" /> Exit row
      </li>
    </ul>
  );
}
