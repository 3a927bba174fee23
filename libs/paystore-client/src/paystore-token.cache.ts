// The OAuth client-credentials token: fetched on first use, shared by every call, renewed before
// it expires, fetched by one request however many callers wait for it, and dropped when the
// provider says it is stale (401). Pure logic: the fetch itself and the clock are injected.

export interface PaystoreToken {
  accessToken: string;
  /** Lifetime the provider granted, in seconds. */
  expiresInSeconds: number;
}

export interface PaystoreTokenCacheOptions {
  fetchToken: () => Promise<PaystoreToken>;
  /** Renew this many seconds before expiry (default 300), but see `usableForMs`. */
  renewBeforeSeconds?: number;
  now?: () => number;
}

interface Cached {
  accessToken: string;
  renewAt: number;
}

/**
 * How long a token is used before it is renewed: its lifetime minus the renewal margin, but never
 * less than half its lifetime. With the real ~3600 s tokens and the 300 s margin that is 55 min;
 * a 2 s test token is used for 1 s rather than being fetched anew for every call (a plain
 * `expires_in - margin` would go negative). The clock starts when the token was requested, not
 * when it arrived, so the time it took to arrive is counted against it.
 */
export function usableForMs(expiresInSeconds: number, renewBeforeSeconds: number): number {
  if (!Number.isFinite(expiresInSeconds) || expiresInSeconds <= 0) return 0;
  const margin = Math.max(0, Number.isFinite(renewBeforeSeconds) ? renewBeforeSeconds : 0);
  return Math.max(expiresInSeconds - margin, expiresInSeconds / 2) * 1000;
}

export class PaystoreTokenCache {
  private readonly fetchToken: () => Promise<PaystoreToken>;
  private readonly renewBeforeSeconds: number;
  private readonly now: () => number;
  private cached: Cached | null = null;
  private inFlight: Promise<Cached> | null = null;

  constructor(options: PaystoreTokenCacheOptions) {
    this.fetchToken = options.fetchToken;
    this.renewBeforeSeconds = options.renewBeforeSeconds ?? 300;
    this.now = options.now ?? Date.now;
  }

  /** A token that is not due for renewal; fetches one (once, for all waiting callers) if needed. */
  async get(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.renewAt) return cached.accessToken;
    return (await this.refresh()).accessToken;
  }

  /**
   * Forgets `staleToken` after the provider refused it. A token that differs from it was fetched
   * by someone else in the meantime and is kept.
   */
  invalidate(staleToken?: string): void {
    if (this.cached && (staleToken === undefined || this.cached.accessToken === staleToken)) {
      this.cached = null;
    }
  }

  /** When the current token is due for renewal (epoch ms), if there is one. */
  renewsAt(): number | undefined {
    return this.cached?.renewAt;
  }

  private refresh(): Promise<Cached> {
    if (this.inFlight) return this.inFlight;
    const requestedAt = this.now();
    const flight = this.fetchToken().then(
      (token) => {
        const next: Cached = {
          accessToken: token.accessToken,
          renewAt: requestedAt + usableForMs(token.expiresInSeconds, this.renewBeforeSeconds),
        };
        this.cached = next;
        this.inFlight = null;
        return next;
      },
      (err: unknown) => {
        this.inFlight = null;
        throw err;
      },
    );
    this.inFlight = flight;
    return flight;
  }
}
