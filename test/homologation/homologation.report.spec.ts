import type { OperationView } from '@app/contracts';
import { caseRow, casesCsv, CASE_COLUMNS, csvField, perOperation, toCsv } from '../../scripts/homologation/homologation.report';
import type { CaseResult } from '../../scripts/homologation/homologation.report';

function view(fields: Partial<OperationView>): OperationView {
  return {
    id: 'pay_1',
    type: 'payment',
    status: 'approved',
    merchantId: 'mer_1',
    terminalIds: ['38011128'],
    terminalId: '38011128',
    amount: 150000,
    currency: 'ARS',
    reference: null,
    description: null,
    provider: 'paystore',
    providerId: 'p-1',
    createdAt: '2025-01-31T12:00:00.000Z',
    updatedAt: '2025-01-31T12:00:01.000Z',
    expiresAt: null,
    installments: 1,
    plan: null,
    method: 'card',
    card: null,
    qrCodeId: null,
    authorizationCode: '123456',
    batchNumber: '1',
    receiptNumber: '7',
    failure: null,
    paymentId: null,
    reversalId: null,
    reversedAmount: 0,
    transactions: null,
    totals: null,
    ...fields,
  };
}

function result(fields: Partial<CaseResult>): CaseResult {
  return {
    id: 'approved',
    title: 'Approved card payment',
    caso: 'Pago aprobado',
    expected: 'payment approved',
    outcome: 'payment approved',
    passed: true,
    problems: [],
    notes: [],
    operations: [{ as: 'payment', view: view({}) }],
    startedAt: '2025-01-31T12:00:00.000Z',
    finishedAt: '2025-01-31T12:00:02.500Z',
    durationMs: 2500,
    ...fields,
  };
}

describe('CSV fields (RFC 4180)', () => {
  it('leaves plain text as it is', () => {
    expect(csvField('pay_1 approved')).toBe('pay_1 approved');
    expect(csvField('')).toBe('');
  });

  it('quotes a field with a comma, a line break or a carriage return', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('a\nb')).toBe('"a\nb"');
    expect(csvField('a\rb')).toBe('"a\rb"');
  });

  it('doubles the quotes inside a quoted field', () => {
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
  });

  it('ends every record, the last one too, with CRLF', () => {
    expect(toCsv(['a', 'b'], [['1', '2,3']])).toBe('a,b\r\n1,"2,3"\r\n');
  });
});

describe('case rows', () => {
  it('shows the value of a single operation alone', () => {
    expect(perOperation([{ as: 'payment', view: view({ providerId: 'p-9' }) }], 'providerId')).toBe('p-9');
    expect(perOperation([{ as: 'payment', view: view({ providerId: null }) }], 'providerId')).toBe('');
  });

  it('names each operation of a case that made several, with a dash where one has no value', () => {
    const ops = [
      { as: 'payment', view: view({ id: 'pay_1', authorizationCode: '111111' }) },
      { as: 'reversal', view: view({ id: 'rev_1', type: 'reversal', authorizationCode: null }) },
    ];
    expect(perOperation(ops, 'id')).toBe('payment: pay_1; reversal: rev_1');
    expect(perOperation(ops, 'authorizationCode')).toBe('payment: 111111; reversal: -');
  });

  it('leaves the cell empty when no operation has the value', () => {
    const ops = [
      { as: 'payment', view: view({ batchNumber: null }) },
      { as: 'reversal', view: view({ batchNumber: null }) },
    ];
    expect(perOperation(ops, 'batchNumber')).toBe('');
  });

  it('marks a failed case FAIL with its problems as the reason, and gives seconds with one decimal', () => {
    const row = caseRow(result({ passed: false, problems: ['payment pay_1 ended rejected, expected approved', 'no reversal was created'] }));
    expect(row).toMatchObject({
      result: 'FAIL',
      reason: 'payment pay_1 ended rejected, expected approved; no reversal was created',
      seconds: '2.5',
      providerIds: 'p-1',
      terminal: '38011128',
    });
  });

  it('writes a header of every column and one record per case', () => {
    const csv = casesCsv([result({}), result({ id: 'declined', expected: 'rejected, with "DENEGADA"' })]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(CASE_COLUMNS.map((c) => c.header).join(','));
    expect(lines[1].startsWith('approved,Pago aprobado,Approved card payment,payment approved,')).toBe(true);
    expect(lines[2]).toContain('"rejected, with ""DENEGADA"""');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });
});
