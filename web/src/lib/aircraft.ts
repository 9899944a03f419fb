/**
 * Aircraft types by name. Airlines send the IATA aircraft type code ("789"); travelers read
 * "Boeing 787-9". The table holds the codes our airlines send (sim/catalog.py's fleets, as the
 * REST, SOAP and NDC connectors pass them on); any other code is shown as sent, "aircraft 744",
 * never guessed.
 */
const NAMES: Record<string, string> = {
  "320": "Airbus A320",
  "321": "Airbus A321",
  "333": "Airbus A330-300",
  "351": "Airbus A350-1000",
  "359": "Airbus A350-900",
  "748": "Boeing 747-8",
  "772": "Boeing 777-200",
  "777": "Boeing 777",
  "789": "Boeing 787-9",
};

/** The aircraft's name ("Boeing 787-9"), else its code as "aircraft 744"; "" for no code. */
export function aircraftName(code: string | null | undefined): string {
  const trimmed = (code ?? "").trim();
  if (!trimmed) return "";
  return NAMES[trimmed.toUpperCase()] ?? `aircraft ${trimmed}`;
}
