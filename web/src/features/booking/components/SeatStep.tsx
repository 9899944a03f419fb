import { useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useLayoutEffect, useRef, useState } from "react";

import { CardChoice, DEFAULT_CARD } from "../../../components/CardChoice";
import { ProblemNotice } from "../../../components/ProblemNotice";
import type { Order } from "../../../lib/api/client";
import { money, sentence } from "../../../lib/format";
import { busyButton, useAttempt } from "../../../lib/attempt";
import { bankPage } from "../../../lib/bankWait";
import { uncoverFocus } from "../../../lib/uncoverFocus";
import { type Problem, SEATS_CLOSED, SEATS_CLOSED_ON_TRIP } from "../../../lib/problems";
import {
  changeDue,
  changedServices,
  type Choices,
  choicesTotal,
  chooseSeats,
  heldChoices,
  preferredPosition,
  seatKeys,
  seatedPassengers,
  SeatPicker,
  useOrderSeats,
  useSeatMaps,
} from "../../seats";
import { useSignedInProfile } from "../../profile";
import { bookingKeys } from "../api/orders";

interface Props {
  order: Order;
  /** `booking`: a step before paying (Skip goes on); `change`: from the trip's page. */
  mode: "booking" | "change";
  /** Done; `bank`: the page of the card's bank that asks the traveler to confirm the seats'
   * charge (3-D Secure: its `next_action`), which the trip shows in a dialog (BankCheck). */
  onDone: (bank?: string) => void;
}

/** Choose a seat for each passenger on each flight, or skip: seats are optional. */
export function SeatStep({ order, mode, onDone }: Props) {
  const queryClient = useQueryClient();
  const maps = useSeatMaps(order);
  const held = useOrderSeats(order.id);
  const preferred = preferredPosition(useSignedInProfile()?.seat_preference);
  const [choices, setChoices] = useState<Choices | null>(null);
  const [card, setCard] = useState(DEFAULT_CARD);
  // A paid trip's dearer seats are charged to a card, the difference only (booking/seats.py).
  const paid = order.status === "confirmed";
  const { problem, busy, attempt } = useAttempt((refused: Problem) => explainRefusal(refused, mode));
  const heading = mode === "booking" ? "Choose your seats" : "Change seats";
  // Refused (the trip paid, cancelled or changed elsewhere meanwhile): the trip is read again on
  // the way back, so it shows where it stands, not the state this screen opened on.
  const leave = () => {
    if (problem || maps.error || held.error) void queryClient.invalidateQueries({ queryKey: bookingKeys.order(order.id) });
    onDone();
  };

  if (maps.error || held.error) {
    return (
      <div className="seat-step">
        <h1>{heading}</h1>
        <ProblemNotice
          problem={loadProblem((maps.error ?? held.error)?.problem, mode)}
          retry={() => void Promise.all([maps.error && maps.refetch(), held.error && held.refetch()])}
        />
        {/* No seats to keep or change here: the way on is the trip, or the booking's next step. */}
        <Actions mode={mode} busy={false} onSkip={leave} skip={mode === "change" ? "Back to my trip" : undefined} />
      </div>
    );
  }
  if (!maps.data || !held.data) return <p role="status">Loading the seat map…</p>;
  const start = heldChoices(held.data);
  const current = choices ?? start;
  const total = choicesTotal(maps.data, held.data, current);
  const due = paid ? changeDue(maps.data, held.data, current) : null;
  const charges = due !== null && Number(due.amount) > 0;

  async function confirm() {
    const services = changedServices(current, start);
    if (services.length === 0) return onDone();
    let bank = null as string | null;
    const chosen = await attempt(async () => {
      const answer = await chooseSeats(order.id, services, charges ? card : undefined);
      bank = bankPage(answer.seat_charge?.next_action?.url);
      // The history too: seats changed on a paid trip leave the order's `updated_at` as it was,
      // so its history would not be asked again and the trip's page missed the step.
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: seatKeys.order(order.id) }),
        queryClient.invalidateQueries({ queryKey: bookingKeys.order(order.id) }),
        queryClient.invalidateQueries({ queryKey: bookingKeys.history(order.id) }),
      ]);
    });
    if (chosen) onDone(bank ?? undefined);
    // A seat someone else just took: the map is drawn again as it is now.
    else void queryClient.invalidateQueries({ queryKey: seatKeys.maps(order.id) });
  }

  return (
    <div className="seat-step">
      <h1>{heading}</h1>
      {maps.data.seat_maps.length === 0 ? (
        <p>This airline does not offer seat selection here: seats are given at check-in.</p>
      ) : (
        <p className="price-note">
          {mode === "booking"
            ? "Optional: pick a seat for each traveler, or skip and the airline gives you seats at check-in."
            : "Pick a new seat for any traveler; the others keep theirs."}{" "}
          {paid
            ? "A dearer seat is charged to your card, the difference only; a cheaper one refunds nothing."
            : "Seat fees are added to your trip’s total."}
        </p>
      )}
      {problem && (
        // A refusal by rule, and every 409 (by its `refusal`: lib/seatRefusals), is worded whole
        // by `describe`; their detail and errors are our English, never shown.
        <ProblemNotice problem={problem} doing="seats" other={worded(problem) ? [] : (problem.errors ?? [])}>
          {typeof problem.detail === "string" && !worded(problem) && <p>{sentence(problem.detail)}</p>}
        </ProblemNotice>
      )}
      <SeatPicker
        maps={maps.data}
        passengers={seatedPassengers(order)}
        held={held.data}
        choices={current}
        preferred={preferred}
        onChange={setChoices}
      />
      {/* One bar kept in view below the map (sticky: a phone's map is taller than its screen),
          in reading order after it: what to pay, the card to pay it with, then Save. */}
      <SeatSummary grown={charges}>
        <p>
          {due ? (
            charges ? (
              <>
                To pay now: <strong>{money(due.amount, due.currency)}</strong>
              </>
            ) : (
              "Nothing to pay"
            )
          ) : total ? (
            <>
              Seats: <strong>{money(total.amount, total.currency)}</strong>
            </>
          ) : (
            "No seats chosen"
          )}
        </p>
        {charges && <CardChoice legend="Pay for the new seats with" card={card} onChange={setCard} threeDSecure />}
        <Actions mode={mode} busy={busy} onSkip={leave} onConfirm={() => void confirm()} />
      </SeatSummary>
    </div>
  );
}

