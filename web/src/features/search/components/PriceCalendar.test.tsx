// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import type { Middleware } from "openapi-fetch";

import { api } from "../../../lib/api/client";
import { PriceCalendar } from "./PriceCalendar";

// The app's client asks same-origin paths ("/v1/calendar"), which Node's Request cannot parse
// without a page's address: resolved against jsdom's, before the client is built (hoisted).
vi.hoisted(() => {
  const NodeRequest = globalThis.Request;
  globalThis.Request = class extends NodeRequest {
    constructor(input: RequestInfo | URL, init?: RequestInit) {
      super(typeof input === "string" ? new URL(input, globalThis.location.href) : input, init);
    }
  };
});

let answering: Middleware | null = null;
afterEach(() => {
  cleanup();
  if (answering) api.eject(answering);
  answering = null;
});

/** The calendar's request, answered as the API would for one cached day (no network). */
function answer(asked: URL[]) {
  answering = {
    onRequest({ request }) {
      const url = new URL(request.url);
      asked.push(url);
      const currency = url.searchParams.get("currency") ?? "USD";
      const days = {
        "2030-06-20": { cheapest: { amount: "590.40", currency, offer_id: "off_e" }, offers: 3, cached_at: "2030-05-14T10:00:00Z" },
      };
      const body = { origin: "LHR", destination: "CDG", month: "2030-06", cabin_class: "economy", adults: 1, currency, days };
      return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/json" } });
    },
  };
  api.use(answering);
}

it("asks for and shows the fares of the currency the form prices in", async () => {
  const asked: URL[] = [];
  answer(asked);
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  render(
    <QueryClientProvider client={client}>
      <PriceCalendar origin="LHR" destination="CDG" cabin="economy" adults={1} currency="EUR" min="2030-06-01" value="" onPick={() => undefined} />
    </QueryClientProvider>,
  );
  const details = screen.getByText("Prices by day").closest("details") as HTMLDetailsElement;
  details.open = true;
  fireEvent(details, new Event("toggle"));

  expect(await screen.findByRole("button", { name: "20 June 2030, from €590" })).toBeTruthy();
  expect(asked.map((url) => url.searchParams.get("currency"))).toEqual(["EUR"]);
});
