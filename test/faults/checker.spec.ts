// The fault matrix's checker on small hand-made runs: a clean one passes, and each kind of damage a
// fault can do (a duplicate intent, a lost payment, a stuck operation, a missed event, a slow
// resume, an inconsistent idempotent answer) fails its own row.
import { checkFaultRun, FaultRunInput, formatVerdict } from './checker';

function cleanRun(): FaultRunInput {
  return {
    planned: [
      { id: 'pay_1', type: 'payment', label: 'payment …00', expected: 'approved' },
      { id: 'pay_2', type: 'payment', label: 'payment …05', expected: 'rejected' },
      { id: 'pay_3', type: 'payment', label: 'payment …10', expected: 'failed', expectedFailure: 'PAYSTORE.UNAVAILABLE' },
    ],
    operations: [
      { id: 'pay_1', type: 'payment', status: 'approved', providerId: 'p1', failureCode: null },
      { id: 'pay_2', type: 'payment', status: 'rejected', providerId: 'p2', failureCode: 'PAYMENT.DECLINED' },
      { id: 'pay_3', type: 'payment', status: 'failed', providerId: null, failureCode: 'PAYSTORE.UNAVAILABLE' },
    ],
    providerIntents: { pay_1: 1, pay_2: 1 },
    providerCreates: [
      { reference: 'pay_1', status: 201 },
      { reference: 'pay_2', status: null },
      { reference: 'pay_3', status: 503 },
    ],
    outbox: [
      { id: 'evt_1', type: 'payment.accepted', subject: 'pay_1', published: true },
      { id: 'evt_2', type: 'payment.approved', subject: 'pay_1', published: true },
    ],
    consumers: [
      { name: 'sse', expected: ['evt_1', 'evt_2'], received: ['evt_1', 'evt_2', 'evt_2'] },
      { name: 'accounting', expected: ['pay_1'], received: ['pay_1'], forbidden: ['pay_2', 'pay_3'] },
    ],
    leftovers: [
      { what: 'payments jobs waiting', count: 0 },
      { what: 'open operations', count: 0 },
    ],
    resumes: [
      { kill: 'mid-submit', operationId: 'pay_1', ms: 11_000 },
      { kill: 'mid-poll', operationId: 'pay_2', ms: 9_000 },
    ],
    resumeLimitMs: 15_000,
    kills: ['mid-submit', 'mid-poll'],
    idempotency: [{ key: 'same-20', answers: [{ status: 202, id: 'pay_1' }, { status: 200, id: 'pay_1' }], operations: 1 }],
    createMaxAttempts: 5,
  };
}

function failedChecks(input: FaultRunInput): string[] {
  return checkFaultRun(input)
    .rows.filter((r) => !r.ok)
    .map((r) => r.check);
}

