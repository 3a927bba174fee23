// Injected failures on provider routes, for rehearsing timeouts, 5xx and dropped connections.
// Which requests fail is deterministic: with errorRate r, exactly r of the matching requests
// fail, evenly spread (0.5 fails every second one), so a test never depends on luck.

export interface FaultSpec {
  match?: { method?: string; path?: string };
  errorRate?: number;
  status?: number;
  latencyMs?: number;
  dropConnection?: boolean;
  forSeconds?: number;
}

export interface Fault {
  id: string;
  match: { method: string | null; path: string | null };
  errorRate: number;
  status: number;
  latencyMs: number;
  dropConnection: boolean;
  forSeconds: number | null;
  createdAt: string;
  expiresAt: string | null;
  matched: number;
  failed: number;
}

export type FaultFailure = { kind: 'status'; status: number; faultId: string } | { kind: 'drop'; faultId: string };

export interface FaultDecision {
  latencyMs: number;
  failure: FaultFailure | null;
}

interface ActiveFault {
  fault: Fault;
  expiresAt: number | null;
}

/** Whether the n-th matching request (from 1) fails at this rate: floor(n*r) steps up. */
export function failsAt(matchCount: number, errorRate: number): boolean {
  if (errorRate >= 1) return true;
  if (errorRate <= 0) return false;
  return Math.floor(matchCount * errorRate) > Math.floor((matchCount - 1) * errorRate);
}

export function matches(fault: Fault, method: string, path: string): boolean {
  if (fault.match.method !== null && fault.match.method.toUpperCase() !== method.toUpperCase()) return false;
  // A substring match also covers a prefix such as "/v1/paystore_terminals/terminal_payments".
  return fault.match.path === null || path.includes(fault.match.path);
}

export class FaultInjector {
  private active: ActiveFault[] = [];
  private sequence = 0;

  add(spec: FaultSpec, now: number): Fault {
    this.sequence += 1;
    const failsByDefault = spec.status !== undefined || spec.dropConnection === true || !spec.latencyMs;
    const expiresAt = spec.forSeconds === undefined ? null : now + spec.forSeconds * 1000;
    const fault: Fault = {
      id: `fault-${this.sequence}`,
      match: { method: spec.match?.method ?? null, path: spec.match?.path ?? null },
      // A fault that only adds latency should not also fail requests unless asked to.
      errorRate: spec.errorRate ?? (failsByDefault ? 1 : 0),
      status: spec.status ?? 503,
      latencyMs: spec.latencyMs ?? 0,
      dropConnection: spec.dropConnection ?? false,
      forSeconds: spec.forSeconds ?? null,
      createdAt: new Date(now).toISOString(),
      expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString(),
      matched: 0,
      failed: 0,
    };
    this.active.push({ fault, expiresAt });
    return fault;
  }

  remove(id: string): boolean {
    const before = this.active.length;
    this.active = this.active.filter((entry) => entry.fault.id !== id);
    return this.active.length !== before;
  }

  clear(): void {
    this.active = [];
  }

  list(now: number): Fault[] {
    this.prune(now);
    return this.active.map((entry) => entry.fault);
  }

  /** What to do to this request: the latency of every matching fault, and the first failure. */
  decide(method: string, path: string, now: number): FaultDecision | null {
    if (this.active.length === 0) return null;
    this.prune(now);
    let latencyMs = 0;
    let failure: FaultFailure | null = null;
    let matched = false;
    for (const { fault } of this.active) {
      if (!matches(fault, method, path)) continue;
      matched = true;
      fault.matched += 1;
      latencyMs += fault.latencyMs;
      if (failure === null && failsAt(fault.matched, fault.errorRate)) {
        fault.failed += 1;
        failure = fault.dropConnection ? { kind: 'drop', faultId: fault.id } : { kind: 'status', status: fault.status, faultId: fault.id };
      }
    }
    return matched ? { latencyMs, failure } : null;
  }

  private prune(now: number): void {
    this.active = this.active.filter((entry) => entry.expiresAt === null || entry.expiresAt > now);
  }
}
