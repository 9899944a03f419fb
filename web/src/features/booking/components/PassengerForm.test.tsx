// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import { testTraveler } from "../../../lib/testTraveler";
import { travelersFor } from "../ages";
import { drafts, lapHolders } from "../model";
import { PassengerForm } from "./PassengerForm";

afterEach(cleanup);

const NONE = { offered: [], notOffered: [], rule: undefined };

/** The words a control's aria-describedby points to, as a screen reader reads them after its name. */
const description = (control: HTMLElement) =>
  (control.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent)
    .join(" ");

it("says an infant's age rule under the date of birth, read with it, and the error after it", () => {
  const [, infant] = drafts({ adults: 1, infants: 1 }, {});
  if (!infant) throw new Error("an infant");
  const hint = "Under 2 on Sat 16 Jan 2027, when the flight leaves";
  render(<PassengerForm index={1} passenger={infant} saved={NONE} errors={{}} ageHint={hint} onChange={() => undefined} />);
  expect(description(screen.getByLabelText("Date of birth"))).toBe(hint);
  cleanup();

  const errors = { "p1-born_on": "Must be in the past." };
  render(<PassengerForm index={1} passenger={infant} saved={NONE} errors={errors} ageHint={hint} onChange={() => undefined} />);
  const birth = screen.getByLabelText("Date of birth");
  expect(birth.getAttribute("aria-invalid")).toBe("true");
  expect(description(birth)).toBe(`${hint} Must be in the past.`);
});

it("offers for an infant's place only the saved travelers under 2 then, and says why the others are not", () => {
  const [, infant] = drafts({ adults: 1, infants: 1 }, {});
  if (!infant) throw new Error("an infant");
  const flights = [{ segments: [{ departing_at: "2027-01-16T17:45:00" }] }];
  const saved = [testTraveler("trv_ada", "Ada", "1990-12-10"), testTraveler("trv_byron", "Byron", "2019-05-01"), testTraveler("trv_anna", "Annabella", "2026-06-01")];
  render(<PassengerForm index={1} passenger={infant} saved={travelersFor("infant", flights, saved, "")} errors={{}} onChange={() => undefined} />);
  const select = screen.getByRole("combobox", { name: "Saved traveler" });
  const options = [...select.querySelectorAll("option")].map((o) => o.textContent);
  // Was: Ada (36) and Byron (7) offered for a lap.
  expect(options).toEqual(["Someone else: type their details", "Annabella Lovelace (born 1 Jun 2026)"]);
  expect(description(select)).toBe(
    "Not offered for this place, as their age does not fit (under 2 on Sat 16 Jan 2027, when the flight leaves): Ada Lovelace, Byron Lovelace.",
  );
  cleanup();

  // None fits: no list to choose from, and the sentence says so.
  const grownUps = saved.slice(0, 2);
  render(<PassengerForm index={1} passenger={infant} saved={travelersFor("infant", flights, grownUps, "")} errors={{}} onChange={() => undefined} />);
  expect(screen.queryByRole("combobox", { name: "Saved traveler" })).toBeNull();
  expect(screen.getByText(/^No saved traveler is offered for this place, as none's age fits \(under 2 on/)).toBeTruthy();
});

it("lets the traveler choose which adult holds an infant, among the adults named, when there are several", () => {
  const [ada, bea, infant] = drafts({ adults: 2, infants: 1 }, { given_name: "Ada", family_name: "Lovelace" });
  if (!ada || !bea || !infant) throw new Error("three drafts");
  const list = [ada, { ...bea, given_name: "Bea", family_name: "King" }, infant];
  const chosen: number[] = [];
  const laps = { adults: lapHolders(list), onHold: (adult: number) => chosen.push(adult) };
  render(<PassengerForm index={2} passenger={infant} saved={NONE} errors={{}} onChange={() => undefined} laps={laps} />);

  const select = screen.getByRole("combobox", { name: "On whose lap" });
  // In order by default: the first infant on the first adult's lap.
  expect((select as HTMLSelectElement).value).toBe("0");
  expect([...select.querySelectorAll("option")].map((o) => o.textContent)).toEqual(["Ada Lovelace", "Bea King"]);
  expect(description(select)).toBe("Airlines seat each infant on one adult’s lap, one infant per adult.");
  fireEvent.change(select, { target: { value: "1" } });
  expect(chosen).toEqual([1]);
});

it("asks nothing of an infant with one adult to fly on, nor of an adult", () => {
  const [ada, infant] = drafts({ adults: 1, infants: 1 }, { given_name: "Ada" });
  if (!ada || !infant) throw new Error("two drafts");
  const laps = { adults: lapHolders([ada, infant]), onHold: () => undefined };
  render(<PassengerForm index={1} passenger={infant} saved={NONE} errors={{}} onChange={() => undefined} laps={laps} />);
  expect(screen.queryByRole("combobox", { name: "On whose lap" })).toBeNull();
  cleanup();

  const two = drafts({ adults: 2, infants: 1 }, {});
  const [first] = two;
  if (!first) throw new Error("an adult");
  render(<PassengerForm index={0} passenger={first} saved={NONE} errors={{}} onChange={() => undefined} laps={{ adults: lapHolders(two), onHold: () => undefined }} />);
  expect(screen.queryByRole("combobox", { name: "On whose lap" })).toBeNull();
});