/** The bar at the foot of the screen; when it grows (`grown`: the card choice came with a paid
 * seat) the seat just chosen, which has the focus, is scrolled out from under it. */
function SeatSummary({ grown, children }: { grown: boolean; children: ReactNode }) {
  const bar = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    if (grown) uncoverFocus(bar.current);
  }, [grown]);
  return (
    <div ref={bar} className="seat-summary" role="group" aria-label="Your seats">
      {children}
    </div>
  );
}

interface ActionsProps {
  mode: Props["mode"];
  busy: boolean;
  onSkip: () => void;
  onConfirm?: () => void;
  skip?: string; // the skip button's words, when the mode's do not fit
}

function Actions({ mode, busy, onSkip, onConfirm, skip }: ActionsProps) {
  return (
    <p className="actions">
      {onConfirm && (
        <button type="button" className="primary" {...busyButton(busy)} onClick={onConfirm}>
          {mode === "booking" ? "Confirm seats" : "Save seats"}
        </button>
      )}
      <button type="button" className="secondary" {...busyButton(busy)} onClick={onSkip}>
        {skip ?? (mode === "booking" ? "Skip" : "Keep my seats")}
      </button>
    </p>
  );
}

/** Whether `describe` words the refusal whole: our detail would only repeat it in English. */
function worded(problem: Problem): boolean {
  return problem.rule !== undefined || problem.status === 409;
}

/** A 409 naming no seat is not about a seat: seats are closed on this booking. */
function explainRefusal(problem: Problem, mode: Props["mode"]): Problem {
  return problem.status === 409 && !Array.isArray(problem.seats) ? { ...problem, type: closed(mode) } : problem;
}

/** Seats closed, as the screen says it: a booking being made goes on without; a booked trip's
 * seats stay as they are. */
function closed(mode: Props["mode"]): string {
  return mode === "booking" ? SEATS_CLOSED : SEATS_CLOSED_ON_TRIP;
}

/** Why the seat map could not be drawn; an offer gone (404, 410) closes seats on this booking. */
function loadProblem(problem: Problem | undefined, mode: Props["mode"]): Problem {
  if (!problem) return { type: "about:blank", status: 0 };
  return [404, 409, 410].includes(problem.status) ? { ...problem, type: closed(mode) } : problem;
}
