import type { Airport } from "../../lib/api/client";

const regions = new Intl.DisplayNames(["en"], { type: "region", fallback: "code" });

/** Where an airport is, as a suggestion shows it: the city and its country ("London, United
 * Kingdom" and "London, Canada" are two Londons; the API's ISO code alone if it is not one). */
export function airportPlace(airport: Pick<Airport, "city" | "country">): string {
  let country = airport.country;
  try {
    country = regions.of(airport.country) ?? airport.country;
  } catch {
    // not a well-formed region code: shown as sent
  }
  return airport.city ? `${airport.city}, ${country}` : country;
}
