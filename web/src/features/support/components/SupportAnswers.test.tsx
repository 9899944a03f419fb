// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client takes `fetch` when it is built (hoisted): the traveler's cases as the test
// sets them.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { cases: [] as unknown[] };
  globalThis.fetch = () => Promise.resolve(Response.json({ data: state.cases, meta: { limit: 50, after: null } }));
  return state;
});

const { SupportCases } = await import("./SupportCases");

afterEach(() => {
  cleanup();
  setSession(null);
});

const question = { author: "traveler", body: "Richardo, not Richard.", at: "2026-12-07T06:49:00Z", agent: null };
const open = {
  id: "cas_1", order_id: "ord_1", booking_reference: "AHQZ6J", subject: "Name spelling", status: "open",
  messages: [question], created_at: "2026-12-07T06:49:00Z", updated_at: "2026-12-07T06:49:00Z",
};
const answered = {
  ...open, status: "answered", updated_at: "2026-12-07T06:50:00Z",
  messages: [question, { author: "agent", body: "Done: the ticket now reads Richardo Hopper.", at: "2026-12-07T06:50:00Z", agent: "Lin" }],
};

it("shows support's answer where the page said it would, without a reload, and reads the trip again", async () => {
  // Walked: "Their answer will appear here." — it never did while the traveler stayed on the
  // page, nor did the name the agent corrected; a reload signs the traveler out.
  signInForTest();
  server.cases = [open];
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const trip = ["orders", "detail", "ord_1"];
  client.setQueryData(trip, { id: "ord_1" });
  render(
    <QueryClientProvider client={client}>
      <SupportCases orderId="ord_1" />
    </QueryClientProvider>,
  );
  await screen.findByText("Open: waiting for an answer");
  server.cases = [answered];
  // Waits on what is shown, however long the page takes to ask again.
  await screen.findByText("Done: the ticket now reads Richardo Hopper.", undefined, { timeout: 10_000 });
  expect(screen.getByText("Answered")).toBeTruthy();
  await vi.waitFor(() => expect(client.getQueryState(trip)?.isInvalidated).toBe(true));
}, 30_000);
