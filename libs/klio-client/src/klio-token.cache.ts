// The access token: fetched on first use, shared by every call, renewed before it expires (never
// before half its life), fetched by one request however many callers wait, dropped on a 401.

export interface KlioToken {
  accessToken: string;
  expiresInSeconds: number;
}

export class KlioTokenCache {
  private cached: { token: string; renewAt: number } | null = null;
  private inFlight: Promise<string> | null = null;

  constructor(
    private readonly fetchToken: () => Promise<KlioToken>,
    private readonly renewBeforeSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.token;
    if (this.inFlight) return this.inFlight;
    const requestedAt = this.now();
    const flight = this.fetchToken().then(
      (t) => {
        const lifeMs = Math.max(0, t.expiresInSeconds) * 1000;
        const usable = Math.max(lifeMs - this.renewBeforeSeconds * 1000, lifeMs / 2);
        this.cached = { token: t.accessToken, renewAt: requestedAt + usable };
        this.inFlight = null;
        return t.accessToken;
      },
      (err: unknown) => {
        this.inFlight = null;
        throw err;
      },
    );
    this.inFlight = flight;
    return flight;
  }

  /** Forgets `stale` after Klio refused it; a newer token fetched meanwhile is kept. */
  invalidate(stale?: string): void {
    if (this.cached && (stale === undefined || this.cached.token === stale)) this.cached = null;
  }
}
