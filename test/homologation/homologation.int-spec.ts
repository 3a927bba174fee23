// The homologation run against the sandbox: the gateway and the payments, reversals and
// settlements workers in this process, the sandbox over HTTP (PayStore, Klio SmartPos, pagoUno), a
// merchant with three PayStore terminals, the Klio account's devices and a pagoUno account made
// through the admin API as the run's own system makes them; then the report it wrote, read back.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { HOMOLOGATION_CASES, PROVIDER_LABEL } from '../../scripts/homologation/homologation.cases';
import { CASE_COLUMNS } from '../../scripts/homologation/homologation.report';
import { HomologationRun, runHomologation } from '../../scripts/homologation/homologation.runner';
import { adminApi, registerKlioAndPagouno } from '../../scripts/homologation/homologation.setup';
import { Register, registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { startSystem, System } from '../support/system';

/** Splits RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field || record.length) records.push([...record, field]);
  return records;
}

describe('the homologation run against the sandbox', () => {
  let sys: System;
  let gw: StartedGateway;
  let reg: Register;
  let others: { klio: string[]; pagouno: string[] };
  let outDir: string;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startReversals();
    await sys.startSettlements();
    gw = await startGatewayFor(sys);
    reg = await registerFor(sys, gw, 3);
    others = await registerKlioAndPagouno(adminApi(gw.url, gw.adminKey), reg.merchantId);
    outDir = await mkdtemp(join(tmpdir(), 'homologation-'));
  });
  afterAll(async () => {
    await sys.stop();
    await rm(outDir, { recursive: true, force: true });
  });

  const options = (dir: string, lines: string[]) => ({
    gatewayUrl: gw.url,
    apiKey: reg.apiKey,
    terminals: reg.terminals,
    terminalActions: 'sandbox' as const,
    sandboxUrl: sys.sandbox.url,
    outDir: dir,
    log: (line: string) => lines.push(line),
    waitMs: 20_000,
    pollMs: 100,
  });

  describe('every case', () => {
    let run: HomologationRun;
    const lines: string[] = [];

    beforeAll(async () => {
      run = await runHomologation(options(join(outDir, 'all'), lines));
    }, 180_000);

    it('passes every case, each with the provider id of every operation it made', () => {
      const failed = run.results.filter((r) => !r.passed).map((r) => `${r.id}: ${r.problems.join('; ')}`);
      expect(failed).toEqual([]);
      expect(run.passed).toBe(true);
      expect(run.results.map((r) => r.id)).toEqual(HOMOLOGATION_CASES.map((c) => c.id));
      for (const result of run.results) {
        expect(result.operations.length).toBeGreaterThan(0);
        for (const { view } of result.operations) expect(view.providerId).toEqual(expect.any(String));
      }
    });

    it('shows one progress line per case with its mark and elapsed time', () => {
      for (const c of HOMOLOGATION_CASES) {
        expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^✓ +\\d+/\\d+ ${c.id} .* \\d+\\.\\ds `)));
      }
      expect(lines).toContain(`${HOMOLOGATION_CASES.length}/${HOMOLOGATION_CASES.length} cases passed`);
    });

    it('takes the broadcast on the terminal where the person approved it', () => {
      const broadcast = run.results.find((r) => r.id === 'broadcast')!.operations[0].view;
      expect(broadcast.terminalIds).toEqual(reg.terminals);
      expect(broadcast.terminalId).toBe(reg.terminals[1]);
    });

    it('ends the payment cancelled on the terminal with no cancellation request from the register, unlike the register\'s own cancel', async () => {
      const onTerminal = run.results.find((r) => r.id === 'cancelled-on-terminal')!;
      const payment = onTerminal.operations[0].view;
      expect(payment).toMatchObject({ status: 'cancelled', terminalId: reg.terminals[0], providerId: expect.any(String) });
      expect(onTerminal.notes).toEqual([]);
      const cancellations = await sys.providerRequests('/cancellations', 'PUT');
      expect(cancellations.filter((r) => r.path.includes(payment.providerId!))).toEqual([]);
      expect((await sys.providerRequests(payment.providerId!)).map((r) => r.method)).not.toContain('PUT');
      // The log does record a cancellation when the register sends one.
      const byRegister = run.results.find((r) => r.id === 'cancelled-by-register')!.operations[0].view;
      expect(byRegister.status).toBe('cancelled');
      expect(cancellations.filter((r) => r.path.includes(byRegister.providerId!))).toHaveLength(1);
    });

    it("runs the Klio cases on the merchant's first Klio device and the pagoUno cases on its account, found through GET /v1/terminals", () => {
      expect(others.klio).toEqual(['71000001', '71000002']);
      for (const result of run.results) {
        const terminal = { paystore: null, klio: others.klio[0], pagouno: others.pagouno[0] }[result.provider];
        for (const { view } of result.operations) {
          expect(view.provider).toBe(result.provider);
          if (terminal) expect(view.terminalIds).toEqual([terminal]);
        }
      }
      expect(lines[0]).toContain(`Klio SmartPos ${others.klio.join(', ')}; pagoUno ${others.pagouno[0]}`);
    });

    it('gives a Klio payment back in part and then whole, and shows which transactions of a pagoUno split were declined and reversed', () => {
      const ops = (id: string) => new Map(run.results.find((r) => r.id === id)!.operations.map((o) => [o.as, o.view]));
      const partial = ops('klio-partial-annulment');
      expect(partial.get('payment')).toMatchObject({ status: 'approved', amount: 162000, reversedAmount: 50000 });
      expect(partial.get('annulment')).toMatchObject({ status: 'approved', amount: 50000 });
      expect(ops('klio-full-annulment').get('payment')).toMatchObject({ reversedAmount: 163000 });
      const declined = ops('pagouno-split-declined').get('payment')!;
      expect(declined.transactions?.map((t) => [t.amount, t.status])).toEqual([
        [80000, 'reversed'],
        [40000, 'reversed'],
        [60005, 'declined'],
      ]);
      const annulled = ops('pagouno-annulment');
      expect(annulled.get('annulment')!.transactions?.map((t) => t.status)).toEqual(['reversed', 'reversed']);
      expect(annulled.get('payment')).toMatchObject({ reversedAmount: 200000, reversalId: annulled.get('annulment')!.id });
    });

    it('writes a CSV with a header and one row per case carrying its provider ids', async () => {
      const records = parseCsv(await readFile(run.csvPath, 'utf8'));
      expect(records[0]).toEqual(CASE_COLUMNS.map((c) => c.header));
      const col = (name: string) => records[0].indexOf(name);
      const rows = records.slice(1);
      expect(rows.map((r) => r[col('Case')])).toEqual(HOMOLOGATION_CASES.map((c) => c.id));
      for (const result of run.results) {
        const row = rows.find((r) => r[col('Case')] === result.id)!;
        expect(row[col('Result')]).toBe('PASS');
        expect(row[col('Provider')]).toBe(PROVIDER_LABEL[result.provider]);
        for (const { view } of result.operations) for (const t of view.transactions ?? []) expect(row[col('Transactions')]).toContain(`${t.id} ${t.status}`);
        for (const { view } of result.operations) {
          expect(row[col('Provider ids')]).toContain(view.providerId!);
          expect(row[col('Operation ids')]).toContain(view.id);
        }
        expect(Date.parse(row[col('Started')])).toBeLessThanOrEqual(Date.parse(row[col('Finished')]));
      }
    });

    it('writes an .xlsx with the cases, every operation and a summary', async () => {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.readFile(run.xlsxPath);
      const cases = workbook.getWorksheet('Cases')!;
      const header = (cases.getRow(1).values as unknown[]).slice(1);
      expect(header).toEqual(CASE_COLUMNS.map((c) => c.header));
      const col = (name: string) => header.indexOf(name) + 1;
      const byCase = new Map<string, ExcelJS.Row>();
      cases.eachRow((row, n) => {
        if (n > 1) byCase.set(String(row.getCell(col('Case')).value), row);
      });
      expect([...byCase.keys()]).toEqual(HOMOLOGATION_CASES.map((c) => c.id));
      for (const result of run.results) {
        const row = byCase.get(result.id)!;
        expect(row.getCell(col('Result')).value).toBe('PASS');
        for (const { view } of result.operations) expect(String(row.getCell(col('Provider ids')).value)).toContain(view.providerId!);
      }
      const operations = workbook.getWorksheet('Operations')!;
      expect(operations.rowCount - 1).toBe(run.results.reduce((n, r) => n + r.operations.length, 0));
      const summary = workbook.getWorksheet('Summary')!;
      const items = new Map<string, unknown>();
      summary.eachRow((row) => items.set(String(row.getCell(1).value), row.getCell(2).value));
      expect(items.get('Passed')).toBe(HOMOLOGATION_CASES.length);
      expect(items.get('Failed')).toBe(0);
      expect(items.get('Skipped')).toBe(0);
    });
  });

  it('with a person at the terminals, prints what to do on which terminal and waits for the operation', async () => {
    const lines: string[] = [];
    // The sandbox's automatic terminal plays the person who pays.
    const approved = HOMOLOGATION_CASES.find((c) => c.id === 'approved')!;
    const run = await runHomologation({ ...options(join(outDir, 'person'), lines), terminalActions: 'person', sandboxUrl: undefined, cases: [approved] });
    expect(run.passed).toBe(true);
    const said = lines.findIndex((l) => l.startsWith(`    → terminal ${reg.terminals[0]}: Pay $1,500.00 with a card`));
    const done = lines.findIndex((l) => l.startsWith('✓ 1/1 approved '));
    expect(said).toBeGreaterThanOrEqual(0);
    expect(done).toBeGreaterThan(said);
    expect(lines[said]).toContain(run.results[0].operations[0].view.id);
  });

  it('reports a case whose outcome differs from the expected one as failed, with the reason', async () => {
    const lines: string[] = [];
    const wrong = { ...HOMOLOGATION_CASES.find((c) => c.id === 'declined')!, id: 'declined-expected-approved', outcome: { payment: 'approved' as const } };
    const run = await runHomologation({ ...options(join(outDir, 'wrong'), lines), cases: [wrong] });
    expect(run.passed).toBe(false);
    expect(run.results[0].problems).toEqual([expect.stringMatching(/^payment pay_\S+ ended rejected \(PAYMENT\.DECLINED: .+\), expected approved$/)]);
    expect(lines).toContainEqual(expect.stringMatching(/^✗ 1\/1 declined-expected-approved /));
    const records = parseCsv(await readFile(run.csvPath, 'utf8'));
    expect(records[1][records[0].indexOf('Result')]).toBe('FAIL');
    expect(records[1][records[0].indexOf('Reason')]).toContain('ended rejected');
  });

  it("skips, saying why, the cases of a provider the merchant has no terminal of, and still passes the run", async () => {
    const lines: string[] = [];
    const payStoreOnly = await registerFor(sys, gw, 1);
    const cases = HOMOLOGATION_CASES.filter((c) => ['approved', 'klio-approved', 'pagouno-annulment'].includes(c.id));
    const run = await runHomologation({ ...options(join(outDir, 'skipped'), lines), apiKey: payStoreOnly.apiKey, terminals: payStoreOnly.terminals, cases });
    expect(run.passed).toBe(true);
    expect(run.results.map((r) => [r.id, r.passed, r.skipped])).toEqual([
      ['approved', true, null],
      ['klio-approved', false, 'the merchant has no Klio SmartPos terminal registered (GET /v1/terminals lists none)'],
      ['pagouno-annulment', false, 'the merchant has no pagoUno account registered (GET /v1/terminals lists none)'],
    ]);
    expect(lines).toContainEqual(expect.stringMatching(/^– 2\/3 klio-approved +skipped: the merchant has no Klio SmartPos terminal/));
    expect(lines).toContain('1/3 cases passed, 2 skipped (Klio SmartPos, pagoUno)');
    const records = parseCsv(await readFile(run.csvPath, 'utf8'));
    const col = (name: string) => records[0].indexOf(name);
    expect(records.slice(1).map((r) => [r[col('Case')], r[col('Provider')], r[col('Result')], r[col('Outcome')].split(':')[0]])).toEqual([
      ['approved', 'PayStore', 'PASS', 'payment approved'],
      ['klio-approved', 'Klio SmartPos', 'SKIPPED', 'skipped'],
      ['pagouno-annulment', 'pagoUno', 'SKIPPED', 'skipped'],
    ]);
    expect(records[2][col('Reason')]).toMatch(/^skipped: the merchant has no Klio SmartPos terminal/);
  });
});
