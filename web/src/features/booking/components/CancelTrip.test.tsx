// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import { setSession } from "../../../lib/session";
import { testOrder } from "../../../lib/testOrder";
import { signInForTest } from "../../../lib/testSession";

// The app's client asks same-origin paths and takes `fetch` when it is built (hoisted): a quote
// is answered at once; a confirmation is left unanswered until the test answers it.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { confirms: 0, answer: undefined as unknown as (answer: Response) => void };
  globalThis.fetch = (input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.endsWith("/confirm")) {
      const quote = {
        id: "ocr_1",
        order_id: "ord_1",
        status: "quoted",
        refund_amount: "612.40",
        refund_currency: "USD",
        penalty_amount: "0.00",
        penalty_currency: "USD",
        refund_to: "original_payment",
        expires_at: new Date(Date.now() + 600_000).toISOString(),
      };
      return Promise.resolve(Response.json(quote, { status: 201 }));
    }
    state.confirms += 1;
    return new Promise<Response>((resolve) => {
      state.answer = resolve;
    });
  };
  return state;
});

const { CancelTrip } = await import("./CancelTrip");

afterEach(() => {
  cleanup();
  setSession(null);
  server.confirms = 0;
});

const order = testOrder({ status: "confirmed", payment_status: "paid" });

/** Ada's paid trip, its cancellation quoted: the button that confirms it. */
async function quoted(): Promise<HTMLElement> {
  signInForTest();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <CancelTrip order={order} />
    </QueryClientProvider>,
  );
  fireEvent.click(screen.getByRole("button", { name: "Cancel this trip…" }));
  return screen.findByRole("button", { name: "Yes, cancel the trip" });
}

it("says a quote's refund as what comes back if the trip is cancelled, not as refunded already", async () => {
  await quoted();
  const [refund] = screen.getAllByRole("definition");
  expect(refund?.textContent).toBe("$612.40 back to your card if you cancel");
  expect(screen.getByLabelText("Cancellation quote").textContent).not.toMatch(/refunded/);
});

it("says the trip is being cancelled while the cancellation is sent, and that it failed when refused", async () => {
  const yes = await quoted();
  const status = screen.getByRole("status");
  expect(status.textContent).toBe(""); // drawn empty first: a region born with words is often not read
  fireEvent.click(yes);
  await vi.waitFor(() => expect(server.confirms).toBe(1));

  // Nothing moved on the screen while the airline was asked: the buttons only went inert.
  expect(screen.getByRole("status").textContent).toBe("Cancelling your trip…");
  expect(yes.getAttribute("aria-disabled")).toBe("true");

  const problem = { type: "https://skyfare.dev/problems/service-unavailable", status: 503 };
  await act(async () => {
    server.answer(Response.json(problem, { status: 503, headers: { "Content-Type": "application/problem+json" } }));
    await Promise.resolve();
  });
  await vi.waitFor(() => expect(yes.getAttribute("aria-disabled")).toBeNull());
  expect(screen.getByRole("status").textContent).toBe("");
  expect(screen.getByRole("alert")).toBeTruthy();
});

it("offers no cancellation once the first flight has surely left, and says why and where to turn", () => {
  signInForTest();
  const segment = { origin: "LHR", destination: "JFK", departing_at: "2027-01-10T08:25:00", arriving_at: "2027-01-10T11:35:00" };
  const flown = testOrder({ status: "confirmed", payment_status: "paid", slices: [{ origin: "LHR", destination: "JFK", segments: [segment] }] });
  render(
    <QueryClientProvider client={new QueryClient()}>
      <CancelTrip order={flown} now={new Date("2027-01-11T08:25:00Z")} />
    </QueryClientProvider>,
  );
  expect(screen.queryByRole("button", { name: "Cancel this trip…" })).toBeNull();
  const section = screen.getByRole("region", { name: "Cancel this trip" });
  expect(section.textContent).toContain("Your trip has begun: its first flight has left, so it can no longer be cancelled");
  expect(section.textContent).toContain("contact support");
});

it("says in words that the trip has begun when the API refuses the cancel so, and offers nothing more", async () => {
  fireEvent.click(await quoted());
  await vi.waitFor(() => expect(server.confirms).toBe(1));
  const problem = { type: "https://skyfare.dev/problems/conflict", status: 409, departed_at: "2027-01-10T08:25:00Z" };
  await act(async () => {
    server.answer(Response.json(problem, { status: 409, headers: { "Content-Type": "application/problem+json" } }));
    await Promise.resolve();
  });
  const alert = await screen.findByRole("alert");
  expect(alert.textContent).toContain("Your trip has begun");
  expect(alert.textContent).not.toContain("changed since this quote");
  expect(screen.queryByRole("button", { name: /cancel|quote/i })).toBeNull();
});
