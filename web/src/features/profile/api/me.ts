import { queryOptions, useQuery } from "@tanstack/react-query";

import { api, type Schemas } from "../../../lib/api/client";
import { isProblem, offlineProblem, type Problem } from "../../../lib/problems";
import { useSession } from "../../../lib/session";

export type Profile = Schemas["ProfileView"];
export type Traveler = Schemas["TravelerView"];

/** Query keys of the signed-in traveler's own data (`/v1/me*`), per subject. */
export const meKeys = {
  all: ["me"] as const,
  profile: (subject: string) => [...meKeys.all, subject, "profile"] as const,
  travelers: (subject: string) => [...meKeys.all, subject, "travelers"] as const,
};

export class MeProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.type);
  }
}

const MERGE_PATCH = { "Content-Type": "application/merge-patch+json" };

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's data, or a `MeProblem` (a thrown fetch is the offline problem). */
async function settle<T>(call: () => Promise<Answer<T>>): Promise<{ data: T; etag: string | null }> {
  let result: Answer<T>;
  try {
    result = await call();
  } catch {
    throw new MeProblem(offlineProblem());
  }
  if (result.error !== undefined || !result.response.ok) {
    const body: unknown = result.error;
    throw new MeProblem(isProblem(body) ? body : { type: "about:blank", status: result.response.status });
  }
  return { data: result.data as T, etag: result.response.headers.get("ETag") };
}

function profileQuery(subject: string) {
  return queryOptions<{ data: Profile; etag: string | null }, MeProblem>({
    queryKey: meKeys.profile(subject),
    retry: false,
    queryFn: ({ signal }) => settle(() => api.GET("/v1/me", { signal })),
  });
}

/** The profile with its ETag (the `If-Match` of the next save); created on first read, so never
 * asked once the account is deleted (`enabled` false): that read would make it again. */
export function useProfile(subject: string, enabled = true) {
  return useQuery({ ...profileQuery(subject), enabled });
}

const profileOnly = (answer: { data: Profile }) => answer.data;

/**
 * The signed-in traveler's profile, null while signed out, loading, or if it cannot be read
 * (a screen that only starts from it goes on without it). The same cached query as `useProfile`,
 * so a saved change shows at once.
 */
export function useSignedInProfile(): Profile | null {
  const session = useSession();
  const query = useQuery({ ...profileQuery(session?.subject ?? ""), enabled: session !== null, select: profileOnly });
  return session ? (query.data ?? null) : null;
}

/** A merge patch of the profile, guarded by the ETag it was made from (412 when stale). */
export function saveProfile(patch: Schemas["ProfilePatch"], etag: string | null) {
  return settle(() =>
    api.PATCH("/v1/me", {
      body: patch,
      headers: MERGE_PATCH,
      params: { header: etag ? { "If-Match": etag } : {} },
    }),
  );
}

export function useTravelers(subject: string) {
  return useQuery<Traveler[], MeProblem>({
    queryKey: meKeys.travelers(subject),
    retry: false,
    queryFn: async ({ signal }) => (await settle(() => api.GET("/v1/me/travelers", { signal }))).data.data,
  });
}

/** One saved traveler with its ETag; `reveal` answers the document number in clear. */
export function getTraveler(id: string, reveal = false) {
  return settle(() =>
    api.GET("/v1/me/travelers/{traveler_id}", {
      params: { path: { traveler_id: id }, query: reveal ? { reveal: "document" } : {} },
    }),
  );
}

export async function addTraveler(traveler: Schemas["NewTraveler"]): Promise<Traveler> {
  return (await settle(() => api.POST("/v1/me/travelers", { body: traveler }))).data;
}

export async function changeTraveler(id: string, patch: Schemas["TravelerPatch"], etag: string | null) {
  return (
    await settle(() =>
      api.PATCH("/v1/me/travelers/{traveler_id}", {
        params: { path: { traveler_id: id }, header: etag ? { "If-Match": etag } : {} },
        body: patch,
        headers: MERGE_PATCH,
      }),
    )
  ).data;
}

export async function removeTraveler(id: string): Promise<void> {
  await settle(() => api.DELETE("/v1/me/travelers/{traveler_id}", { params: { path: { traveler_id: id } } }));
}

/** Everything held about the traveler, saved as a JSON file (the browser's download). */
export async function downloadExport(): Promise<void> {
  const { data } = await settle(() => api.GET("/v1/me/export", { parseAs: "blob" }));
  const url = URL.createObjectURL(data);
  const link = document.createElement("a");
  link.href = url;
  link.download = `skyfare-my-data-${new Date().toISOString().slice(0, 10)}.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export type Erasure = Schemas["ErasureReport"];

/** Erases the profile, the saved travelers and the orders' contact details (409 while an order is in flight). */
export async function eraseAccount(): Promise<Erasure> {
  return (await settle(() => api.DELETE("/v1/me", {}))).data;
}