describe('fault run checker', () => {
  it('passes a clean run, duplicates of events allowed', () => {
    const verdict = checkFaultRun(cleanRun());
    expect(verdict.rows.filter((r) => !r.ok)).toEqual([]);
    expect(verdict.ok).toBe(true);
    expect(formatVerdict(verdict)).toContain('consumer sse');
    expect(verdict.rows.find((r) => r.check === 'consumer sse')?.figures).toBe('2/2 received, 1 duplicates');
  });

  it('fails an operation that is not final, also in the outcome row', () => {
    const run = cleanRun();
    run.operations = run.operations.map((op) => (op.id === 'pay_1' ? { ...op, status: 'pending' } : op));
    expect(failedChecks(run)).toEqual(['operations final', 'outcome as the amount dictates']);
  });

  it('fails an outcome other than the amount dictates', () => {
    const run = cleanRun();
    run.operations = run.operations.map((op) => (op.id === 'pay_2' ? { ...op, status: 'approved', failureCode: null } : op));
    const verdict = checkFaultRun(run);
    expect(verdict.ok).toBe(false);
    expect(formatVerdict(verdict)).toMatch(/pay_2 \(payment …05\) is approved, expected rejected/);
  });

  it('fails the right status with the wrong failure code', () => {
    const run = cleanRun();
    run.operations = run.operations.map((op) => (op.id === 'pay_3' ? { ...op, failureCode: 'PROVIDER.OUTCOME_UNKNOWN' } : op));
    expect(failedChecks(run)).toEqual(['outcome as the amount dictates']);
  });

  it('accepts PAYSTORE.UNAVAILABLE only when the provider refused every allowed create and holds nothing', () => {
    const run = cleanRun();
    run.operations = run.operations.map((op) =>
      op.id === 'pay_1' ? { ...op, status: 'failed', providerId: null, failureCode: 'PAYSTORE.UNAVAILABLE' } : op,
    );
    run.providerIntents = { pay_2: 1 };
    run.providerCreates = [...run.providerCreates.filter((c) => c.reference !== 'pay_1'), ...Array(5).fill({ reference: 'pay_1', status: 503 })];
    const verdict = checkFaultRun(run);
    expect(verdict.ok).toBe(true);
    expect(verdict.rows[1].figures).toContain('1 failed after 5 refused creates');

    run.providerCreates = run.providerCreates.slice(0, -1); // only four refusals: not justified
    expect(failedChecks(run)).toEqual(['outcome as the amount dictates']);
  });

  it('accepts PROVIDER.OUTCOME_UNKNOWN only for an operation a killed worker held, that the provider never got', () => {
    const run = cleanRun();
    run.operations = run.operations.map((op) =>
      op.id === 'pay_1' ? { ...op, status: 'failed', providerId: null, failureCode: 'PROVIDER.OUTCOME_UNKNOWN' } : op,
    );
    run.providerIntents = { pay_2: 1 };
    run.providerCreates = [{ reference: 'pay_1', status: null }, ...run.providerCreates.filter((c) => c.reference !== 'pay_1')];
    expect(failedChecks(run)).toEqual(['outcome as the amount dictates']); // not held by a killed worker

    run.interrupted = ['pay_1'];
    const verdict = checkFaultRun(run);
    expect(verdict.ok).toBe(true);
    expect(verdict.rows[1].figures).toContain('1 failed PROVIDER.OUTCOME_UNKNOWN after a lost create answer');

    run.providerIntents = { pay_1: 1, pay_2: 1 }; // the provider has it: a payment lost to us
    expect(failedChecks(run)).toEqual(['outcome as the amount dictates', 'one intent per operation at the provider']);
  });

  it('fails an operation planned but never stored, or stored but never planned', () => {
    const run = cleanRun();
    run.operations = [...run.operations.slice(1), { id: 'pay_9', type: 'payment', status: 'approved', providerId: null, failureCode: null }];
    const verdict = checkFaultRun(run);
    expect(formatVerdict(verdict)).toMatch(/planned but not stored: pay_1/);
    expect(formatVerdict(verdict)).toMatch(/stored but never planned: pay_9/);
  });

  it('fails a second intent at the provider for one operation', () => {
    const run = cleanRun();
    run.providerIntents = { pay_1: 2, pay_2: 1 };
    expect(failedChecks(run)).toEqual(['one intent per operation at the provider']);
    expect(formatVerdict(checkFaultRun(run))).toMatch(/created more than once: pay_1 ×2/);
  });

  it('fails two accepted creates of one reference even when the ledger shows one', () => {
    const run = cleanRun();
    run.providerCreates = [...run.providerCreates, { reference: 'pay_1', status: 201 }];
    expect(failedChecks(run)).toEqual(['one intent per operation at the provider']);
  });

  it('fails an intent at the provider that its operation never adopted (a lost payment)', () => {
    const run = cleanRun();
    run.providerIntents = { ...run.providerIntents, pay_3: 1 };
    expect(formatVerdict(checkFaultRun(run))).toMatch(/never adopted: pay_3 \(failed\)/);
  });

  it('fails a provider id the provider does not hold', () => {
    const run = cleanRun();
    run.providerIntents = { pay_1: 1 };
    expect(formatVerdict(checkFaultRun(run))).toMatch(/ledger disagrees: pay_2 \(0 intents\)/);
  });

  it('fails an unpublished outbox row', () => {
    const run = cleanRun();
    run.outbox = [...run.outbox, { id: 'evt_3', type: 'payment.pending', subject: 'pay_2', published: false }];
    expect(failedChecks(run)).toEqual(['outbox published']);
  });

  it('fails a consumer missing one event, and a journal booking what it must not', () => {
    const run = cleanRun();
    run.consumers = [
      { name: 'sse', expected: ['evt_1', 'evt_2'], received: ['evt_2', 'evt_2'] },
      { name: 'accounting', expected: ['pay_1'], received: ['pay_1', 'pay_2'], forbidden: ['pay_2'] },
    ];
    const verdict = checkFaultRun(run);
    expect(verdict.rows.filter((r) => !r.ok).map((r) => r.check)).toEqual(['consumer sse', 'consumer accounting']);
    expect(formatVerdict(verdict)).toMatch(/missing 1: evt_1/);
    expect(formatVerdict(verdict)).toMatch(/should not have: pay_2/);
  });

  it('fails jobs or operations left behind', () => {
    const run = cleanRun();
    run.leftovers = [{ what: 'payments jobs active', count: 2 }];
    expect(failedChecks(run)).toEqual(['nothing left behind']);
  });

  it('fails a resume slower than the limit, one that never came, and a kill with nothing measured', () => {
    const slow = cleanRun();
    slow.resumes = [...slow.resumes, { kill: 'mid-poll', operationId: 'pay_3', ms: 15_001 }];
    expect(formatVerdict(checkFaultRun(slow))).toMatch(/mid-poll: resumed late: pay_3 15001 ms/);

    const never = cleanRun();
    never.resumes = [...never.resumes, { kill: 'mid-submit', operationId: 'pay_3', ms: null }];
    expect(formatVerdict(checkFaultRun(never))).toMatch(/mid-submit: never resumed: pay_3/);

    const nothing = cleanRun();
    nothing.resumes = nothing.resumes.filter((r) => r.kill !== 'mid-poll');
    expect(formatVerdict(checkFaultRun(nothing))).toMatch(/mid-poll: no operation was active/);
  });

  it('fails an idempotent burst whose answers name two operations, or a 5xx, or two stored', () => {
    const run = cleanRun();
    run.idempotency = [
      { key: 'a', answers: [{ status: 202, id: 'pay_1' }, { status: 202, id: 'pay_2' }], operations: 1 },
      { key: 'b', answers: [{ status: 202, id: 'pay_1' }, { status: 500, id: 'pay_1' }], operations: 1 },
      { key: 'c', answers: [{ status: 202, id: 'pay_1' }], operations: 2 },
    ];
    expect(failedChecks(run)).toEqual(['idempotency key a', 'idempotency key b', 'idempotency key c']);
  });
});
