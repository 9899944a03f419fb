import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";

import type { Order } from "../../../lib/api/client";
import { useAttempt } from "../../../lib/attempt";
import { ApiProblem } from "../../../lib/api/settle";
import { bankPage } from "../../../lib/bankWait";
import { BankCheck } from "../../booking";
import { AT_THE_BANK, BEING_CHECKED, beingChecked, confirmChange } from "../api/changes";
import { GiveUpChange } from "./GiveUpChange";

/** What the trip says while the change waits for the bank and its page is not shown: `shown`,
 * the traveler closed it here; else they came back to the trip (a reload, My trips). */
function changeLeft(shown: boolean): string {
  const why = shown ? "You closed your bank’s page before confirming" : "Your bank has not confirmed your flight change yet";
  return `${why}, so the change is not done and nothing has been charged: your trip keeps the flights shown. Confirm with your bank to finish it.`;
}

/** A flight change of the trip whose charge waits for the traveler at their bank (3-D Secure:
 * the order's `change_next_action`), on the trip's page, opened again after the change's own
 * screen was left (a reload, My trips, another device). The change's confirmation is sent once
 * on arrival (no card: the API reads the charge it made), since the bank may have answered
 * meanwhile: done, declined (the trip's last change then says so) or still waiting, when the
 * bank's page is offered again (BankCheck, closed until asked for) and sent again once it sends
 * its frame back. The change may be given up instead (GiveUpChange): the trip, read anew, then
 * says so and offers changes again. A 409 `in_progress` (the sweeper or another request holds it
 * this moment) is said as a check under way, with a way to check again. */
export default function ChangeBankNotice({ order }: { order: Order }) {
  const waiting = order.change_next_action;
  const queryClient = useQueryClient();
  const key = useMemo(() => crypto.randomUUID(), []); // one per visit: its retries are one
  const [closed, setClosed] = useState(true);
  const { problem, busy, attempt } = useAttempt();
  const offerId = waiting?.change_offer_id;
  const finish = () =>
    attempt(async () => {
      if (!offerId) return;
      try {
        await confirmChange(order.id, offerId, key, null);
      } catch (error) {
        // Declined, canceled or gone: the trip's last change says how it ended.
        const atTheBank = error instanceof ApiProblem && error.problem.type === AT_THE_BANK;
        if (!atTheBank) void queryClient.invalidateQueries({ queryKey: ["orders"] });
        throw error;
      }
      await queryClient.invalidateQueries({ queryKey: ["orders"] });
    });
  // eslint-disable-next-line react-hooks/exhaustive-deps -- once per change offer, on arrival
  useEffect(() => void finish(), [offerId]);
  if (!waiting) return null;
  // A page that is no web address is never framed: the notice then says the change waits.
  const url = problem?.type === AT_THE_BANK ? String(problem.url) : bankPage(waiting.url);
  return (
    <section className="notice" aria-label="Flight change">
      <p>
        <strong>Your change of flight {waiting.slice_index + 1} waits for your bank.</strong>{" "}
        {busy && "Checking with your bank…"}
      </p>
      {/* A confirmation or the change sweeper holds the change this moment: no refusal. */}
      {!busy && beingChecked(problem) && (
        <p role="status">
          {BEING_CHECKED}{" "}
          <button type="button" className="secondary" onClick={() => void finish()}>
            Check again
          </button>
        </p>
      )}
      {!busy && url !== null && (
        <BankCheck
          url={url}
          closed={closed}
          onClosedChange={setClosed}
          onAnswered={() => void finish()}
          gaveUp={changeLeft}
          reopen="Confirm with your bank"
        >
          <GiveUpChange orderId={order.id} offerId={waiting.change_offer_id} />
        </BankCheck>
      )}
    </section>
  );
}
