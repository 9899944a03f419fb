// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router";
import { afterEach, expect, it } from "vitest";

import { emptyForm } from "../model";
import { useSearchWasSent, useSendSearch } from "./useSendSearch";

afterEach(cleanup);

function Probe() {
  const sent = useSearchWasSent();
  const send = useSendSearch();
  const location = useLocation();
  return (
    <>
      <p>{`${location.pathname}: ${sent ? "sent here" : "opened from a link"}`}</p>
      <button type="button" onClick={() => send({ ...emptyForm(), legs: [{ origin: "LHR", destination: "JFK", date: "2027-02-04" }] })}>
        Search
      </button>
    </>
  );
}

it("tells a results screen the traveler sent from one opened at its address", () => {
  render(
    <MemoryRouter initialEntries={["/results?trip=one-way&leg=LHR.JFK.2027-02-04"]}>
      <Routes>
        <Route path="*" element={<Probe />} />
      </Routes>
    </MemoryRouter>,
  );
  expect(screen.getByText("/results: opened from a link")).toBeTruthy();
  fireEvent.click(screen.getByRole("button", { name: "Search" }));
  expect(screen.getByText("/results: sent here")).toBeTruthy();
});
