import { describe, expect, it } from "vitest";

import { aircraftName } from "./aircraft";

describe("aircraftName", () => {
  it.each([
    ["320", "Airbus A320"],
    ["321", "Airbus A321"],
    ["333", "Airbus A330-300"],
    ["351", "Airbus A350-1000"],
    ["359", "Airbus A350-900"],
    ["748", "Boeing 747-8"],
    ["772", "Boeing 777-200"],
    ["777", "Boeing 777"],
    ["789", "Boeing 787-9"],
  ])("names %s, a type the airlines send, as %s", (code, name) => {
    expect(aircraftName(code)).toBe(name);
  });

  it("shows a code it does not know as sent", () => {
    expect(aircraftName("744")).toBe("aircraft 744");
    expect(aircraftName("7m8")).toBe("aircraft 7m8");
  });

  it("says nothing for no code", () => {
    expect(aircraftName("")).toBe("");
    expect(aircraftName(null)).toBe("");
    expect(aircraftName(" ")).toBe("");
  });
});
