import { expect, it, vi } from "vitest";

import { revokeRefreshToken } from "./revocation";

it("posts the refresh token as an RFC 7009 form, kept alive past the page", async () => {
  const send = vi.fn<typeof fetch>().mockResolvedValue(new Response(null, { status: 200 }));

  const revoked = await revokeRefreshToken("https://id.example/revoke", "skyfare-web", "rt-1", send);

  expect(revoked).toBe(true);
  const [url, init] = send.mock.calls[0] ?? [];
  expect(url).toBe("https://id.example/revoke");
  expect(init?.method).toBe("POST");
  expect(init?.keepalive).toBe(true);
  expect(new Headers(init?.headers).get("Content-Type")).toBe("application/x-www-form-urlencoded");
  expect(Object.fromEntries(init?.body as URLSearchParams)).toEqual({
    token: "rt-1",
    token_type_hint: "refresh_token",
    client_id: "skyfare-web",
  });
});

it("says false, without throwing, when the provider refuses or cannot be reached", async () => {
  const refused = vi.fn<typeof fetch>().mockResolvedValue(new Response("{}", { status: 400 }));
  const offline = vi.fn<typeof fetch>().mockRejectedValue(new TypeError("Failed to fetch"));

  expect(await revokeRefreshToken("https://id.example/revoke", "c", "t", refused)).toBe(false);
  expect(await revokeRefreshToken("https://id.example/revoke", "c", "t", offline)).toBe(false);
});
