import { useQuery } from "@tanstack/react-query";

import { api, type ConnectorReport, type SearchMeta } from "../../../lib/api/client";
import { settle } from "../../../lib/api/settle";

const STATUS_TEXT: Record<ConnectorReport["status"], string> = {
  ok: "answered",
  timeout: "timed out",
  error: "failed",
  circuit_open: "unavailable",
  skipped: "busy, not asked",
};

/** "Britannia" from the connector name `rest-britannia`. */
export function airlineLabel(connector: string): string {
  const name = connector.replace(/^(rest|soap|ndc)-/, "");
  return name.charAt(0).toUpperCase() + name.slice(1);
}

interface Props {
  answered: Record<string, ConnectorReport["status"]>;
  meta: SearchMeta | null;
}

/** Which airlines answered, are still being asked, timed out or failed. */
export function AirlineStatus({ answered, meta }: Props) {
  const { data: configured = [] } = useQuery({
    queryKey: ["connectors"],
    staleTime: 60_000,
    queryFn: async () => {
      const data = await settle(() => api.GET("/v1/connectors"));
      return data.connectors.map((connector) => connector.name);
    },
  });
  const rows: [string, string][] = meta
    ? meta.connectors.map((c) => [c.name, STATUS_TEXT[c.status]])
    : [
        ...Object.entries(answered).map(([name, status]): [string, string] => [name, STATUS_TEXT[status]]),
        ...configured.filter((name) => !(name in answered)).map((name): [string, string] => [name, "still searching…"]),
      ];
  const troubled = rows.filter(([, text]) => text !== "answered" && text !== "still searching…").length;
  return (
    <section className="airline-status" aria-label="Airlines">
      <h2 className="visually-hidden">Airlines</h2>
      {meta && troubled > 0 && (
        <p className="notice warning">
          {troubled === 1 ? "One airline" : `${troubled} airlines`} did not answer: these results may be
          incomplete. Search again later to include them.
        </p>
      )}
      <ul>
        {rows.map(([name, text]) => (
          <li key={name} className={`status-${text.split(" ")[0]?.replace(/[^a-z]/g, "")}`}>
            <span className="airline">{airlineLabel(name)}</span> <span className="state">{text}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
