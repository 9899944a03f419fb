import { describe, expect, it } from "vitest";

import type { ChangeOffer } from "./api/changes";
import { dueNow, signed } from "./components/ChangeOfferCard";

const offer = (total: string) => ({ change_total_amount: total, change_total_currency: "USD" }) as ChangeOffer;

describe("a change offer's money", () => {
  it("shows a difference with its sign", () => {
    expect(signed("120.5", "USD")).toBe("+$120.50");
    expect(signed("-40", "USD")).toBe("−$40.00");
    expect(signed("0.00", "USD")).toBe("$0.00");
  });

  it("says whether the total is paid, refunded or nothing", () => {
    expect(dueNow(offer("150.00"))).toBe("$150.00 to pay now");
    expect(dueNow(offer("-40.00"))).toBe("$40.00 refunded to your card");
    expect(dueNow(offer("0.00"))).toBe("Nothing to pay");
  });
});
