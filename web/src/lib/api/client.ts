import createClient from "openapi-fetch";

import { getSession } from "../session";
import type { components, paths } from "./schema";

/** The one API client: same origin (the API serves this app), typed from /openapi.json. */
export const api = createClient<paths>({ baseUrl: "" });

// The signed-in traveler's token on every call (the API ignores it on public routes).
api.use({
  onRequest({ request }) {
    const session = getSession();
    if (session) request.headers.set("Authorization", `Bearer ${session.accessToken}`);
    return request;
  },
});

export type Schemas = components["schemas"];
export type Offer = Schemas["Offer"];
export type PricedOffer = Schemas["PricedOffer"];
export type SearchRequest = Schemas["SearchRequest"];
export type SearchMeta = Schemas["SearchMeta"];
export type ConnectorReport = Schemas["ConnectorReport"];
export type Airport = Schemas["Airport"];
export type CabinClass = NonNullable<SearchRequest["cabin_class"]>;
export type Currency = NonNullable<SearchRequest["currency"]>;
export type Order = Schemas["OrderView"];
