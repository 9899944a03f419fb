import { describe, expect, it } from "vitest";

import { money, moneyRounded } from "./format";

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
