import type { OperationView } from '@app/contracts';
import { HOMOLOGATION_CASES, HomologationCase, terminalsNeeded } from '../../scripts/homologation/homologation.cases';
import { describeOutcome, evaluateCase, valueAt } from '../../scripts/homologation/homologation.evaluate';
import { reached } from '../../scripts/homologation/homologation.runner';

const op = (fields: Partial<OperationView>) => ({ status: 'approved', provider: 'paystore', providerId: 'p-1', failure: null, ...fields }) as OperationView;

const spec = (fields: Partial<HomologationCase>): HomologationCase => ({
  id: 'c',
  provider: 'paystore',
  title: 'c',
  caso: 'c',
  expected: 'c',
  steps: [],
  outcome: { payment: 'approved' },
  checks: [],
  ...fields,
});

describe('judging a case', () => {
  it('passes when every operation ended as expected with a provider id and every check holds', () => {
    const verdict = evaluateCase(
      spec({ checks: [{ op: 'payment', path: 'installments', is: 3 }] }),
      [{ as: 'payment', view: op({ id: 'pay_1', installments: 3 }) }],
      null,
    );
    expect(verdict).toEqual({ passed: true, problems: [] });
  });

  it('fails an operation that ended in another status, naming its failure', () => {
    const verdict = evaluateCase(spec({}), [
      { as: 'payment', view: op({ id: 'pay_1', status: 'rejected', failure: { code: 'PAYMENT.DECLINED', message: 'DENEGADA' } }) },
    ], null);
    expect(verdict.passed).toBe(false);
    expect(verdict.problems).toEqual(['payment pay_1 ended rejected (PAYMENT.DECLINED: DENEGADA), expected approved']);
  });

  it('fails an operation without the provider id, since that id is what the provider asks for', () => {
    const verdict = evaluateCase(spec({}), [{ as: 'payment', view: op({ id: 'pay_1', providerId: null }) }], null);
    expect(verdict.problems).toEqual(['payment pay_1 has no provider id']);
  });

  it('fails when a step broke, and does not also blame the operations the step never made', () => {
    const verdict = evaluateCase(spec({ outcome: { payment: 'approved', reversal: 'approved' } }), [
      { as: 'payment', view: op({ id: 'pay_1' }) },
    ], 'POST /v1/reversals answered 404');
    expect(verdict.problems).toEqual(['POST /v1/reversals answered 404']);
  });

  it("fails an operation that went to another provider than the case's", () => {
    const verdict = evaluateCase(spec({ provider: 'klio' }), [{ as: 'payment', view: op({ id: 'pay_1', provider: 'paystore' }) }], null);
    expect(verdict.problems).toEqual(['payment pay_1 went to paystore, expected klio']);
  });

  it('reads an item of an array by its index, as the split checks do', () => {
    const split = op({ transactions: [{ id: 'tx-1', merchantCode: 'M1', amount: 1000, status: 'reversed' }] });
    expect(valueAt(split, 'transactions.0.status')).toBe('reversed');
    expect(valueAt(split, 'transactions.1.status')).toBeUndefined();
  });

  it('fails when an expected operation was never created though every step ran', () => {
    expect(evaluateCase(spec({}), [], null).problems).toEqual(['no payment was created']);
  });

  it('lists every broken check, not only the first', () => {
    const verdict = evaluateCase(
      spec({
        outcome: { payment: 'approved', reversal: 'approved' },
        checks: [
          { op: 'payment', path: 'card.brand', is: 'amex' },
          { op: 'payment', path: 'authorizationCode', set: true },
          { op: 'payment', path: 'reversalId', idOf: 'reversal' },
          { op: 'payment', path: 'terminalId', among: 'terminalIds' },
          { op: 'payment', path: 'terminalIds', count: 3 },
        ],
      }),
      [
        {
          as: 'payment',
          view: op({ id: 'pay_1', card: { brand: 'visa', bin: null, last4: null, entryMode: null }, authorizationCode: '', reversalId: null, terminalId: '3', terminalIds: ['1', '2'] }),
        },
        { as: 'reversal', view: op({ id: 'rev_1' }) },
      ],
      null,
    );
    expect(verdict.problems).toEqual([
      'payment.card.brand is "visa", expected "amex"',
      'payment.authorizationCode is "", expected a value',
      'payment.reversalId is null, expected rev_1 (the reversal)',
      'payment.terminalId is "3", expected one of payment.terminalIds ["1","2"]',
      'payment.terminalIds has 2 items, expected 3',
    ]);
  });

  it('holds a check for null against a missing card, and tells a missing field from a null one', () => {
    expect(evaluateCase(spec({ checks: [{ op: 'payment', path: 'card', is: null }] }), [{ as: 'payment', view: op({ card: null }) }], null).passed).toBe(true);
    expect(valueAt({ card: null }, 'card.brand')).toBeUndefined();
    expect(
      evaluateCase(spec({ checks: [{ op: 'payment', path: 'card.brand', is: 'amex' }] }), [{ as: 'payment', view: op({ card: null }) }], null).problems,
    ).toEqual(['payment.card.brand is missing, expected "amex"']);
  });

  it('describes the outcome by each operation and its status', () => {
    expect(describeOutcome([{ as: 'payment', view: op({ status: 'approved' }) }, { as: 'reversal', view: op({ status: 'cancelled' }) }])).toBe(
      'payment approved, reversal cancelled',
    );
    expect(describeOutcome([])).toBe('nothing created');
  });
});

