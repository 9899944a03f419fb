import type { Offer } from "../../lib/api/client";
import { daysLater, localTime, money, travelerWords } from "../../lib/format";

type Slice = Offer["slices"][number];

function dayWord(departing: string, arriving: string): string {
  const days = daysLater(departing, arriving);
  if (days === 0 || Number.isNaN(days)) return "";
  return days > 0 ? ` (+${days} day${days > 1 ? "s" : ""})` : ` (${days} day${days < -1 ? "s" : ""})`;
}

function sliceWords(slice: Slice): string {
  const first = slice.segments[0];
  const last = slice.segments[slice.segments.length - 1];
  if (!first || !last) return `${slice.origin} to ${slice.destination}`;
  const stops = slice.segments.length - 1;
  const flights = slice.segments.map((segment) => segment.flight_number).join("/");
  return (
    `${flights} ${slice.origin} ${localTime(first.departing_at)} to ${slice.destination} ` +
    `${localTime(last.arriving_at)}${dayWord(first.departing_at, last.arriving_at)}, ` +
    (stops === 0 ? "non-stop" : `${stops} stop${stops > 1 ? "s" : ""}`)
  );
}

/** The accessible name of an offer's Select button: the visible word first (so speech input's
 * "click Select" still finds it), then which offer — seller, each flight with its times, price.
 * "Select Britannia: BA117 LHR 08:00 to JFK 11:00, non-stop; $923.20". Without it a results
 * list reads "Select, Select, Select…" to a screen reader. The fare's conditions ("Not refundable ·
 * No changes") are not in it: the card's words for them describe the button (aria-describedby). */
export function selectOfferName(offer: Offer): string {
  const slices = offer.slices.map(sliceWords).join("; ");
  const { adults = 1, children = 0, infants = 0 } = offer.passengers;
  const travelers = adults + children + infants;
  const price = money(offer.total_amount, offer.total_currency);
  return `Select ${offer.owner.name}: ${slices}; ${price}${travelers > 1 ? ` for ${travelerWords(offer.passengers)}` : ""}`;
}
