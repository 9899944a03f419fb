// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { afterEach, expect, it } from "vitest";

import { BookPage } from "./BookPage";

afterEach(cleanup);

it("tells a first-time visitor asked to sign in that the same page creates their account", () => {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/book/off_1"]}>
        <Routes>
          <Route path="/book/:offerId" element={<BookPage />} />
        </Routes>
      </MemoryRouter>
    </QueryClientProvider>,
  );
  expect(screen.getByRole("heading", { name: "Book this flight" })).toBeTruthy();
  expect(screen.getByRole("button", { name: "Sign in" })).toBeTruthy();
  expect(screen.getByText(/^New to Skyfare\? The sign-in page also creates your account/)).toBeTruthy();
});