describe('milestones an operation waits for', () => {
  it('counts an operation as sent once the provider has it, and every final status as past any milestone', () => {
    expect(reached('accepted', 'sent')).toBe(false);
    expect(reached('unknown', 'sent')).toBe(false);
    expect(reached('pending', 'sent')).toBe(true);
    expect(reached('pending', 'taken')).toBe(false);
    expect(reached('in_progress', 'taken')).toBe(true);
    expect(reached('in_progress', 'final')).toBe(false);
    expect(reached('rejected', 'taken')).toBe(true);
    expect(reached('cancelled', 'final')).toBe(true);
  });
});

describe('the case table', () => {
  it('has unique ids, and every step and check names an operation an earlier step creates', () => {
    expect(new Set(HOMOLOGATION_CASES.map((c) => c.id)).size).toBe(HOMOLOGATION_CASES.length);
    for (const c of HOMOLOGATION_CASES) {
      const made = new Set<string>();
      for (const step of c.steps) {
        if ('as' in step) for (const name of [step.as].flat()) made.add(name);
        if ('op' in step) expect(made.has(step.op) ? step.op : `${c.id}: ${step.op} used before it is made`).toBe(step.op);
        if (step.do === 'reverse') expect(made.has(step.payment)).toBe(true);
      }
      for (const name of Object.keys(c.outcome)) expect(made.has(name) ? name : `${c.id}: ${name} is never made`).toBe(name);
      for (const check of c.checks) expect(made.has(check.op) ? check.op : `${c.id}: check on ${check.op}`).toBe(check.op);
    }
  });

  it('covers the cases each provider asks for', () => {
    expect(HOMOLOGATION_CASES.filter((c) => c.provider === 'paystore').map((c) => c.id)).toEqual([
      'approved',
      'declined',
      'cancelled-by-register',
      'cancelled-on-terminal',
      'qr',
      'installments',
      'ahora-12',
      'broadcast',
      'reversal',
      'reversal-cancelled',
      'amex-refund',
      'settlement',
    ]);
    expect(HOMOLOGATION_CASES.filter((c) => c.provider === 'klio').map((c) => c.id)).toEqual([
      'klio-approved',
      'klio-declined',
      'klio-cancelled-by-register',
      'klio-qr',
      'klio-partial-annulment',
      'klio-multitask',
      'klio-full-annulment',
    ]);
    expect(HOMOLOGATION_CASES.filter((c) => c.provider === 'pagouno').map((c) => c.id)).toEqual([
      'pagouno-split-approved',
      'pagouno-split-declined',
      'pagouno-annulment',
    ]);
  });

  it('needs three PayStore terminals, for the broadcast, and one Klio terminal and one pagoUno account', () => {
    expect(terminalsNeeded(HOMOLOGATION_CASES)).toEqual({ paystore: 3, klio: 1, pagouno: 1 });
    expect(terminalsNeeded(HOMOLOGATION_CASES.filter((c) => c.id !== 'broadcast'))).toEqual({ paystore: 1, klio: 1, pagouno: 1 });
    expect(terminalsNeeded(HOMOLOGATION_CASES.filter((c) => c.provider === 'klio'))).toEqual({ paystore: 0, klio: 1, pagouno: 0 });
  });

  it("asks of Klio and pagoUno only what they can do: no sandbox terminal actions, no broadcast; pagoUno's splits add up", () => {
    for (const c of HOMOLOGATION_CASES.filter((c) => c.provider !== 'paystore')) {
      for (const step of c.steps) {
        expect(step.do === 'manual' || ('action' in step && step.action !== undefined) ? `${c.id}: ${step.do}` : 'ok').toBe('ok');
        if (step.do === 'pay') {
          expect(step.terminals ?? [0]).toHaveLength(1);
          expect(step.split !== undefined).toBe(c.provider === 'pagouno');
          const parts = (step.split ?? []).flatMap((card) => card.purchases.map((p) => p.amount));
          if (step.split) expect(parts.reduce((a, b) => a + b, 0)).toBe(step.amount);
        }
        if (step.do === 'refund' || step.do === 'settle') throw new Error(`${c.id}: ${step.do} is PayStore's only`);
      }
    }
  });
});
