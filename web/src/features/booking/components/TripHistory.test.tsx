// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client takes `fetch` when it is built (hoisted): the history fails once (503), then
// answers.
const asked = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const calls = { history: 0 };
  const step = {
    at: "2027-01-04T14:05:00Z",
    from_status: "pending",
    to_status: "held",
    from_payment_status: "unpaid",
    to_payment_status: "unpaid",
    reason: "held by the airline",
    actor: { type: "system", name: "booking" },
    code: "held",
    decline_code: null,
    details: null,
  };
  globalThis.fetch = () => {
    calls.history += 1;
    if (calls.history === 1) {
      const problem = { type: "https://skyfare.dev/problems/service-unavailable", title: "Service unavailable", status: 503, detail: "down" };
      return Promise.resolve(new Response(JSON.stringify(problem), { status: 503, headers: { "Content-Type": "application/problem+json" } }));
    }
    return Promise.resolve(Response.json({ order_id: "ord_1", data: [step] }));
  };
  return calls;
});

const { TripHistory } = await import("./TripHistory");

afterEach(() => {
  cleanup();
  setSession(null);
});

const order = { id: "ord_1", status: "held", payment_status: "unpaid", updated_at: "2027-01-04T14:05:00Z" } as const;

it("offers to ask for a history that failed again, never to reload the page (which signs out)", async () => {
  signInForTest();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      {/* @ts-expect-error: the history reads only the order's id and what moves it */}
      <TripHistory order={order} />
    </QueryClientProvider>,
  );
  const failed = await screen.findByRole("alert");
  expect(failed.textContent).toContain("The trip's history cannot be shown just now.");
  expect(failed.textContent).not.toMatch(/reload/i);
  fireEvent.click(screen.getByRole("button", { name: "Try again" }));
  expect(await screen.findByRole("listitem")).toBeTruthy();
  expect(asked.history).toBe(2);
  expect(screen.queryByRole("alert")).toBeNull();
});

it("lists a cheaper flight change before the refund it owed, though the API lists the refund first", () => {
  signInForTest();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  const at = "2027-01-04T15:00:00Z";
  const same = { at, from_status: "confirmed", to_status: "confirmed", from_payment_status: "paid", to_payment_status: "paid", decline_code: null };
  const owed = { ...same, reason: "refund owed", code: "refund_owed", actor: { type: "system", name: "booking" },
    details: { amounts: [{ amount: "28.60", currency: "USD", charge: "booking" }] } };
  const flight = { slice: 1, origin: "LHR", destination: "JFK", departure_date: "2027-08-14", departure_time: "17:45", flights: ["AA237"] };
  const changed = { ...same, reason: "slice 1 changed", code: "flight_changed", actor: { type: "traveler" }, details: { flight } };
  const paid = { ...order, status: "confirmed", payment_status: "paid" } as const;
  client.setQueryData(["orders", "history", "ord_1", "confirmed", "paid", paid.updated_at], { order_id: "ord_1", data: [owed, changed] });
  render(
    <QueryClientProvider client={client}>
      {/* @ts-expect-error: the history reads only the order's id and what moves it */}
      <TripHistory order={paid} />
    </QueryClientProvider>,
  );
  const titles = screen.getAllByRole("listitem").map((step) => step.querySelector(".timeline-title")?.textContent);
  expect(titles).toEqual(["Flight changed", "Refund on its way"]);
});
