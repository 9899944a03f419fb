import { describe, expect, it } from "vitest";

import { readNdjson } from "./ndjson";

/** A body that delivers `chunks` one read at a time, as a network does. */
function body(chunks: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === "string" ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

async function all(stream: ReadableStream<Uint8Array>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const line of readNdjson(stream)) out.push(line);
  return out;
}

describe("readNdjson", () => {
  it("yields one value per line", async () => {
    expect(await all(body(['{"a":1}\n{"b":2}\n']))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("joins a line split across chunks", async () => {
    expect(await all(body(['{"connec', 'tor":"x"}\n{"do', 'ne":true}\n']))).toEqual([
      { connector: "x" },
      { done: true },
    ]);
  });

  it("joins a character split across chunks", async () => {
    const bytes = new TextEncoder().encode('{"city":"Zürich"}\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the two bytes of ü
    expect(await all(body([bytes.slice(0, cut), bytes.slice(cut)]))).toEqual([{ city: "Zürich" }]);
  });

  it("keeps a last line that has no newline and skips blank lines", async () => {
    expect(await all(body(['\n{"a":1}\n\n', '{"b":2}']))).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("yields each line as soon as it is complete, before the body ends", async () => {
    let push: (text: string) => void = () => undefined;
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => controller.enqueue(new TextEncoder().encode(text));
      },
    });
    const lines = readNdjson(stream);
    push('{"first":true}\n{"sec');
    expect((await lines.next()).value).toEqual({ first: true });
    await lines.return(undefined);
  });

  it("fails on a line that is not JSON", async () => {
    await expect(all(body(["not json\n"]))).rejects.toThrow(SyntaxError);
  });
});
