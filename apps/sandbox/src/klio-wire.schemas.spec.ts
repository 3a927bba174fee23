import { KlioHttpError } from './klio-errors';
import { checkTasksRequest, klioTasksRequestSchema, parseKlio } from './klio-wire.schemas';

const payment = (extra: Record<string, unknown> = {}) => ({
  originID: 'op-1',
  operationType: 'PAYMENT',
  cardMethod: { credit: true, debit: true },
  originalAmount: { amount: 1500.05, currency: 'ARS' },
  ...extra,
});

function refusal(body: unknown): KlioHttpError {
  try {
    checkTasksRequest(parseKlio(klioTasksRequestSchema, body));
  } catch (err) {
    if (err instanceof KlioHttpError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('Klio tasks-request validation', () => {
  it('accepts the public example shape', () => {
    const body = {
      target: { deviceId: 'E44E3A25-57B8-43E5-B093-65AAD4C01C45' },
      tasks: [
        {
          payment: payment({
            sourceOriginID: '',
            executionOrder: 1,
            printTicket: 'auto',
            callbackURL: null,
            qrMethod: { accountMoney: true },
            cardMethod: { credit: true, creditInterestPayer: 'client', creditInstallmentsOption: true, creditInstallments: null, debit: true },
            collectAccountData: { portfolioId: 6127, personId: 6346958 },
            buyerData: { taxNumber: 26267162 },
          }),
        },
      ],
    };
    expect(() => checkTasksRequest(parseKlio(klioTasksRequestSchema, body))).not.toThrow();
  });

  it.each([
    [{ target: { deviceId: 'd' }, tasks: [] }, 'tasks'],
    [{ target: {}, tasks: [{ payment: payment() }] }, 'target.deviceId'],
    [{ target: { deviceId: 'd' }, tasks: [{ payment: payment({ originalAmount: { amount: 0, currency: 'ARS' } }) }] }, 'originalAmount.amount'],
    [{ target: { deviceId: 'd' }, tasks: [{ payment: payment({ originalAmount: { amount: 10.001, currency: 'ARS' } }) }] }, 'two decimals'],
    [{ target: { deviceId: 'd' }, tasks: [{ payment: payment({ originalAmount: { amount: 10, currency: 'USD' } }) }] }, 'currency'],
    [{ target: { deviceId: 'd' }, tasks: [{ payment: payment({ operationType: 'REFUND' }) }] }, 'operationType'],
    [{ target: { deviceId: 'd' }, tasks: [{ payment: payment({ operationType: 'ANNULMENT' }) }] }, 'sourceOriginID'],
    [{ target: { deviceId: 'd' }, tasks: [{ payment: payment({ cardMethod: { credit: false, debit: false } }) }] }, 'payment method'],
    [{ target: { deviceId: 'd' }, tasks: [{ payment: payment() }, { payment: payment({ originID: 'op-2' }) }] }, 'executionOrder'],
    [
      { target: { deviceId: 'd' }, tasks: [{ payment: payment({ executionOrder: 1 }) }, { payment: payment({ originID: 'op-2', executionOrder: 1 }) }] },
      'executionOrder repeats',
    ],
    [{ target: { deviceId: 'd' }, tasks: [{ payment: payment({ executionOrder: 1 }) }, { payment: payment({ executionOrder: 2 }) }] }, 'originID repeats'],
    [{ target: { deviceId: 'd' }, tasks: [{ payment: payment({ callbackURL: 'ftp://x' }) }] }, 'callbackURL'],
  ])('%#: refuses with 400 naming %s', (body, where) => {
    const err = refusal(body);
    expect(err.status).toBe(400);
    expect(err.message).toContain(where);
  });
});
