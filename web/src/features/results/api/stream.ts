import type { ConnectorReport, Offer, SearchMeta, SearchRequest } from "../../../lib/api/client";
import { readNdjson } from "../../../lib/ndjson";
import { isProblem, offlineProblem, type Problem } from "../../../lib/problems";
import { getSession } from "../../../lib/session";

/** One line of `POST /v1/search` with `Accept: application/x-ndjson` (docs/api.md "Streaming"). */
export interface ConnectorLine {
  connector: string;
  status: ConnectorReport["status"];
  offers: Offer[];
}

export interface DoneLine {
  done: true;
  search_id: string;
  meta: SearchMeta;
}

export type StreamLine = ConnectorLine | DoneLine;

export function isDone(line: StreamLine): line is DoneLine {
  return "done" in line && line.done === true;
}

export class StreamFailed extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.type);
  }
}

/** The signed-in traveler's token too, as the typed client sends it (usage counts a signed-in
 * traveler's searches, hashed; the search itself stays public). */
function streamHeaders(): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    Accept: "application/x-ndjson",
  };
  const session = getSession();
  if (session) headers.Authorization = `Bearer ${session.accessToken}`;
  return headers;
}

/**
 * Streams a search: yields each airline's line the moment it arrives, then the `done` line.
 * A refused search (422, 503) or no connection throws `StreamFailed` with its problem.
 */
export async function* streamSearch(
  request: SearchRequest,
  signal: AbortSignal,
): AsyncGenerator<StreamLine> {
  let response: Response;
  try {
    response = await fetch("/v1/search", {
      method: "POST",
      headers: streamHeaders(),
      body: JSON.stringify(request),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new StreamFailed(offlineProblem());
  }
  if (!response.ok || !response.body) {
    const body: unknown = await response.json().catch(() => null);
    throw new StreamFailed(isProblem(body) ? body : { type: "about:blank", status: response.status });
  }
  try {
    for await (const line of readNdjson(response.body)) yield line as StreamLine;
  } catch (error) {
    if (signal.aborted) throw error;
    throw new StreamFailed(offlineProblem());
  }
}
