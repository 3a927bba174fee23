// The fault matrix's checker on small hand-made runs: a clean one passes, and each kind of damage a
// fault can do (a duplicate intent, a lost payment, a stuck operation, a missed event, a slow
// resume, an inconsistent idempotent answer) fails its own row.
import { checkFaultRun, FaultRunInput, formatVerdict, klioStatusesFor } from './checker';

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

/** The clean run, plus Klio and pagoUno operations as a matrix run sees them, all in agreement. */
function runWithKlioAndPagouno(): FaultRunInput {
  const run = cleanRun();
  run.planned = [
    ...run.planned,
    { id: 'klio_1', type: 'payment', label: 'Klio …00', expected: 'approved' },
    { id: 'klio_2', type: 'payment', label: 'Klio …05', expected: 'rejected', expectedFailure: 'PAYMENT.DECLINED' },
    { id: 'klio_3', type: 'payment', label: 'Klio …10', expected: 'failed', expectedFailure: 'PAYSTORE.UNAVAILABLE' },
    { id: 'klio_r1', type: 'reversal', label: 'Klio annulment of …00', expected: 'approved' },
    { id: 'klio_q1', type: 'payment', label: 'Klio QR …05', expected: 'rejected', expectedFailure: 'PAYMENT.DECLINED' },
    { id: 'pu_1', type: 'payment', label: 'pagoUno split approved', expected: 'approved' },
    { id: 'pu_2', type: 'payment', label: 'pagoUno split, one card declined', expected: 'rejected', expectedFailure: 'PAYMENT.DECLINED' },
    { id: 'pu_r1', type: 'reversal', label: 'pagoUno annulment', expected: 'approved' },
  ];
  run.operations = [
    ...run.operations,
    { id: 'klio_1', type: 'payment', status: 'approved', providerId: '11', failureCode: null, provider: 'klio' },
    { id: 'klio_2', type: 'payment', status: 'rejected', providerId: '12', failureCode: 'PAYMENT.DECLINED', provider: 'klio' },
    { id: 'klio_3', type: 'payment', status: 'failed', providerId: null, failureCode: 'PAYSTORE.UNAVAILABLE', provider: 'klio' },
    { id: 'klio_r1', type: 'reversal', status: 'approved', providerId: '13', failureCode: null, provider: 'klio', paymentId: 'klio_1' },
    { id: 'klio_q1', type: 'payment', status: 'rejected', providerId: '14', failureCode: 'PAYMENT.DECLINED', provider: 'klio' },
    {
      id: 'pu_1',
      type: 'payment',
      status: 'approved',
      providerId: 'T1',
      failureCode: null,
      provider: 'pagouno',
      transactions: [
        { id: 'T1', status: 'approved' },
        { id: 'T2', status: 'approved' },
      ],
    },
    {
      id: 'pu_2',
      type: 'payment',
      status: 'rejected',
      providerId: 'T3',
      failureCode: 'PAYMENT.DECLINED',
      provider: 'pagouno',
      transactions: [
        { id: 'T3', status: 'reversed' },
        { id: 'T4', status: 'declined' },
      ],
    },
    { id: 'pu_r1', type: 'reversal', status: 'approved', providerId: 'pu_r1', failureCode: null, provider: 'pagouno', paymentId: 'pu_1' },
  ];
  run.providerCreates = [
    ...run.providerCreates,
    { reference: 'klio_1', status: 200 },
    { reference: 'klio_2', status: 200 },
    ...Array(5).fill({ reference: 'klio_3', status: 503 }),
    { reference: 'klio_r1', status: 200 },
    { reference: 'klio_q1', status: 200 },
    { reference: 'pu_1', status: null },
    { reference: 'pu_2', status: 200 },
  ];
  run.klioTasks = [
    { taskId: '11', originID: 'klio_1', operationType: 'PAYMENT', status: 'Completed', voucher: 'APPROVED' },
    { taskId: '12', originID: 'klio_2', operationType: 'PAYMENT', status: 'Completed', voucher: 'REJECTED' },
    { taskId: '13', originID: 'klio_r1', operationType: 'ANNULMENT', status: 'Completed', voucher: 'APPROVED' },
    { taskId: '14', originID: 'klio_q1', operationType: 'PAYMENT', status: 'Completed', voucher: 'EXPIRED' },
  ];
  run.pagounoCharges = [
    // The answer of the first never came (…09); the lookup found it, nothing was sent again.
    { reference: 'pu_1', identificator: 'pu_1', status: null },
    { reference: 'pu_2', identificator: 'pu_2', status: 503 },
    { reference: 'pu_2', identificator: 'pu_2', status: 200 },
  ];
  run.pagounoGroups = [
    {
      reference: 'pu_1',
      success: true,
      transactions: [
        { id: 'T1', success: true, reversed: false, annulled: true },
        { id: 'T2', success: true, reversed: false, annulled: true },
      ],
    },
    {
      reference: 'pu_2',
      success: false,
      transactions: [
        { id: 'T3', success: true, reversed: true, annulled: false },
        { id: 'T4', success: false, reversed: false, annulled: false },
      ],
    },
  ];
  run.pagounoAdjustments = [
    { reference: 'pu_r1', transactionId: 'T1', type: 'annulment', success: true },
    { reference: 'pu_r1', transactionId: 'T2', type: 'annulment', success: true },
  ];
  return run;
}

