import { isProblem, offlineProblem, type Problem } from "../problems";

/** A call's failure as its problem document (or the offline one), for `useAttempt` and screens. */
export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.type);
  }
}

/** The call's data, or `fail(problem)` thrown: a thrown fetch is the offline problem, an answer
 * without a problem document one of its status alone. */
export async function settle<T>(
  call: () => Promise<{ data?: T; error?: unknown; response: Response }>,
  fail: (problem: Problem) => Error = (problem) => new ApiProblem(problem),
): Promise<T> {
  let result;
  try {
    result = await call();
  } catch {
    throw fail(offlineProblem());
  }
  if (result.error !== undefined || result.data === undefined) {
    const body = result.error;
    throw fail(isProblem(body) ? body : { type: "about:blank", status: result.response.status });
  }
  return result.data;
}
