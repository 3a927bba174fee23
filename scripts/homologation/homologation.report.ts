// The homologation report: one row per case (case, provider, expected, outcome, provider ids,
// timestamps) as RFC 4180 CSV and as an .xlsx workbook with the cases, every operation, and a
// summary. The rows and the CSV text are pure; only writeReport touches the disk.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { OperationView, ProviderName } from '@app/contracts';
import { PROVIDER_LABEL } from './homologation.cases';
import type { RecordedOperation } from './homologation.evaluate';

export interface CaseResult {
  id: string;
  provider: ProviderName;
  title: string;
  caso: string;
  expected: string;
  outcome: string;
  passed: boolean;
  /** Why the case did not run (its provider is not configured); null when it ran. */
  skipped: string | null;
  problems: string[];
  /** What happened along the way that a reader should know (not a failure). */
  notes: string[];
  operations: RecordedOperation[];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

export interface RunInfo {
  gatewayUrl: string;
  /** The terminals the cases of each provider ran on (pagoUno: its account). */
  terminals: Record<ProviderName, string[]>;
  terminalActions: 'sandbox' | 'person';
  startedAt: string;
  finishedAt: string;
}

interface Column {
  header: string;
  key: keyof CaseRow;
  width: number;
}

export const CASE_COLUMNS: readonly Column[] = Object.freeze([
  { header: 'Case', key: 'case', width: 26 },
  { header: 'Provider', key: 'provider', width: 14 },
  { header: 'Caso', key: 'caso', width: 28 },
  { header: 'Title', key: 'title', width: 40 },
  { header: 'Expected', key: 'expected', width: 60 },
  { header: 'Outcome', key: 'outcome', width: 32 },
  { header: 'Result', key: 'result', width: 8 },
  { header: 'Operation ids', key: 'operationIds', width: 46 },
  { header: 'Provider ids', key: 'providerIds', width: 60 },
  { header: 'Transactions', key: 'transactions', width: 60 },
  { header: 'Terminal', key: 'terminal', width: 22 },
  { header: 'Authorization code', key: 'authorizationCode', width: 22 },
  { header: 'Batch number', key: 'batchNumber', width: 16 },
  { header: 'Started', key: 'startedAt', width: 26 },
  { header: 'Finished', key: 'finishedAt', width: 26 },
  { header: 'Seconds', key: 'seconds', width: 9 },
  { header: 'Reason', key: 'reason', width: 60 },
  { header: 'Notes', key: 'notes', width: 50 },
]);

export interface CaseRow {
  case: string;
  provider: string;
  caso: string;
  title: string;
  expected: string;
  outcome: string;
  result: 'PASS' | 'FAIL' | 'SKIPPED';
  operationIds: string;
  providerIds: string;
  transactions: string;
  terminal: string;
  authorizationCode: string;
  batchNumber: string;
  startedAt: string;
  finishedAt: string;
  seconds: string;
  reason: string;
  notes: string;
}

type OperationField = 'id' | 'providerId' | 'terminalId' | 'authorizationCode' | 'batchNumber';

/** One operation: its value alone; several: `payment: x; reversal: y` (`-` where one has none). */
export function perOperation(operations: readonly RecordedOperation[], field: OperationField): string {
  if (operations.length === 1) return operations[0].view[field] ?? '';
  if (operations.every((o) => !o.view[field])) return '';
  return operations.map((o) => `${o.as}: ${o.view[field] ?? '-'}`).join('; ');
}

/** A split's transactions (pagoUno): `id status, id status` (`-` for one pagoUno never created). */
export function transactionsOf(view: OperationView): string {
  return (view.transactions ?? []).map((t) => `${t.id ?? '-'} ${t.status}`).join(', ');
}

/** The transactions of each operation that has any: alone for one, `payment: …; reversal: …` for several. */
export function perOperationTransactions(operations: readonly RecordedOperation[]): string {
  const withAny = operations.filter((o) => (o.view.transactions ?? []).length > 0);
  if (withAny.length === 0) return '';
  if (operations.length === 1) return transactionsOf(operations[0].view);
  return withAny.map((o) => `${o.as}: ${transactionsOf(o.view)}`).join('; ');
}

export function caseRow(result: CaseResult): CaseRow {
  return {
    case: result.id,
    provider: PROVIDER_LABEL[result.provider],
    caso: result.caso,
    title: result.title,
    expected: result.expected,
    outcome: result.outcome,
    result: result.skipped !== null ? 'SKIPPED' : result.passed ? 'PASS' : 'FAIL',
    operationIds: perOperation(result.operations, 'id'),
    providerIds: perOperation(result.operations, 'providerId'),
    transactions: perOperationTransactions(result.operations),
    terminal: perOperation(result.operations, 'terminalId'),
    authorizationCode: perOperation(result.operations, 'authorizationCode'),
    batchNumber: perOperation(result.operations, 'batchNumber'),
    startedAt: result.startedAt,
    finishedAt: result.finishedAt,
    seconds: (result.durationMs / 1000).toFixed(1),
    reason: result.skipped !== null ? `skipped: ${result.skipped}` : result.problems.join('; '),
    notes: result.notes.join('; '),
  };
}

/** A CSV field per RFC 4180: quoted (quotes doubled) when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Records separated by CRLF, the last one too, as RFC 4180 describes. */
export function toCsv(header: readonly string[], records: readonly (readonly string[])[]): string {
  return [header, ...records].map((record) => record.map(csvField).join(',') + '\r\n').join('');
}

export function casesCsv(results: readonly CaseResult[]): string {
  const rows = results.map(caseRow);
  return toCsv(
    CASE_COLUMNS.map((c) => c.header),
    rows.map((row) => CASE_COLUMNS.map((c) => row[c.key])),
  );
}

const OPERATION_COLUMNS = [
  { header: 'Case', key: 'case', width: 26 },
  { header: 'Provider', key: 'provider', width: 14 },
  { header: 'Role', key: 'role', width: 12 },
  { header: 'Operation id', key: 'id', width: 32 },
  { header: 'Type', key: 'type', width: 12 },
  { header: 'Status', key: 'status', width: 12 },
  { header: 'Provider id', key: 'providerId', width: 40 },
  { header: 'Terminal', key: 'terminalId', width: 12 },
  { header: 'Sent to', key: 'terminalIds', width: 30 },
  { header: 'Amount (ARS)', key: 'amount', width: 14, style: { numFmt: '#,##0.00' } },
  { header: 'Installments', key: 'installments', width: 12 },
  { header: 'Plan', key: 'plan', width: 10 },
  { header: 'Method', key: 'method', width: 8 },
  { header: 'Card', key: 'card', width: 20 },
  { header: 'QR code id', key: 'qrCodeId', width: 30 },
  { header: 'Authorization code', key: 'authorizationCode', width: 18 },
  { header: 'Batch number', key: 'batchNumber', width: 14 },
  { header: 'Receipt number', key: 'receiptNumber', width: 14 },
  { header: 'Failure', key: 'failure', width: 40 },
  { header: 'Transactions', key: 'transactions', width: 60 },
  { header: 'Totals', key: 'totals', width: 50 },
  { header: 'Created', key: 'createdAt', width: 26 },
  { header: 'Updated', key: 'updatedAt', width: 26 },
];

function operationRows(results: readonly CaseResult[]): Record<string, string | number | null>[] {
  return results.flatMap((r) =>
    r.operations.map(({ as, view }) => ({
      case: r.id,
      provider: PROVIDER_LABEL[r.provider],
      role: as,
      id: view.id,
      type: view.type,
      status: view.status,
      providerId: view.providerId,
      terminalId: view.terminalId,
      terminalIds: view.terminalIds.join(', '),
      amount: view.amount === null ? null : view.amount / 100,
      installments: view.installments,
      plan: view.plan,
      method: view.method,
      card: view.card ? [view.card.brand, view.card.last4 && `…${view.card.last4}`, view.card.entryMode].filter(Boolean).join(' ') : null,
      qrCodeId: view.qrCodeId,
      authorizationCode: view.authorizationCode,
      batchNumber: view.batchNumber,
      receiptNumber: view.receiptNumber,
      failure: view.failure ? `${view.failure.code}: ${view.failure.message}` : null,
      transactions: transactionsOf(view) || null,
      totals: view.totals
        ? view.totals.map((t) => `${t.brand}: ${t.payments.count} payments, ${t.reversals.count} reversals, ${t.refunds.count} refunds`).join('; ')
        : null,
      createdAt: view.createdAt,
      updatedAt: view.updatedAt,
    })),
  );
}

const RESULT_COLOR: Readonly<Record<CaseRow['result'], string>> = Object.freeze({ PASS: 'FF166534', FAIL: 'FF991B1B', SKIPPED: 'FF6B7280' });

function styleHeader(sheet: ExcelJS.Worksheet): void {
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE5E7EB' } };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: sheet.columnCount } };
}

export function buildWorkbook(results: readonly CaseResult[], info: RunInfo): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'ecr-bridge';
  workbook.created = new Date(info.finishedAt);

