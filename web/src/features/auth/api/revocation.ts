/**
 * Token revocation (RFC 7009) as the traveler signs out: the refresh token's whole family ends
 * at the provider, so a copy taken before (a shared computer, a leaked log) gets no new access
 * token. The access token cannot be revoked (the API verifies it by itself) and lives out its
 * few minutes. Best effort: signed out here either way, and a provider that cannot be reached
 * leaves the refresh token to expire.
 */
export async function revokeRefreshToken(
  endpoint: string,
  clientId: string,
  refreshToken: string,
  send: typeof fetch = fetch,
): Promise<boolean> {
  try {
    const response = await send(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ token: refreshToken, token_type_hint: "refresh_token", client_id: clientId }),
      // Sent even when the page is left at once (a sign-out before closing the tab).
      keepalive: true,
    });
    return response.ok;
  } catch {
    return false;
  }
}