function problemsOf(input: FaultRunInput, check: string): string {
  return checkFaultRun(input)
    .rows.filter((r) => r.check === check)
    .flatMap((r) => r.problems)
    .join('\n');
}

describe('fault run checker: Klio SmartPos and pagoUno', () => {
  const KLIO_TASKS = 'Klio: one task per originID';
  const KLIO_STATUS = 'Klio: status as the task ended';
  const PU_CHARGES = 'pagoUno: one charge per external reference';
  const PU_REVERSED = 'pagoUno: rejected split reversed';
  const PU_ANNULLED = 'pagoUno: annulments annul every transaction once';

  it('passes a clean run with Klio and pagoUno operations, each provider with its own rows', () => {
    const verdict = checkFaultRun(runWithKlioAndPagouno());
    expect(verdict.rows.filter((r) => !r.ok)).toEqual([]);
    const checks = verdict.rows.map((r) => r.check);
    expect(checks).toEqual(expect.arrayContaining([KLIO_TASKS, KLIO_STATUS, PU_CHARGES, PU_REVERSED, PU_ANNULLED]));
    expect(verdict.rows.find((r) => r.check === KLIO_TASKS)?.figures).toBe('4 with one task, 1 with none, 4 tasks at Klio');
    expect(verdict.rows.find((r) => r.check === PU_REVERSED)?.figures).toBe('1 rejected splits, 1 transactions reversed');
    // PayStore's row counts PayStore's operations only.
    expect(verdict.rows.find((r) => r.check === 'one intent per operation at the provider')?.figures).toMatch(/^2 with one intent, 1 with none/);
  });

  it('has no Klio or pagoUno rows in a PayStore-only run', () => {
    const checks = checkFaultRun(cleanRun()).rows.map((r) => r.check);
    expect(checks.filter((c) => c.startsWith('Klio') || c.startsWith('pagoUno'))).toEqual([]);
  });

  it('fails Klio and pagoUno operations whose ledger was not collected', () => {
    const run = runWithKlioAndPagouno();
    delete run.klioTasks;
    delete run.pagounoGroups;
    expect(problemsOf(run, KLIO_TASKS)).toMatch(/no Klio ledger collected/);
    expect(problemsOf(run, PU_CHARGES)).toMatch(/no pagoUno ledger collected \(groups\)/);
  });

  it('fails two Klio tasks with one originID', () => {
    const run = runWithKlioAndPagouno();
    run.klioTasks = [...(run.klioTasks ?? []), { taskId: '21', originID: 'klio_1', operationType: 'PAYMENT', status: 'Completed', voucher: 'APPROVED' }];
    expect(failedChecks(run)).toEqual([KLIO_TASKS]);
    expect(problemsOf(run, KLIO_TASKS)).toMatch(/sent to Klio more than once: klio_1 ×2 \(tasks 11, 21\)/);
  });

  it('fails two accepted tasks-requests of one originID even when Klio shows one task', () => {
    const run = runWithKlioAndPagouno();
    run.providerCreates = [...run.providerCreates, { reference: 'klio_r1', status: 200 }];
    expect(failedChecks(run)).toEqual([KLIO_TASKS]);
    expect(problemsOf(run, KLIO_TASKS)).toMatch(/klio_r1 accepted 2 tasks-requests/);
  });

  it('fails a Klio task its operation never adopted (a payment lost to us)', () => {
    const run = runWithKlioAndPagouno();
    run.klioTasks = [...(run.klioTasks ?? []), { taskId: '31', originID: 'klio_3', operationType: 'PAYMENT', status: 'Completed', voucher: 'APPROVED' }];
    expect(failedChecks(run)).toContain(KLIO_TASKS);
    expect(problemsOf(run, KLIO_TASKS)).toMatch(/never adopted: klio_3 \(failed; task 31 Completed\)/);
  });

  it('fails a Klio provider id that is no task of the operation, and a task for no operation of the run', () => {
    const run = runWithKlioAndPagouno();
    run.operations = run.operations.map((op) => (op.id === 'klio_1' ? { ...op, providerId: '12' } : op));
    run.klioTasks = [...(run.klioTasks ?? []), { taskId: '99', originID: 'op_elsewhere', operationType: 'PAYMENT', status: 'Created', voucher: null }];
    const problems = problemsOf(run, KLIO_TASKS);
    expect(problems).toMatch(/Klio holds no such task of the operation: klio_1 \(task 12\)/);
    expect(problems).toMatch(/task for no Klio operation of the run: task 99 \(op_elsewhere\)/);
  });

  it('fails a Klio status the task does not bear out', () => {
    const approvedButRejected = runWithKlioAndPagouno();
    approvedButRejected.klioTasks = approvedButRejected.klioTasks?.map((t) => (t.taskId === '11' ? { ...t, voucher: 'REJECTED' } : t));
    expect(failedChecks(approvedButRejected)).toEqual([KLIO_STATUS]);
    expect(problemsOf(approvedButRejected, KLIO_STATUS)).toMatch(/klio_1 approved, its task 11 ended Completed\/REJECTED/);

    const stillRunning = runWithKlioAndPagouno();
    stillRunning.klioTasks = stillRunning.klioTasks?.map((t) => (t.taskId === '13' ? { ...t, status: 'InProgress', voucher: null } : t));
    expect(problemsOf(stillRunning, KLIO_STATUS)).toMatch(/klio_r1 approved while its task 13 is InProgress/);

    const noTask = runWithKlioAndPagouno();
    noTask.klioTasks = noTask.klioTasks?.filter((t) => t.taskId !== '11');
    noTask.operations = noTask.operations.map((op) => (op.id === 'klio_1' ? { ...op, providerId: null } : op));
    expect(failedChecks(noTask)).toEqual([KLIO_STATUS]);
    expect(problemsOf(noTask, KLIO_STATUS)).toMatch(/klio_1 approved, but Klio holds no task of it/);
  });

  it('reads Klio tasks as the wire notes map them', () => {
    const task = (status: string, voucher: string | null) => ({ taskId: '1', originID: 'x', operationType: 'PAYMENT', status, voucher });
    expect(klioStatusesFor(task('Completed', 'APPROVED'), false)).toEqual(['approved']);
    expect(klioStatusesFor(task('Completed', 'COLLECTED'), false)).toEqual(['approved']);
    expect(klioStatusesFor(task('Completed', 'EXPIRED'), false)).toEqual(['rejected']);
    expect(klioStatusesFor(task('Completed', 'REJECTED'), false)).toEqual(['rejected']);
    expect(klioStatusesFor(task('Completed', null), false)).toEqual(['failed']);
    expect(klioStatusesFor(task('Failed', null), false)).toEqual(['failed']);
    expect(klioStatusesFor(task('Canceled', null), false)).toEqual(['cancelled', 'expired']);
    expect(klioStatusesFor(task('Processed', 'APPROVED'), false)).toBeNull();
    expect(klioStatusesFor(task('Created', null), true)).toBeNull();
    expect(klioStatusesFor(task('Completed', 'COLLECTED'), true)).toEqual(['approved']);
    expect(klioStatusesFor(task('Completed', 'REJECTED'), true)).toEqual(['rejected']);
    expect(klioStatusesFor(task('Failed', null), true)).toEqual(['failed']);
  });

  it('accepts a Klio PROVIDER.OUTCOME_UNKNOWN only for an interrupted submit Klio holds nothing of', () => {
    const run = runWithKlioAndPagouno();
    run.operations = run.operations.map((op) => (op.id === 'klio_3' ? { ...op, failureCode: 'PROVIDER.OUTCOME_UNKNOWN' } : op));
    run.providerCreates = [...run.providerCreates.filter((c) => c.reference !== 'klio_3'), { reference: 'klio_3', status: null }];
    expect(failedChecks(run)).toEqual(['outcome as the amount dictates']);

    run.interrupted = ['klio_3'];
    expect(checkFaultRun(run).ok).toBe(true);

    run.klioTasks = [...(run.klioTasks ?? []), { taskId: '31', originID: 'klio_3', operationType: 'PAYMENT', status: 'Created', voucher: null }];
    expect(failedChecks(run)).toEqual(['outcome as the amount dictates', KLIO_TASKS, KLIO_STATUS]);
  });

  it('accepts a Klio PAYSTORE.UNAVAILABLE only after every allowed submit was refused', () => {
    const run = runWithKlioAndPagouno();
    run.planned = run.planned.map((p) => (p.id === 'klio_3' ? { ...p, expected: 'approved', expectedFailure: undefined } : p));
    expect(checkFaultRun(run).rows[1].figures).toContain('1 failed after 5 refused creates');
    run.providerCreates = run.providerCreates.filter((c, i, all) => !(c.reference === 'klio_3' && all.findIndex((x) => x.reference === 'klio_3') === i));
    expect(failedChecks(run)).toEqual(['outcome as the amount dictates']);
  });

  it('fails a pagoUno charge sent under two identificators, or answered twice', () => {
    const identificators = runWithKlioAndPagouno();
    identificators.pagounoCharges = [...(identificators.pagounoCharges ?? []), { reference: 'pu_1', identificator: 'pu_1-again', status: null }];
    expect(failedChecks(identificators)).toEqual([PU_CHARGES]);
    expect(problemsOf(identificators, PU_CHARGES)).toMatch(/pu_1 charged under 2 identificators/);

    const answered = runWithKlioAndPagouno();
    answered.pagounoCharges = [...(answered.pagounoCharges ?? []), { reference: 'pu_2', identificator: 'pu_2', status: 200 }];
    expect(problemsOf(answered, PU_CHARGES)).toMatch(/pu_2 2 charges answered/);

    // Refusals (5xx) create nothing: resending after them is what the lifecycle does.
    const refused = runWithKlioAndPagouno();
    refused.pagounoCharges = [{ reference: 'pu_2', identificator: 'pu_2', status: 503 }, ...(refused.pagounoCharges ?? [])];
    expect(failedChecks(refused)).toEqual([]);
  });

  it('fails a pagoUno charge its payment never adopted, a provider id pagoUno does not hold, and a status the group contradicts', () => {
    const orphan = runWithKlioAndPagouno();
    orphan.operations = orphan.operations.map((op) => (op.id === 'pu_2' ? { ...op, providerId: null } : op));
    expect(problemsOf(orphan, PU_CHARGES)).toMatch(/never adopted: pu_2 \(rejected\)/);

    const unknown = runWithKlioAndPagouno();
    unknown.pagounoGroups = unknown.pagounoGroups?.filter((g) => g.reference !== 'pu_2');
    expect(problemsOf(unknown, PU_CHARGES)).toMatch(/pagoUno holds no charge: pu_2/);

    const contradicted = runWithKlioAndPagouno();
    contradicted.pagounoGroups = contradicted.pagounoGroups?.map((g) => (g.reference === 'pu_1' ? { ...g, success: false } : g));
    expect(problemsOf(contradicted, PU_CHARGES)).toMatch(/pu_1 approved, its group failed/);
  });

  it('fails a rejected split with a transaction still charged at pagoUno, or recorded approved', () => {
    const atPagouno = runWithKlioAndPagouno();
    atPagouno.pagounoGroups = atPagouno.pagounoGroups?.map((g) =>
      g.reference === 'pu_2' ? { ...g, transactions: g.transactions.map((t) => (t.id === 'T3' ? { ...t, reversed: false } : t)) } : g,
    );
    expect(failedChecks(atPagouno)).toEqual([PU_REVERSED]);
    expect(problemsOf(atPagouno, PU_REVERSED)).toMatch(/pu_2 transaction T3 still charged at pagoUno/);

    const inOurRecord = runWithKlioAndPagouno();
    inOurRecord.operations = inOurRecord.operations.map((op) =>
      op.id === 'pu_2' ? { ...op, transactions: [{ id: 'T3', status: 'approved' }, { id: 'T4', status: 'declined' }] } : op,
    );
    expect(failedChecks(inOurRecord)).toEqual([PU_REVERSED]);
    expect(problemsOf(inOurRecord, PU_REVERSED)).toMatch(/pu_2 records transaction T3 approved/);
  });

  it('fails an approved pagoUno annulment that left a transaction charged, or annulled one twice', () => {
    const left = runWithKlioAndPagouno();
    left.pagounoGroups = left.pagounoGroups?.map((g) =>
      g.reference === 'pu_1' ? { ...g, transactions: g.transactions.map((t) => (t.id === 'T2' ? { ...t, annulled: false } : t)) } : g,
    );
    expect(failedChecks(left)).toEqual([PU_ANNULLED]);
    expect(problemsOf(left, PU_ANNULLED)).toMatch(/pu_r1: payment pu_1 still charged at pagoUno \(T2\)/);

    const twice = runWithKlioAndPagouno();
    twice.pagounoAdjustments = [...(twice.pagounoAdjustments ?? []), { reference: 'pu_r9', transactionId: 'T1', type: 'annulment', success: true }];
    expect(problemsOf(twice, PU_ANNULLED)).toMatch(/transaction T1 annulled 2 times \(pu_r1, pu_r9\)/);
  });
});
