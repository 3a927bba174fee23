// The provider-API requests the sandbox received, oldest first, in a fixed-size ring so a long
// run cannot exhaust memory. Tests use it to prove a create was sent exactly once.

export interface RequestLogEntry {
  at: string;
  method: string;
  path: string;
  query: Record<string, unknown>;
  body: unknown;
  /** Null while no answer was sent (held answer, dropped connection, client gone). */
  status: number | null;
}

export interface RequestLogFilter {
  path?: string | null;
  method?: string | null;
}

export class RequestLog {
  private readonly ring: Array<RequestLogEntry | undefined>;
  private start = 0;
  private size = 0;

  constructor(readonly limit: number) {
    this.ring = new Array<RequestLogEntry | undefined>(limit);
  }

  /** Stores the entry (by reference, so its body and status can be filled in later). */
  record(entry: RequestLogEntry): RequestLogEntry {
    if (this.size < this.limit) {
      this.ring[(this.start + this.size) % this.limit] = entry;
      this.size += 1;
    } else {
      this.ring[this.start] = entry;
      this.start = (this.start + 1) % this.limit;
    }
    return entry;
  }

  entries(filter: RequestLogFilter = {}): RequestLogEntry[] {
    const method = filter.method?.toUpperCase() ?? null;
    const out: RequestLogEntry[] = [];
    for (let i = 0; i < this.size; i += 1) {
      const entry = this.ring[(this.start + i) % this.limit] as RequestLogEntry;
      if (method !== null && entry.method !== method) continue;
      if (filter.path && !entry.path.includes(filter.path)) continue;
      out.push(entry);
    }
    return out;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.start = 0;
    this.size = 0;
  }
}
