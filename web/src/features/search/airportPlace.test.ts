import { expect, it } from "vitest";

import { airportPlace } from "./airportPlace";

it("names the country beside the city, so two Londons can be told apart", () => {
  expect(airportPlace({ city: "London", country: "GB" })).toBe("London, United Kingdom");
  expect(airportPlace({ city: "London", country: "CA" })).toBe("London, Canada");
});

it("shows a code that names no country as sent, and the country alone without a city", () => {
  expect(airportPlace({ city: "Atlantis", country: "not a code" })).toBe("Atlantis, not a code");
  expect(airportPlace({ city: "", country: "FR" })).toBe("France");
});
