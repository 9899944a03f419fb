import { describe, expect, it } from "vitest";

import { dayWords, localDate, localMoment, localTime, momentTime, money, moneyRounded, travelerWords } from "./format";

describe("money", () => {
  it("formats an amount in its currency", () => {
    expect(money("1234.5", "USD")).toBe("$1,234.50");
    expect(money("99.00", "EUR")).toBe("€99.00");
  });

  it("keeps the whole-unit and the exact formats of one currency apart", () => {
    expect(money("549.40", "USD")).toBe("$549.40");
    expect(moneyRounded("549.40", "USD")).toBe("$549");
    expect(money("549.40", "USD")).toBe("$549.40");
  });

  it("shows an unknown currency code as written", () => {
    expect(money("10.00", "not-a-code")).toBe("10.00 not-a-code");
    expect(moneyRounded("10.40", "not-a-code")).toBe("10 not-a-code");
  });
});

describe("dates and times", () => {
  it("writes a flight's day with its year and its time as the airport's, never converted", () => {
    expect(localDate("2027-02-04T08:25:00")).toBe("Thu 4 Feb 2027");
    expect(localDate("2027-02-04")).toBe("Thu 4 Feb 2027");
    expect(localTime("2027-02-04T08:25:00")).toBe("08:25");
  });

  it("writes a birth or expiry date as the flights' days are, without their weekday", () => {
    expect(dayWords("1991-12-26")).toBe("26 Dec 1991");
    expect(dayWords("2035-01-01")).toBe("1 Jan 2035");
    expect(dayWords("not a date")).toBe("not a date");
  });

  it("writes a moment of ours in the traveler's zone, naming it, on a 24-hour clock", () => {
    // It read "Dec 6, 2026, 6:09 AM" (the browser's locale) beside flights dated "Thu 4 Feb".
    expect(localMoment("2027-02-04T14:05:00Z", "Europe/London")).toBe("Thu 4 Feb 2027, 14:05 GMT");
    expect(localMoment("2027-07-01T14:05:00Z", "Europe/London")).toBe("Thu 1 Jul 2027, 15:05 BST");
    expect(localMoment("2027-02-04T14:05:00Z", "UTC")).toBe("Thu 4 Feb 2027, 14:05 UTC");
    // Past midnight in the traveler's zone: that zone's day.
    expect(localMoment("2027-02-04T23:30:00Z", "Europe/Paris")).toBe("Fri 5 Feb 2027, 00:30 CET");
    expect(localMoment("2027-02-04T03:00:00Z", "America/New_York")).toBe("Wed 3 Feb 2027, 22:00 GMT-5");
    expect(momentTime("2027-02-04T14:05:00Z", "Europe/London")).toBe("14:05 GMT");
  });

  it("shows a moment it cannot read as written", () => {
    expect(localMoment("soon")).toBe("soon");
    expect(momentTime("")).toBe("");
  });
});

describe("travelerWords", () => {
  it("counts each kind of traveler, an infant on a lap as an infant", () => {
    expect(travelerWords({ adults: 1, infants: 1 })).toBe("1 adult, 1 infant");
    expect(travelerWords({ adults: 2, children: 3 })).toBe("2 adults, 3 children");
    expect(travelerWords({})).toBe("1 adult");
  });
});
