/** What the seats' looks mean; each state has a symbol as well as a colour. */
export function SeatLegend() {
  return (
    <ul className="seat-legend" aria-label="Seat map key">
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
