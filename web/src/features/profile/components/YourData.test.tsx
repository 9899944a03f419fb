// @vitest-environment jsdom
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { afterEach, beforeEach, expect, it, vi } from "vitest";

import { rememberResume, resumeWaiting } from "../../auth/api/stepUp";
import { YourData } from "./YourData";

const api = vi.hoisted(() => ({ eraseAccount: vi.fn(), downloadExport: vi.fn(), beginSignIn: vi.fn(), erased: vi.fn() }));

vi.mock("../api/me", async (original) => ({
  ...(await original<typeof import("../api/me")>()),
  eraseAccount: api.eraseAccount,
  downloadExport: api.downloadExport,
  // The sections above it, drawn: the confirmation is brought into view once they are.
  useProfile: () => ({ isPending: false }),
  useTravelers: () => ({ isPending: false }),
}));
vi.mock("../../auth/api/oidc", async (original) => ({
  ...(await original<typeof import("../../auth/api/oidc")>()),
  beginSignIn: api.beginSignIn,
}));

const { MeProblem } = await import("../api/me");

const STEP_UP = {
  type: "https://skyfare.dev/problems/insufficient-user-authentication",
  status: 401,
  detail: "This needs a sign-in within the last 5 minutes, and you signed in 60 minutes ago.",
  max_age: 300,
};
const ERASED = {
  erased: { profile: true, saved_travelers: 0, passengers_contact_details: 0 },
  kept: [],
  detail: "Gone.",
};

beforeEach(() => {
  api.eraseAccount.mockReset();
  api.erased.mockReset();
  api.beginSignIn.mockReset().mockResolvedValue(undefined);
});
afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

function drawn(subject = "usr_ada") {
  render(
    <QueryClientProvider client={new QueryClient()}>
      <MemoryRouter initialEntries={["/profile"]}>
        <YourData subject={subject} email="ada@example.com" onErased={api.erased} />
      </MemoryRouter>
    </QueryClientProvider>,
  );
}

const confirmation = () => screen.queryByRole("group", { name: "Delete your account?" });

it("offers a fresh sign-in, back to this page, when the API wants a more recent one", async () => {
  api.eraseAccount.mockRejectedValue(new MeProblem(STEP_UP));
  drawn();

  fireEvent.click(screen.getByRole("button", { name: "Delete my account…" }));
  fireEvent.click(screen.getByRole("button", { name: "Yes, delete my account" }));
  const refused = await screen.findByRole("alert");
  expect(refused).toHaveProperty("textContent", expect.stringContaining("this needs a fresh sign-in"));
  fireEvent.click(within(refused).getByRole("button", { name: "Sign in again" }));

  expect(api.beginSignIn).toHaveBeenCalledWith("/profile", { maxAge: 0, loginHint: "ada@example.com" });
  expect(resumeWaiting("delete-account", "usr_ada")).toBe(true);
  expect(api.eraseAccount).toHaveBeenCalledTimes(1);
});

it("back from signing in, asks for the yes again and deletes only then", async () => {
  api.eraseAccount.mockResolvedValue(ERASED);
  rememberResume("delete-account", "usr_ada");
  drawn();

  const asked = confirmation();
  expect(asked).not.toBeNull();
  expect(asked?.textContent).toContain("You signed in again");
  expect(api.eraseAccount).not.toHaveBeenCalled();
  expect(resumeWaiting("delete-account", "usr_ada")).toBe(false); // offered once
  await waitFor(() => expect(document.activeElement).toBe(asked)); // the question, not the button

  fireEvent.click(screen.getByRole("button", { name: "Yes, delete my account" }));

  await waitFor(() => expect(api.erased).toHaveBeenCalledWith(ERASED)); // the page shows it (ErasedAccount)
  expect(api.eraseAccount).toHaveBeenCalledTimes(1);
});

it("does not offer another traveler's deletion to whoever signed in instead", async () => {
  rememberResume("delete-account", "usr_ada");
  drawn("usr_bob");

  expect(confirmation()).toBeNull();
  expect(screen.getByRole("button", { name: "Delete my account…" })).toBeDefined();
  await waitFor(() => expect(sessionStorage.getItem("skyfare.resume")).toBeNull());
  expect(api.eraseAccount).not.toHaveBeenCalled();
});

it("moves focus to the question when it opens, and back to its button when the traveler keeps the account", async () => {
  drawn();
  const opener = screen.getByRole("button", { name: "Delete my account…" });
  opener.focus();

  fireEvent.click(opener);
  const asked = confirmation();
  await waitFor(() => expect(document.activeElement).toBe(asked)); // read first, never the yes button

  fireEvent.click(screen.getByRole("button", { name: "Keep my account" }));
  expect(confirmation()).toBeNull();
  await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Delete my account…" })));
  expect(api.eraseAccount).not.toHaveBeenCalled();
});

it("puts the focus on a refusal, so its next step is the next Tab, not the top of the page", async () => {
  api.eraseAccount.mockRejectedValue(new MeProblem(STEP_UP));
  drawn();

  fireEvent.click(screen.getByRole("button", { name: "Delete my account…" }));
  const yes = screen.getByRole("button", { name: "Yes, delete my account" });
  yes.focus();
  fireEvent.click(yes);

  const refused = await screen.findByRole("alert");
  await waitFor(() => expect(document.activeElement).toBe(refused));
});

it("moves focus to the download question and back to its button on Not now", async () => {
  drawn();
  fireEvent.click(screen.getByRole("button", { name: "Export my data…" }));
  const asked = screen.getByRole("group", { name: "Download your data?" });
  await waitFor(() => expect(document.activeElement).toBe(asked));

  fireEvent.click(screen.getByRole("button", { name: "Not now" }));
  await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Export my data…" })));
});
