// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import type { Order } from "../../../lib/api/client";
import { setSession } from "../../../lib/session";
import { signInForTest } from "../../../lib/testSession";

const BANK = "https://gateway.test/payments/challenge/pi_1";

// The app's client asks same-origin paths and takes `fetch` when it is built (hoisted): each
// confirmation is answered by the next of `state.answers` (status, body), its body kept.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { answers: [] as [number, unknown][], asked: [] as string[] };
  globalThis.fetch = async (input: RequestInfo | URL) => {
    const request = input as Request;
    state.asked.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`);
    const [status, body] = state.answers.shift() ?? [503, { type: "about:blank", status: 503 }];
    const type = status >= 400 ? "application/problem+json" : "application/json";
    return Response.json(body, { status, headers: { "Content-Type": type } });
  };
  return state;
});

const { default: ChangeBankNotice } = await import("./ChangeBankNotice");

afterEach(() => {
  cleanup();
  setSession(null);
  server.answers = [];
  server.asked = [];
});

const order = {
  id: "ord_1", status: "confirmed", payment_status: "paid", slices: [], passengers: [],
  change_next_action: { change_offer_id: "och_1", slice_index: 1, url: BANK, type: "redirect_to_url" },
} as unknown as Order;
const waiting = { id: "och_1", status: "confirming", next_action: { type: "redirect_to_url", url: BANK } };

function shown(client = new QueryClient()) {
  signInForTest();
  render(
    <QueryClientProvider client={client}>
      <MemoryRouter>
        <ChangeBankNotice order={order} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

it("asks once on arrival, then offers the bank's page of a change still waiting, closed until asked for", async () => {
  server.answers = [[202, waiting]];
  shown();
  const left = await screen.findByText(/^Your bank has not confirmed your flight change yet, so the change is not done/);
  expect(left.textContent).toMatch(/nothing has been charged: your trip keeps the flights shown\./);
  expect(server.asked).toEqual(["POST /v1/orders/ord_1/changes/och_1/confirm {}"]); // no card
  expect(screen.queryByRole("dialog")).toBeNull();
  fireEvent.click(screen.getByRole("button", { name: "Confirm with your bank" }));
  const frame = screen.getByTitle("Your bank’s page");
  expect(frame.getAttribute("src")).toBe(BANK);
  server.answers = [[200, { ...waiting, status: "confirmed", next_action: null }]];
  await act(async () => {
    fireEvent.load(frame); // the bank's page
    fireEvent.load(frame); // its answer, back
    await Promise.resolve();
  });
  await vi.waitFor(() => expect(server.asked).toHaveLength(2));
});

it("reads the trip again once the change is done or declined: its last change says how it ended", async () => {
  const client = new QueryClient();
  const refreshed = vi.spyOn(client, "invalidateQueries");
  server.answers = [[409, { type: "https://skyfare.dev/problems/conflict", status: 409, failure_code: "card_declined" }]];
  shown(client);
  await vi.waitFor(() => expect(refreshed).toHaveBeenCalledWith({ queryKey: ["orders"] }));
});
