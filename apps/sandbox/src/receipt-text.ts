// Receipt text as a terminal prints it (Spanish, fixed-width lines). Cards only ever show the
// last four digits.
import { instrumentLabel } from './completion-data';
import type { BatchTotals, BrandTotals, Instrument } from './intent.model';

const WIDTH = 32;

/** "$ 1.500,00" for 150000 cents. */
export function formatCents(cents: string | number): string {
  const value = typeof cents === 'number' ? cents : Number(cents);
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const units = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${sign}$ ${units},${String(abs % 100).padStart(2, '0')}`;
}

/** Argentina has no daylight saving: local time is always UTC-3. */
export function argentineDateTime(at: number): string {
  const iso = new Date(at - 3 * 3_600_000).toISOString();
  return `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)} ${iso.slice(11, 16)}`;
}

function row(left: string, right: string): string {
  const gap = Math.max(1, WIDTH - left.length - right.length);
  return `${left}${' '.repeat(gap)}${right}`;
}

function center(text: string): string {
  const pad = Math.max(0, Math.floor((WIDTH - text.length) / 2));
  return `${' '.repeat(pad)}${text}`;
}

export interface OperationReceiptInput {
  operation: 'COMPRA' | 'ANULACION' | 'DEVOLUCION';
  copy: 'CLIENTE' | 'COMERCIO';
  approved: boolean;
  merchantName: string;
  cuit: string;
  terminalId: string;
  batchNumber: number | null;
  receiptNumber: number | null;
  instrument: Instrument | null;
  amountCents: string;
  installments: number;
  authorizationCode: string | null;
  at: number;
}

export function operationReceipt(input: OperationReceiptInput): string {
  const lines = [center(input.merchantName), center(`CUIT ${input.cuit}`), ''];
  lines.push(row(`TERM ${input.terminalId}`, `LOTE ${input.batchNumber ?? '-'}`));
  lines.push(row(`CUPON ${input.receiptNumber ?? '-'}`, argentineDateTime(input.at)));
  lines.push('', center(input.operation));
  const instrument = input.instrument;
  if (instrument !== null && instrument.type === 'card') {
    const kind = instrument.paymentType === 'DEBIT' ? 'DEBITO' : 'CREDITO';
    lines.push(row(`${instrumentLabel(instrument)} ${kind}`, `**** ${instrument.lastFour}`));
    lines.push(row('INGRESO', instrument.entryMode));
  } else if (instrument !== null) {
    lines.push(row(instrumentLabel(instrument), instrument.qrCodeId));
  }
  if (input.operation === 'COMPRA') lines.push(row('CUOTAS', String(input.installments)));
  lines.push(row('TOTAL', formatCents(input.amountCents)));
  lines.push('');
  if (input.approved) {
    lines.push(row('AUTORIZACION', input.authorizationCode ?? '-'));
    if (input.copy === 'COMERCIO' && instrument?.type === 'card') lines.push('', 'FIRMA ....................', 'ACLARACION ...............');
  } else {
    lines.push(center('OPERACION DENEGADA'));
  }
  lines.push('', center(`COPIA ${input.copy}`));
  return lines.join('\n');
}

export interface SettlementReceiptInput {
  merchantName: string;
  cuit: string;
  terminalId: string;
  batchNumber: number;
  at: number;
  totals: BatchTotals | undefined;
}

function section(title: string, byBrand: Map<string, BrandTotals> | undefined): { lines: string[]; total: BrandTotals } {
  const total: BrandTotals = { count: 0, amount: 0 };
  const lines: string[] = [];
  for (const [brand, sums] of [...(byBrand ?? new Map<string, BrandTotals>()).entries()].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(row(`  ${brand} ${title} ${sums.count}`, formatCents(sums.amount)));
    total.count += sums.count;
    total.amount += sums.amount;
  }
  return { lines, total };
}

export function settlementReceipt(input: SettlementReceiptInput): string {
  const lines = [center(input.merchantName), center(`CUIT ${input.cuit}`), ''];
  lines.push(center(`CIERRE DE LOTE ${input.batchNumber}`));
  lines.push(row(`TERM ${input.terminalId}`, argentineDateTime(input.at)), '');
  const payments = section('COMPRAS', input.totals?.payments);
  const reversals = section('ANULACIONES', input.totals?.reversals);
  const refunds = section('DEVOLUCIONES', input.totals?.refunds);
  lines.push('COMPRAS', ...payments.lines, row(`  TOTAL COMPRAS ${payments.total.count}`, formatCents(payments.total.amount)));
  lines.push('ANULACIONES', ...reversals.lines, row(`  TOTAL ANULACIONES ${reversals.total.count}`, formatCents(reversals.total.amount)));
  lines.push('DEVOLUCIONES', ...refunds.lines, row(`  TOTAL DEVOLUCIONES ${refunds.total.count}`, formatCents(refunds.total.amount)));
  const net = payments.total.amount - reversals.total.amount - refunds.total.amount;
  lines.push('', row('NETO', formatCents(net)), '', center('CIERRE CORRECTO'));
  return lines.join('\n');
}
