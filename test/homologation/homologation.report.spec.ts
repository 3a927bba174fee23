import type { OperationView } from '@app/contracts';
import { buildWorkbook, caseRow, casesCsv, CASE_COLUMNS, csvField, perOperation, perOperationTransactions, toCsv } from '../../scripts/homologation/homologation.report';
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
    receipt: null,
    via: null,
    batch: null,
    ...fields,
  };
}

function result(fields: Partial<CaseResult>): CaseResult {
  return {
    id: 'approved',
    provider: 'paystore',
    title: 'Approved card payment',
    caso: 'Pago aprobado',
    expected: 'payment approved',
    outcome: 'payment approved',
    passed: true,
    skipped: null,
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
    expect(lines[1].startsWith('approved,PayStore,Pago aprobado,Approved card payment,payment approved,')).toBe(true);
    expect(lines[2]).toContain('"rejected, with ""DENEGADA"""');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
  });

  it("names each case's provider, so the certifier tells PayStore, Klio SmartPos and pagoUno rows apart", () => {
    expect(caseRow(result({})).provider).toBe('PayStore');
    expect(caseRow(result({ id: 'klio-approved', provider: 'klio' })).provider).toBe('Klio SmartPos');
    expect(caseRow(result({ id: 'pagouno-annulment', provider: 'pagouno' })).provider).toBe('pagoUno');
  });

  it('marks a case whose provider is not configured SKIPPED, with "skipped:" and the reason', () => {
    const reason = 'the merchant has no Klio SmartPos terminal registered (GET /v1/terminals lists none)';
    const row = caseRow(result({ id: 'klio-approved', provider: 'klio', passed: false, skipped: reason, outcome: `skipped: ${reason}`, operations: [] }));
    expect(row).toMatchObject({ result: 'SKIPPED', provider: 'Klio SmartPos', outcome: `skipped: ${reason}`, reason: `skipped: ${reason}`, providerIds: '' });
  });

  it("lists a split's transactions with their pagoUno ids and what became of each", () => {
    const split = view({
      provider: 'pagouno',
      status: 'rejected',
      transactions: [
        { id: 'tx-1', merchantCode: 'M1', amount: 80000, status: 'reversed' },
        { id: 'tx-2', merchantCode: 'M2', amount: 40000, status: 'reversed' },
        { id: null, merchantCode: 'M3', amount: 60005, status: 'declined' },
      ],
    });
    expect(perOperationTransactions([{ as: 'payment', view: split }])).toBe('tx-1 reversed, tx-2 reversed, - declined');
    const annulment = view({ id: 'rev_1', type: 'reversal', provider: 'pagouno', transactions: [{ id: 'tx-1', merchantCode: 'M1', amount: 80000, status: 'reversed' }] });
    expect(perOperationTransactions([{ as: 'payment', view: view({}) }, { as: 'annulment', view: annulment }])).toBe('annulment: tx-1 reversed');
    expect(perOperationTransactions([{ as: 'payment', view: view({}) }])).toBe('');
  });
});

describe('the workbook', () => {
  it('keeps the provider on every case and operation row, and counts the skipped cases apart in the summary', () => {
    const workbook = buildWorkbook(
      [
        result({}),
        result({ id: 'declined', passed: false, problems: ['payment pay_1 ended approved, expected rejected'] }),
        result({ id: 'pagouno-annulment', provider: 'pagouno', passed: false, skipped: 'no pagoUno account', outcome: 'skipped: no pagoUno account', operations: [] }),
      ],
      {
        gatewayUrl: 'http://127.0.0.1:3000',
        terminals: { paystore: ['38011128'], klio: ['71000001'], pagouno: [] },
        terminalActions: 'sandbox',
        startedAt: '2025-01-31T12:00:00.000Z',
        finishedAt: '2025-01-31T12:01:00.000Z',
      },
    );
    const column = (sheet: string, header: string) => {
      const ws = workbook.getWorksheet(sheet)!;
      const at = (ws.getRow(1).values as unknown[]).indexOf(header);
      const values: unknown[] = [];
      ws.eachRow((row, n) => n > 1 && values.push(row.getCell(at).value));
      return values;
    };
    expect(column('Cases', 'Provider')).toEqual(['PayStore', 'PayStore', 'pagoUno']);
    expect(column('Cases', 'Result')).toEqual(['PASS', 'FAIL', 'SKIPPED']);
    expect(column('Operations', 'Provider')).toEqual(['PayStore', 'PayStore']);
    const summary = new Map<string, unknown>();
    workbook.getWorksheet('Summary')!.eachRow((row) => summary.set(String(row.getCell(1).value), row.getCell(2).value));
    expect(summary.get('Passed')).toBe(1);
    expect(summary.get('Failed')).toBe(1);
    expect(summary.get('Skipped')).toBe(1);
    expect(summary.get('Terminals')).toBe('PayStore: 38011128; Klio SmartPos: 71000001; pagoUno: none');
    expect(summary.get('pagouno-annulment')).toBe('SKIPPED: no pagoUno account');
  });
});
