import { expect, it } from "vitest";

import { monthGrid, monthLabel, shiftMonth } from "./calendarGrid";

it("lays a month out in weeks from Monday", () => {
  const weeks = monthGrid("2026-12"); // 1 December 2026 is a Tuesday
  expect(weeks[0]).toEqual([null, "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05", "2026-12-06"]);
  expect(weeks.flat().filter(Boolean)).toHaveLength(31);
  expect(weeks.at(-1)?.[3]).toBe("2026-12-31");
  expect(weeks.every((week) => week.length === 7)).toBe(true);
});

it("moves across years and names the month", () => {
  expect(shiftMonth("2026-12", 1)).toBe("2027-01");
  expect(shiftMonth("2027-01", -1)).toBe("2026-12");
  expect(monthLabel("2027-02")).toBe("February 2027");
});
