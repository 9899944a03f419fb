import { headerOf, type JsonWebKeySet, keyFor } from "./idToken";

/**
 * The provider's published keys (its JWKS), fetched once and kept, and fetched again when a
 * token names a key the kept set lacks: the provider rotated its keys since (a silent refresh
 * hours after sign-in). A key still missing after that is refused by `verifyIdToken`.
 */
export class ProviderKeys {
  private kept: JsonWebKeySet | null = null;

  constructor(private readonly fetchSet: () => Promise<JsonWebKeySet>) {}

  async for(token: string): Promise<JsonWebKeySet> {
    let header: Record<string, unknown> = {};
    try {
      header = headerOf(token);
    } catch {
      // an unreadable token: `verifyIdToken` refuses it, saying why
    }
    if (!this.kept || !keyFor(this.kept, header)) {
      const set = await this.fetchSet();
      this.kept = { keys: Array.isArray(set.keys) ? set.keys : [] };
    }
    return this.kept;
  }
}
