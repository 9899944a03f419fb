import type { Order } from "../../lib/api/client";
import { money } from "../../lib/format";
import type { SeatServiceRequest } from "./api/seats";
import type { Price, Seat } from "./layout";

/** The seats chosen: segment id → passenger id (`pas_N`) → seat designator. */
export type Choices = Record<string, Record<string, string>>;

export interface SeatedPassenger {
  id: string; // pas_N: the order's N-th passenger
  name: string;
}

/** The order's seated passengers as the seat desk names them (`pas_N`, by position). */
export function seatedPassengers(order: Order): SeatedPassenger[] {
  return order.passengers.flatMap((p, index) =>
    p.type === "infant" ? [] : [{ id: `pas_${index + 1}`, name: `${p.given_name} ${p.family_name}` }],
  );
}

/** Gives `designator` to `passenger` on `segment`; choosing their own seat again gives it up,
 * and a seat another passenger of the trip had moves to this one. */
export function choose(choices: Choices, segment: string, passenger: string, designator: string): Choices {
  const current = { ...(choices[segment] ?? {}) };
  if (current[passenger] === designator) {
    delete current[passenger];
  } else {
    for (const [other, seat] of Object.entries(current)) if (seat === designator) delete current[other];
    current[passenger] = designator;
  }
  return { ...choices, [segment]: current };
}

/** Who of the trip sits in `designator` on `segment`, if anyone. */
export function occupantOf(choices: Choices, segment: string, designator: string): string | undefined {
  return Object.entries(choices[segment] ?? {}).find(([, seat]) => seat === designator)?.[0];
}

/** The services `POST /v1/orders/{id}/seats` takes: the choices that differ from `held`. */
export function changedServices(choices: Choices, held: Choices): SeatServiceRequest[] {
  return Object.entries(choices).flatMap(([segment, byPassenger]) =>
    Object.entries(byPassenger)
      .filter(([passenger, designator]) => held[segment]?.[passenger] !== designator)
      .map(([passenger, designator]) => ({ type: "seat" as const, segment_id: segment, passenger_id: passenger, designator })),
  );
}

/** Decimal strings summed in cents (money is never a float in this app). */
export function sumPrices(prices: Price[], currency: string): Price {
  const cents = prices.reduce((sum, p) => sum + toCents(p.amount), 0);
  return { amount: (cents / 100).toFixed(2), currency: prices[0]?.currency ?? currency };
}

function toCents(amount: string): number {
  const [whole = "0", fraction = ""] = amount.split(".");
  const sign = whole.startsWith("-") ? -1 : 1;
  return sign * (Math.abs(Number(whole)) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2)));
}

const POSITION = { window: "window", aisle: "aisle", middle: "middle seat" } as const;

/** A seat as a screen reader says it: "Seat 14C, window, extra legroom, $12.00"; then who has
 * it, or why it cannot be chosen by the passenger choosing now. */
export function seatLabel(seat: Seat, passenger: string, occupant?: SeatedPassenger): string {
  const parts = [`Seat ${seat.designator}`, POSITION[seat.position]];
  if (seat.extraLegroom) parts.push("extra legroom");
  if (seat.exitRow) parts.push("exit row");
  const price = seat.prices[passenger];
  if (occupant) parts.push(occupant.id === passenger ? "your choice" : `chosen for ${occupant.name}`);
  if (price) parts.push(Number(price.amount) === 0 ? "free" : money(price.amount, price.currency));
  else if (!occupant) parts.push(Object.keys(seat.prices).length > 0 ? "not available to this passenger" : "taken");
  return parts.join(", ");
}

/** Whether `passenger` may take `seat` now. */
export function choosable(seat: Seat, passenger: string): boolean {
  return seat.prices[passenger] !== undefined;
}
