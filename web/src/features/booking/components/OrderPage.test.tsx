// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, expect, it, vi } from "vitest";

import { OrderPage } from "./OrderPage";

const api = vi.hoisted(() => ({ beginSignIn: vi.fn() }));
vi.mock("../../auth/api/oidc", async (original) => ({
  ...(await original<typeof import("../../auth/api/oidc")>()),
  beginSignIn: api.beginSignIn,
}));

afterEach(cleanup);

it("signing in from a trip's change screen comes back to that screen, not the trip", () => {
  // A reload signs out (tokens are memory-only): the traveler was changing seats.
  api.beginSignIn.mockResolvedValue(undefined);
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/trips/ord_0123456789abcdef01234567?change=flight&slice=1"]}>
        <Routes>
          <Route path="/trips/:orderId" element={<OrderPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
  expect(api.beginSignIn).toHaveBeenCalledWith("/trips/ord_0123456789abcdef01234567?change=flight&slice=1");
});
