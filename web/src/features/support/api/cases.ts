import { useQuery } from "@tanstack/react-query";
import { useState } from "react";

import { api, type Schemas } from "../../../lib/api/client";
import { newFollowMemory, nextPoll } from "../../../lib/follow";
import { isProblem, offlineProblem, type Problem } from "../../../lib/problems";

export type SupportCase = Schemas["CaseView"];

export const supportKeys = {
  cases: ["support", "cases"] as const,
};

export class SupportProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.type);
  }
}

const problemOf = (error: unknown, status: number) =>
  new SupportProblem(isProblem(error) ? error : { type: "about:blank", status });

/** The signed-in traveler's support cases, newest first, with their status and messages; asked
 * again (lib/follow's pace) while `waiting` says an answer is still to come, so an agent's reply
 * shows where the page says it will, without a reload (which would sign the traveler out). */
export function useCases(waiting: (cases: SupportCase[]) => boolean = () => false) {
  const [memory] = useState(newFollowMemory);
  return useQuery<SupportCase[], SupportProblem>({
    queryKey: supportKeys.cases,
    retry: false,
    refetchInterval: (query) => nextPoll(memory, query.state, waiting),
    refetchIntervalInBackground: false,
    queryFn: async ({ signal }) => {
      let result;
      try {
        result = await api.GET("/v1/support/cases", { signal });
      } catch {
        throw new SupportProblem(offlineProblem());
      }
      if (result.error !== undefined) throw problemOf(result.error, result.response.status);
      return result.data.data;
    },
  });
}

/** Opens a case about one of the traveler's orders in the helpdesk. `key` is one per case
 * written: a retry of the same words after a lost answer is the first case, not a second. */
export async function openCase(orderId: string, subject: string, message: string, key: string): Promise<SupportCase> {
  let result;
  try {
    result = await api.POST("/v1/support/cases", {
      params: { header: { "Idempotency-Key": key } },
      body: { order_id: orderId, subject, message },
    });
  } catch {
    throw new SupportProblem(offlineProblem());
  }
  if (result.error !== undefined) throw problemOf(result.error, result.response.status);
  return result.data;
}
