import type { Order } from "../../../lib/api/client";
import { money } from "../../../lib/format";
import { segmentIdOf, useOrderSeats } from "../../seats";
import { lapWords } from "../lap";

/** The order's passengers, each with the seat they hold on each flight (and its fee), an infant
 * said to fly on a lap (no seat tag: a lap is no seat). */
export function PassengerSeats({ order }: { order: Order }) {
  const { data } = useOrderSeats(order.id);
  const flights = order.slices.flatMap((slice) => slice.segments);
  const seats = data?.seats ?? [];
  return (
    <>
      <ul className="passenger-seats">
        {order.passengers.map((p, index) => {
          const held = seats.filter((s) => s.passenger_id === `pas_${index + 1}`);
          return (
            <li key={index}>
              {p.given_name} {p.family_name}
              {lapWords(order.passengers, index)}
              {held.map((seat) => {
                const flight = flights.find((f) => segmentIdOf(f) === seat.segment_id);
                const fee = Number(seat.total_amount) > 0 ? ` (${money(seat.total_amount, seat.total_currency)})` : "";
                const where = flights.length > 1 && flight ? ` ${flight.origin} → ${flight.destination}` : "";
                return (
                  <span key={seat.segment_id} className="seat-tag">
                    Seat {seat.designator}
                    {where}
                    {fee}
                  </span>
                );
              })}
            </li>
          );
        })}
      </ul>
      {data && seats.length === 0 && ["held", "confirmed"].includes(order.status) && <p className="meta">No seats chosen: the airline gives seats at check-in.</p>}
    </>
  );
}
