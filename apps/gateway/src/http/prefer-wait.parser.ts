// `Prefer: wait=N` (RFC 7240): how long a command may hold its answer for the operation to end.
// Several preferences may share the header or come in several headers; only `wait` matters here.
// Malformed, zero or negative values are ignored (preferences never fail a request); larger than
// the maximum is clamped to it.

export const MAX_WAIT_SECONDS = 60;

/** The wait in whole seconds (1–60), or null when the request asks for none. */
export function parsePreferWait(header: string | readonly string[] | undefined): number | null {
  if (header === undefined) return null;
  const values = typeof header === 'string' ? [header] : header;
  for (const value of values) {
    for (const preference of value.split(',')) {
      const [head] = preference.split(';');
      const match = /^\s*wait\s*=\s*(?:"(\d{1,12})"|(\d{1,12}))\s*$/i.exec(head);
      if (!match) continue;
      const seconds = Number(match[1] ?? match[2]);
      if (seconds <= 0) return null;
      return Math.min(seconds, MAX_WAIT_SECONDS);
    }
  }
  return null;
}
