// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";

import { ProblemNotice } from "./ProblemNotice";

afterEach(cleanup);

const problem = (kind: string, status: number) => ({ type: `https://skyfare.dev/problems/${kind}`, status });

describe("ProblemNotice's Try again", () => {
  it.each([
    ["a Skyfare that cannot reach the airlines", problem("service-unavailable", 503)],
    ["a failure on Skyfare's side", problem("internal-error", 500)],
    ["too many requests", problem("rate-limited", 429)],
    ["a sign-in that could not be renewed", { type: "sign-in-unreachable", status: 503 }],
    ["no answer from Skyfare", { type: "unreachable", status: 0 }],
    ["a bare 502 from the way there", { type: "about:blank", status: 502 }],
  ])("asks the read again after %s", (_, failure) => {
    const retry = vi.fn();
    render(<ProblemNotice problem={failure} retry={retry} />);

    fireEvent.click(screen.getByRole("button", { name: "Try again" }));

    expect(retry).toHaveBeenCalledOnce();
  });

  it.each([
    ["not found", problem("not-found", 404)],
    ["a request to fix", problem("validation-error", 422)],
    ["a sign-in needed", problem("unauthorized", 401)],
    ["a changed offer", problem("conflict", 409)],
  ])("is not offered for %s, which the same read would meet again", (_, failure) => {
    render(<ProblemNotice problem={failure} retry={() => undefined} />);

    expect(screen.getByRole("alert")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });

  it("is not offered where nothing can be asked again", () => {
    render(<ProblemNotice problem={problem("service-unavailable", 503)} />);

    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });
});

it("lists the errors no field shows as sentences, not in the API's lower case", () => {
  // A screen may pass the API's `errors` as they came: "card_token" said "required: …".
  const other = [{ field: "card_token", message: "required: this change costs 40.00 USD" }];
  render(<ProblemNotice problem={problem("validation-error", 422)} other={other} />);

  expect(screen.getByRole("listitem").textContent).toBe("Required: this change costs 40.00 USD.");
});
