import { describe, expect, it } from "vitest";

import { FIRST_MS, LONGEST_MS, newFollowMemory, nextPoll, PATIENCE } from "./follow";

const moving = (data: { settled: boolean }) => !data.settled;

describe("nextPoll", () => {
  it("waits longer after each answer that brought nothing new, up to the longest wait", () => {
    const memory = newFollowMemory();
    const same = { settled: false };
    const waits = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((count) => nextPoll(memory, { data: same, dataUpdateCount: count }, moving));
    expect(waits[0]).toBe(FIRST_MS);
    expect(waits[1]).toBe(1500);
    expect(waits[2]).toBe(2250);
    for (let i = 1; i < waits.length; i++) expect(waits[i]).toBeGreaterThanOrEqual(waits[i - 1] as number);
    expect(waits.at(-1)).toBe(LONGEST_MS);
  });

  it("counts answers, not calls: asked twice about one answer, it waits the same", () => {
    const memory = newFollowMemory();
    const same = { settled: false };
    nextPoll(memory, { data: same, dataUpdateCount: 1 }, moving);
    const once = nextPoll(memory, { data: same, dataUpdateCount: 2 }, moving);
    expect(nextPoll(memory, { data: same, dataUpdateCount: 2 }, moving)).toBe(once);
  });

  it("starts again at the first wait when an answer moved", () => {
    const memory = newFollowMemory();
    const same = { settled: false };
    for (let count = 1; count <= 5; count++) nextPoll(memory, { data: same, dataUpdateCount: count }, moving);
    expect(nextPoll(memory, { data: { settled: false }, dataUpdateCount: 6 }, moving)).toBe(FIRST_MS);
  });

  it("stops once settled, and when nothing moved for PATIENCE answers", () => {
    expect(nextPoll(newFollowMemory(), { data: { settled: true }, dataUpdateCount: 1 }, moving)).toBe(false);
    expect(nextPoll(newFollowMemory(), { data: undefined, dataUpdateCount: 0 }, moving)).toBe(false);
    const memory = newFollowMemory();
    const same = { settled: false };
    let wait: number | false = FIRST_MS;
    for (let count = 1; count <= PATIENCE + 1; count++) wait = nextPoll(memory, { data: same, dataUpdateCount: count }, moving);
    expect(wait).toBe(false);
  });

  it("keeps asking through errors that leave the state unknown, backing off, until data comes", () => {
    const memory = newFollowMemory();
    const unknownYet = (error: unknown) => error === "503";
    const waits = [1, 2, 3].map((count) =>
      nextPoll(memory, { data: undefined, dataUpdateCount: 0, error: "503", errorUpdateCount: count }, moving, unknownYet),
    );
    expect(waits).toEqual([1500, 2250, 3375]);
    const answered = { data: { settled: false }, dataUpdateCount: 1, error: null, errorUpdateCount: 3 };
    expect(nextPoll(memory, answered, moving, unknownYet)).toBe(FIRST_MS);
    expect(nextPoll(memory, { ...answered, data: { settled: true }, dataUpdateCount: 2 }, moving, unknownYet)).toBe(false);
  });

  it("stops at an error that says the thing is not there, or when no error is unknown", () => {
    const unknownYet = (error: unknown) => error === "503";
    expect(nextPoll(newFollowMemory(), { data: undefined, dataUpdateCount: 0, error: "404", errorUpdateCount: 1 }, moving, unknownYet)).toBe(false);
    expect(nextPoll(newFollowMemory(), { data: undefined, dataUpdateCount: 0, error: "503", errorUpdateCount: 1 }, moving)).toBe(false);
  });

  it("gives up on a spell of errors after PATIENCE of them", () => {
    const memory = newFollowMemory();
    let wait: number | false = FIRST_MS;
    for (let count = 1; count <= PATIENCE; count++) {
      wait = nextPoll(memory, { data: undefined, dataUpdateCount: 0, error: "503", errorUpdateCount: count }, moving, () => true);
    }
    expect(wait).toBe(false);
  });
});
