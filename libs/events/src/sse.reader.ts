// Reads a Server-Sent Events stream (what `GET /v1/events` answers) into messages: for clients
// written in TypeScript, the benchmark and the tests. Comments (heartbeats) are skipped.

export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

/** Calls `onMessage` for each message until the stream ends or is aborted; never throws on abort. */
export async function readSse(body: ReadableStream<Uint8Array>, onMessage: (message: SseMessage) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const message = parseBlock(buf.slice(0, cut));
        buf = buf.slice(cut + 2);
        if (message) onMessage(message);
      }
    }
  } catch (err) {
    // The abort error may come from another realm (a DOMException), so look at its name only.
    if ((err as { name?: unknown } | null)?.name !== 'AbortError') throw err;
  }
}

export function parseBlock(block: string): SseMessage | null {
  const fields: Record<string, string> = {};
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const name = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    fields[name] = fields[name] === undefined ? value : `${fields[name]}\n${value}`;
  }
  return fields.data === undefined ? null : { id: fields.id, event: fields.event, data: fields.data };
}
