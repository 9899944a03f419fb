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
