import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { money } from "../../../lib/format";
import { type Problem, SEATS_CLOSED } from "../../../lib/problems";
import {
  changedServices,
  type Choices,
  choicesTotal,
  chooseSeats,
  heldChoices,
  seatKeys,
  type SeatedPassenger,
  SeatPicker,
  SeatsProblem,
  useOrderSeats,
  useSeatMaps,
} from "../../seats";
import { bookingKeys } from "../api/orders";

interface Props {
  order: Order;
  /** `booking`: a step before paying (Skip goes on); `change`: from the trip's page. */
  mode: "booking" | "change";
  onDone: () => void;
}

/** The order's seated passengers as the seat desk names them (`pas_N`, by position). */
export function seatedPassengers(order: Order): SeatedPassenger[] {
  return order.passengers.flatMap((p, index) =>
    p.type === "infant" ? [] : [{ id: `pas_${index + 1}`, name: `${p.given_name} ${p.family_name}` }],
  );
}

/** Choose a seat for each passenger on each flight, or skip: seats are optional. */
export function SeatStep({ order, mode, onDone }: Props) {
  const queryClient = useQueryClient();
  const maps = useSeatMaps(order);
  const held = useOrderSeats(order.id);
  const [choices, setChoices] = useState<Choices | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = mode === "booking" ? "Choose your seats" : "Change seats";

  if (maps.error || held.error) {
    return (
      <div className="seat-step">
        <h1>{heading}</h1>
        <ProblemNotice problem={(maps.error ?? held.error)?.problem ?? { type: "about:blank", status: 0 }} />
        <Actions mode={mode} busy={false} onSkip={onDone} />
      </div>
    );
  }
  if (!maps.data || !held.data) return <p role="status">Loading the seat map…</p>;
  const start = heldChoices(held.data);
  const current = choices ?? start;
  const total = choicesTotal(maps.data, held.data, current);

  async function confirm() {
    const services = changedServices(current, start);
    if (services.length === 0) return onDone();
    setBusy(true);
    setProblem(null);
    try {
      await chooseSeats(order.id, services);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: seatKeys.order(order.id) }),
        queryClient.invalidateQueries({ queryKey: bookingKeys.order(order.id) }),
      ]);
      onDone();
    } catch (error) {
      const refused = error instanceof SeatsProblem ? error.problem : { type: "about:blank", status: 0 };
      // A 409 naming no seat is not about a seat: seats are closed on this booking.
      setProblem(refused.status === 409 && !Array.isArray(refused.seats) ? { ...refused, type: SEATS_CLOSED } : refused);
      // A seat someone else just took: the map is drawn again as it is now.
      void queryClient.invalidateQueries({ queryKey: seatKeys.maps(order.id) });
      setBusy(false);
    }
  }

  return (
    <div className="seat-step">
      <h1>{heading}</h1>
      {maps.data.seat_maps.length === 0 ? (
        <p>This airline does not offer seat selection here: seats are given at check-in.</p>
      ) : (
        <p className="price-note">
          Optional: pick a seat for each traveler, or skip and the airline gives you seats at check-in. Seat fees are
          added to your trip’s total.
        </p>
      )}
      {problem && (
        <ProblemNotice problem={problem} other={problem.errors ?? []}>
          {typeof problem.detail === "string" && <p>{sentence(problem.detail)}</p>}
        </ProblemNotice>
      )}
      <SeatPicker
        maps={maps.data}
        passengers={seatedPassengers(order)}
        held={held.data}
        choices={current}
        onChange={setChoices}
      />
      <div className="seat-summary" role="group" aria-label="Your seats">
        <p>
          {total ? (
            <>
              Seats: <strong>{money(total.amount, total.currency)}</strong>
            </>
          ) : (
            "No seats chosen"
          )}
        </p>
        <Actions mode={mode} busy={busy} onSkip={onDone} onConfirm={() => void confirm()} />
      </div>
    </div>
  );
}

function Actions({ mode, busy, onSkip, onConfirm }: { mode: Props["mode"]; busy: boolean; onSkip: () => void; onConfirm?: () => void }) {
  return (
    <p className="actions">
      {onConfirm && (
        <button type="button" className="primary" disabled={busy} onClick={onConfirm}>
          {mode === "booking" ? "Confirm seats" : "Save seats"}
        </button>
      )}
      <button type="button" className="secondary" disabled={busy} onClick={onSkip}>
        {mode === "booking" ? "Skip" : "Keep my seats"}
      </button>
    </p>
  );
}

/** The API's `detail` ("the flight leaves within 24 hours") as a sentence. */
function sentence(detail: string): string {
  const text = detail.charAt(0).toUpperCase() + detail.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