  const cases = workbook.addWorksheet('Cases');
  cases.columns = CASE_COLUMNS.map((c) => ({ header: c.header, key: c.key, width: c.width }));
  for (const row of results.map(caseRow)) {
    const added = cases.addRow({ ...row, seconds: Number(row.seconds) });
    const result = added.getCell('result');
    result.font = { bold: true, color: { argb: RESULT_COLOR[row.result] } };
    added.alignment = { vertical: 'top', wrapText: true };
  }
  styleHeader(cases);

  const operations = workbook.addWorksheet('Operations');
  operations.columns = OPERATION_COLUMNS;
  operations.addRows(operationRows(results));
  styleHeader(operations);

  const summary = workbook.addWorksheet('Summary');
  summary.columns = [
    { header: 'Item', key: 'item', width: 22 },
    { header: 'Value', key: 'value', width: 70 },
  ];
  const passed = results.filter((r) => r.passed).length;
  const skipped = results.filter((r) => r.skipped !== null).length;
  const providers = (Object.keys(PROVIDER_LABEL) as ProviderName[]).map(
    (p) => `${PROVIDER_LABEL[p]}: ${info.terminals[p].length > 0 ? info.terminals[p].join(', ') : 'none'}`,
  );
  summary.addRows([
    { item: 'Gateway', value: info.gatewayUrl },
    { item: 'Terminals', value: providers.join('; ') },
    { item: 'Terminal actions', value: info.terminalActions === 'sandbox' ? 'sandbox control routes' : 'a person at the terminals' },
    { item: 'Started', value: info.startedAt },
    { item: 'Finished', value: info.finishedAt },
    { item: 'Cases', value: results.length },
    { item: 'Passed', value: passed },
    { item: 'Failed', value: results.length - passed - skipped },
    { item: 'Skipped', value: skipped },
    ...results.map((r) => ({
      item: r.id,
      value: r.skipped !== null ? `SKIPPED: ${r.skipped}` : r.passed ? 'PASS' : `FAIL: ${r.problems.join('; ')}`,
    })),
  ]);
  styleHeader(summary);
  return workbook;
}

/** Writes `homologation.csv` and `homologation.xlsx` into `outDir` and answers their paths. */
export async function writeReport(outDir: string, results: readonly CaseResult[], info: RunInfo): Promise<{ csv: string; xlsx: string }> {
  await mkdir(outDir, { recursive: true });
  const csv = join(outDir, 'homologation.csv');
  const xlsx = join(outDir, 'homologation.xlsx');
  await writeFile(csv, casesCsv(results), 'utf8');
  await buildWorkbook(results, info).xlsx.writeFile(xlsx);
  return { csv, xlsx };
}
