import { PaystoreToken, PaystoreTokenCache, usableForMs } from './paystore-token.cache';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('PayStore token lifetime', () => {
  it('renews a real one-hour token five minutes early', () => {
    expect(usableForMs(3600, 300)).toBe(3300 * 1000);
  });

  it('keeps using a short test token for half its life instead of fetching one per call', () => {
    expect(usableForMs(2, 300)).toBe(1000);
    expect(usableForMs(1, 300)).toBe(500);
  });

  it('never uses a token that has no lifetime', () => {
    expect(usableForMs(0, 300)).toBe(0);
    expect(usableForMs(Number.NaN, 300)).toBe(0);
  });

  it('ignores a negative renewal margin', () => {
    expect(usableForMs(100, -5)).toBe(100 * 1000);
  });
});

describe('PayStore token cache', () => {
  let now = 1_000_000;
  const clock = () => now;
  let issued = 0;

  beforeEach(() => {
    now = 1_000_000;
    issued = 0;
  });

  const issuing = (expiresInSeconds: number) => jest.fn(async (): Promise<PaystoreToken> => ({ accessToken: `t${++issued}`, expiresInSeconds }));

  it('fetches on first use and reuses the token until it is due for renewal', async () => {
    const fetchToken = issuing(3600);
    const cache = new PaystoreTokenCache({ fetchToken, renewBeforeSeconds: 300, now: clock });
    expect(fetchToken).not.toHaveBeenCalled();
    expect(await cache.get()).toBe('t1');
    now += 3299_000;
    expect(await cache.get()).toBe('t1');
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('renews early, before the provider would refuse the token', async () => {
    const fetchToken = issuing(3600);
    const cache = new PaystoreTokenCache({ fetchToken, renewBeforeSeconds: 300, now: clock });
    await cache.get();
    now += 3300_000;
    expect(await cache.get()).toBe('t2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('counts the time the token took to arrive against its lifetime', async () => {
    const pending = deferred<PaystoreToken>();
    const cache = new PaystoreTokenCache({ fetchToken: () => pending.promise, renewBeforeSeconds: 300, now: clock });
    const got = cache.get();
    now += 60_000;
    pending.resolve({ accessToken: 'slow', expiresInSeconds: 3600 });
    await got;
    expect(cache.renewsAt()).toBe(1_000_000 + 3300_000);
  });

  it('shares one token request among concurrent callers', async () => {
    const pending = deferred<PaystoreToken>();
    const fetchToken = jest.fn(() => pending.promise);
    const cache = new PaystoreTokenCache({ fetchToken, now: clock });
    const all = Promise.all([cache.get(), cache.get(), cache.get(), cache.get(), cache.get()]);
    pending.resolve({ accessToken: 'shared', expiresInSeconds: 3600 });
    expect(await all).toEqual(['shared', 'shared', 'shared', 'shared', 'shared']);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('lets every waiter see a failed token request, then tries again on the next call', async () => {
    const fetchToken = jest
      .fn<Promise<PaystoreToken>, []>()
      .mockRejectedValueOnce(new Error('token endpoint down'))
      .mockResolvedValueOnce({ accessToken: 'second', expiresInSeconds: 3600 });
    const cache = new PaystoreTokenCache({ fetchToken, now: clock });
    const results = await Promise.allSettled([cache.get(), cache.get()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(await cache.get()).toBe('second');
  });

  it('drops a token the provider refused, so the next call fetches a new one', async () => {
    const fetchToken = issuing(3600);
    const cache = new PaystoreTokenCache({ fetchToken, now: clock });
    const stale = await cache.get();
    cache.invalidate(stale);
    expect(await cache.get()).toBe('t2');
  });

  it('keeps a newer token when an older one is reported stale', async () => {
    const fetchToken = issuing(3600);
    const cache = new PaystoreTokenCache({ fetchToken, now: clock });
    const first = await cache.get();
    cache.invalidate(first);
    const second = await cache.get();
    cache.invalidate(first);
    expect(await cache.get()).toBe(second);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('works with a 1 s token: reused within half a second, renewed after', async () => {
    const fetchToken = issuing(1);
    const cache = new PaystoreTokenCache({ fetchToken, renewBeforeSeconds: 300, now: clock });
    expect(await cache.get()).toBe('t1');
    now += 400;
    expect(await cache.get()).toBe('t1');
    now += 100;
    expect(await cache.get()).toBe('t2');
  });
});
