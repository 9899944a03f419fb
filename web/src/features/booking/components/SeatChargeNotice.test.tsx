// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it } from "vitest";

import { type OrderSeats, type SeatCharge, seatKeys } from "../../seats";
import { SeatChargeNotice } from "./SeatChargeNotice";

afterEach(cleanup);

const ORDER = "ord_0123456789abcdef01234567";

function shown(charge: SeatCharge) {
  // The order's seats as the API answered them, already in the cache: nothing is fetched.
  const client = new QueryClient({ defaultOptions: { queries: { staleTime: Infinity, retry: false } } });
  const seats: OrderSeats = { order_id: ORDER, total_amount: "612.40", total_currency: "USD", seats: [], seat_charge: charge };
  client.setQueryData(seatKeys.order(ORDER), seats);
  render(
    <QueryClientProvider client={client}>
      <SeatChargeNotice orderId={ORDER} />
    </QueryClientProvider>,
  );
}

const charge = (change: Partial<SeatCharge>): SeatCharge => ({
  id: "sch_0123456789abcdef01234567",
  status: "failed",
  amount: "45.00",
  currency: "USD",
  seats: [],
  ...change,
});

it("says why a seat change's card was declined, by its decline_code, the code kept for support", () => {
  shown(charge({ decline_code: "insufficient_funds" }));
  const notice = screen.getByRole("status");
  expect(screen.getByText(/^The card has too little money available, so the \$45\.00 was not charged\. Your seats did not change\./)).toBeTruthy();
  expect(notice.textContent?.match(/insufficient_funds/g)).toHaveLength(1);
  expect(screen.getByText(/Code for support/).textContent).toBe("Code for support: insufficient_funds");
});

it("says a decline without a code plainly, with no code line", () => {
  shown(charge({ decline_code: null }));
  expect(screen.getByText("The card payment did not go through, so the $45.00 was not charged. Your seats did not change. Try another card.")).toBeTruthy();
  expect(screen.queryByText(/Code for support/)).toBeNull();
});
