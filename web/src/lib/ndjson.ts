/**
 * Reads an NDJSON body line by line as its bytes arrive: each complete line is parsed and yielded
 * at once (a line split across chunks, or a character split across them, waits for the rest).
 * Blank lines are skipped; a last line without its newline still counts.
 */
export async function* readNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffered.indexOf("\n");
      while (newline >= 0) {
        const line = buffered.slice(0, newline).trim();
        buffered = buffered.slice(newline + 1);
        if (line) yield JSON.parse(line);
        newline = buffered.indexOf("\n");
      }
      if (done) break;
    }
    const last = buffered.trim();
    if (last) yield JSON.parse(last);
  } finally {
    reader.releaseLock();
  }
}
