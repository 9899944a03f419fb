// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import { setSession } from "../../../lib/session";
import { testOrder } from "../../../lib/testOrder";
import { signInForTest } from "../../../lib/testSession";

// The app's client asks same-origin paths and takes `fetch` when it is built (hoisted): every
// payment is counted and left unanswered until the test answers it; the seats are none.
const server = vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
  const state = { payments: 0, answer: undefined as unknown as (answer: Response) => void };
  globalThis.fetch = (input: RequestInfo | URL) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.includes("/payments")) return Promise.resolve(Response.json({ data: [] })); // the seats
    state.payments += 1;
    return new Promise<Response>((resolve) => {
      state.answer = resolve;
    });
  };
  return state;
});

const { PayStep } = await import("./PayStep");

afterEach(() => {
  cleanup();
  setSession(null);
  server.payments = 0;
});

const order = testOrder();

function renderPay(held: typeof order) {
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <MemoryRouter>
        <PayStep order={held} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

it("keeps Pay focusable while the payment is sent, and sends it once however often it is pressed", async () => {
  signInForTest();
  renderPay(order);
  const pay = screen.getByRole("button", { name: "Pay" });
  const hold = screen.getByRole("button", { name: "Hold" });
  pay.focus();
  fireEvent.click(pay);
  await vi.waitFor(() => expect(server.payments).toBe(1));

  // Was `disabled`: the browser then drops the focus to the page's body.
  for (const button of [pay, hold]) {
    expect(button.hasAttribute("disabled")).toBe(false);
    expect(button.getAttribute("aria-disabled")).toBe("true");
  }
  expect(document.activeElement).toBe(pay);
  expect(screen.getByRole("status").textContent).toBe("Sending your payment…");
  expect(screen.queryByRole("link", { name: "Change seats" })).toBeNull(); // was offered meanwhile
  fireEvent.click(pay);
  fireEvent.submit(pay.closest("form") as HTMLFormElement);
  expect(server.payments).toBe(1);

  // Refused: the buttons work again.
  const problem = { type: "https://skyfare.dev/problems/service-unavailable", status: 503 };
  await act(async () => {
    server.answer(Response.json(problem, { status: 503, headers: { "Content-Type": "application/problem+json" } }));
    await Promise.resolve();
  });
  await vi.waitFor(() => expect(pay.getAttribute("aria-disabled")).toBeNull());
  expect(screen.getByRole("link", { name: "Change seats" })).toBeTruthy();
  expect(screen.getByRole("alert").textContent).toContain("Payments cannot be taken right now.");
});

it("says which passenger flies on a lap, as the trip page does (one list of passengers)", () => {
  signInForTest();
  const family = testOrder({
    passengers: [
      { id: "pas_1", type: "adult", given_name: "Ada", family_name: "Lovelace", infant_passenger_id: "pas_2" },
      { id: "pas_2", type: "infant", given_name: "Ralph", family_name: "Lovelace" },
    ],
  });
  renderPay(family);
  const trip = screen.getByRole("region", { name: "Your trip" });
  // Was "Ralph Lovelace" alone: nothing said the infant has no seat of their own.
  expect([...trip.querySelectorAll("li")].map((li) => li.textContent)).toEqual(["Ada Lovelace", "Ralph Lovelace (infant, on Ada’s lap)"]);
});

it("offers the test card that asks for 3-D Secure, where paying the order can go to the bank", () => {
  signInForTest();
  renderPay(order);
  const cards = screen.getByRole("group", { name: "Payment" });
  expect(within(cards).getByRole("radio", { name: "Test card that asks for 3-D Secure" })).toBeTruthy();
});

it("tells a traveler paying with another card that the payment waiting for their bank is canceled", () => {
  // Was: the step said nothing of it, and the API answered a 409 (one payment at a time).
  const action = { type: "redirect_to_url", url: "http://127.0.0.1:9100/payments/challenge/pi_1" };
  renderPay(testOrder({ payment_status: "processing", payment_next_action: action }));
  expect(screen.getByText(/Your payment waiting for your bank’s confirmation is canceled when you pay with this card/)).toBeTruthy();
  // The API refuses seats while a payment is in progress (payment_in_progress): not offered.
  expect(screen.queryByRole("link", { name: "Change seats" })).toBeNull();
  cleanup();

  renderPay(order); // nothing waits: nothing to say
  expect(screen.queryByText(/waiting for your bank/)).toBeNull();
});
