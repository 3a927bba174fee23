// The homologation run against the sandbox: the gateway and the payments, reversals and
// settlements workers in this process, the sandbox over HTTP, a merchant with three terminals made
// through the admin API; then the report it wrote, read back.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { HOMOLOGATION_CASES } from '../../scripts/homologation/homologation.cases';
import { CASE_COLUMNS } from '../../scripts/homologation/homologation.report';
import { HomologationRun, runHomologation } from '../../scripts/homologation/homologation.runner';
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
  let outDir: string;

  beforeAll(async () => {
    sys = await startSystem();
    await sys.startReversals();
    await sys.startSettlements();
    gw = await startGatewayFor(sys);
    reg = await registerFor(sys, gw, 3);
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
    patienceMs: 1_000,
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

    it('takes the broadcast on the terminal where the person approved it, and cancels on the terminal by walking away', () => {
      const broadcast = run.results.find((r) => r.id === 'broadcast')!.operations[0].view;
      expect(broadcast.terminalIds).toEqual(reg.terminals);
      expect(broadcast.terminalId).toBe(reg.terminals[1]);
      const onTerminal = run.results.find((r) => r.id === 'cancelled-on-terminal')!;
      expect(onTerminal.operations[0].view).toMatchObject({ status: 'cancelled', terminalId: reg.terminals[0] });
      expect(onTerminal.notes.join(' ')).toContain('the register cancelled it');
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
});
