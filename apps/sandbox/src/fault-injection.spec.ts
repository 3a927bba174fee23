import { failsAt, FaultInjector } from './fault-injection';

const NOW = 1_700_000_000_000;

describe('failsAt', () => {
  it('fails exactly the given share of requests, evenly spread', () => {
    const outcomes = Array.from({ length: 10 }, (_, i) => failsAt(i + 1, 0.5));
    expect(outcomes).toEqual([false, true, false, true, false, true, false, true, false, true]);
    expect(Array.from({ length: 100 }, (_, i) => failsAt(i + 1, 0.3)).filter(Boolean)).toHaveLength(30);
  });

  it('always fails at rate 1 and never at rate 0', () => {
    expect([1, 2, 3].every((n) => failsAt(n, 1))).toBe(true);
    expect([1, 2, 3].some((n) => failsAt(n, 0))).toBe(false);
  });
});

describe('FaultInjector', () => {
  it('matches by method and by path substring, and answers the configured status', () => {
    const faults = new FaultInjector();
    faults.add({ match: { method: 'post', path: '/terminal_payments/payments' }, status: 500 }, NOW);
    expect(faults.decide('GET', '/v1/paystore_terminals/terminal_payments/payments/x', NOW)).toBeNull();
    expect(faults.decide('POST', '/v1/paystore_terminals/terminal_refunds/refunds', NOW)).toBeNull();
    expect(faults.decide('POST', '/v1/paystore_terminals/terminal_payments/payments', NOW)?.failure).toMatchObject({ kind: 'status', status: 500 });
  });

  it('defaults to failing every match with 503', () => {
    const faults = new FaultInjector();
    const fault = faults.add({}, NOW);
    expect(fault).toMatchObject({ errorRate: 1, status: 503 });
    expect(faults.decide('GET', '/anything', NOW)?.failure).toMatchObject({ status: 503 });
  });

  it('only delays when the fault has nothing but latency', () => {
    const faults = new FaultInjector();
    faults.add({ latencyMs: 250 }, NOW);
    expect(faults.decide('GET', '/v1/x', NOW)).toEqual({ latencyMs: 250, failure: null });
  });

  it('drops the connection when asked', () => {
    const faults = new FaultInjector();
    faults.add({ dropConnection: true }, NOW);
    expect(faults.decide('GET', '/v1/x', NOW)?.failure?.kind).toBe('drop');
  });

  it('expires after forSeconds', () => {
    const faults = new FaultInjector();
    faults.add({ forSeconds: 2 }, NOW);
    expect(faults.decide('GET', '/v1/x', NOW + 1_999)).not.toBeNull();
    expect(faults.decide('GET', '/v1/x', NOW + 2_000)).toBeNull();
    expect(faults.list(NOW + 2_000)).toEqual([]);
  });

  it('forgets removed and cleared faults', () => {
    const faults = new FaultInjector();
    const first = faults.add({}, NOW);
    faults.add({}, NOW);
    expect(faults.remove(first.id)).toBe(true);
    expect(faults.list(NOW)).toHaveLength(1);
    faults.clear();
    expect(faults.decide('GET', '/v1/x', NOW)).toBeNull();
  });
});
