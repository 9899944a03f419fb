// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

// The app's client takes `fetch` when it is built (hoisted): the list of cases is answered at
// once; each case sent waits until the test answers it, its Idempotency-Key noted.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { keys: [] as (string | null)[], answer: undefined as unknown as (answer: Response) => void };
  globalThis.fetch = (input: RequestInfo | URL) => {
    const request = input as Request;
    if (request.method === "GET") return Promise.resolve(Response.json({ data: [], meta: { limit: 20, after: null } }));
    state.keys.push(request.headers.get("Idempotency-Key"));
    return new Promise<Response>((resolve) => {
      state.answer = resolve;
    });
  };
  return state;
});

const { SupportCases } = await import("./SupportCases");

afterEach(() => {
  cleanup();
  setSession(null);
  server.keys = [];
});

const opened = {
  id: "cas_1", order_id: "ord_1", booking_reference: "K7Q2MZ", subject: "Bag", status: "open",
  messages: [{ author: "traveler", body: "A second bag?", at: "2026-12-06T10:00:00Z", agent: null }],
  created_at: "2026-12-06T10:00:00Z", updated_at: "2026-12-06T10:00:00Z",
};

async function answer(response: Response) {
  await act(async () => {
    server.answer(response);
    await Promise.resolve();
  });
}

function write(subject: string, message: string) {
  fireEvent.change(screen.getByRole("textbox", { name: "Subject" }), { target: { value: subject } });
  fireEvent.change(screen.getByRole("textbox", { name: /Message/ }), { target: { value: message } });
}

it("sends a case once per press, and the same words again with the same Idempotency-Key", async () => {
  signInForTest();
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <SupportCases orderId="ord_1" />
    </QueryClientProvider>,
  );
  fireEvent.click(screen.getByRole("button", { name: "Contact support" }));
  write("Bag", "A second bag?");
  const form = screen.getByRole("form", { name: "Contact support" });
  fireEvent.submit(form);
  fireEvent.submit(form); // Enter pressed again in a field while it is sent
  await vi.waitFor(() => expect(server.keys).toHaveLength(1));
  const [first] = server.keys;
  expect(first).toMatch(/^[0-9a-f-]{36}$/);

  // No answer to go by: the same words sent again are the same case, if it was opened.
  const down = { type: "https://skyfare.dev/problems/service-unavailable", status: 503 };
  await answer(Response.json(down, { status: 503, headers: { "Content-Type": "application/problem+json" } }));
  await vi.waitFor(() => expect(screen.getByRole("alert")).toBeTruthy());
  fireEvent.submit(form);
  await vi.waitFor(() => expect(server.keys).toEqual([first, first]));
  await answer(Response.json(opened, { status: 201 }));
  await screen.findByText("Your message was sent to support. Their answer will appear here.");

  // Another case written is another key.
  fireEvent.click(screen.getByRole("button", { name: "Contact support" }));
  write("Bag", "A second bag?");
  fireEvent.submit(screen.getByRole("form", { name: "Contact support" }));
  await vi.waitFor(() => expect(server.keys).toHaveLength(3));
  expect(server.keys[2]).not.toBe(first);
});
