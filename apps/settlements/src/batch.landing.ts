// An operation that finished at the terminal before a close belongs to the closed batch, even when
// its worker has not recorded that yet (its next poll may be a poll interval away). Before a
// settlement is approved with its totals, it asks the provider, read only, about our operations on
// that terminal that are not final in Postgres: any the provider shows approved in the closed batch
// is still landing, and the settlement waits for its worker to record it. Anything the provider
// shows unfinished finishes after the close, so it lands in the next batch.
import { classifyPaymentStatus, classifyRefundStatus, classifyReversalStatus, PaystoreClient, paystoreFailureOf, wireText } from '@app/paystore-client';
import { DataSource } from 'typeorm';

export type LandingProvider = Pick<
  PaystoreClient,
  'getPayment' | 'findPaymentByEcrTransactionId' | 'getReversal' | 'findReversalByEcrTransactionId' | 'getRefund' | 'findRefundByEcrTransactionId'
>;

interface OpenRow {
  id: string;
  type: 'payment' | 'reversal' | 'refund';
  via: string | null;
  brand: string | null;
  provider_id: string | null;
}

interface ProviderView {
  approved: boolean;
  terminalId: string | null;
  batchNumber: string | null;
}

/** Ids of our operations that the provider put in `batchNumber` of `terminalId` and Postgres does not show final yet. */
export async function operationsStillLanding(
  dataSource: DataSource,
  provider: LandingProvider,
  cuit: string,
  settlement: { merchantId: string; terminalId: string },
  batchNumber: string,
): Promise<string[]> {
  const rows = (await dataSource.query(
    `SELECT o.id, o.type, o.request->>'via' AS via, p.result->'card'->>'brand' AS brand, o.provider_id
       FROM operations o LEFT JOIN operations p ON p.id = o.payment_id
      WHERE o.merchant_id = $1 AND o.type IN ('payment', 'reversal', 'refund')
        AND o.status NOT IN ('approved', 'rejected', 'cancelled', 'expired', 'failed')
        AND (o.provider_id IS NOT NULL OR o.submitted_at IS NOT NULL)
        AND (o.terminal_id = $2 OR o.terminal_ids ? $2)`,
    [settlement.merchantId, settlement.terminalId],
  )) as OpenRow[];
  const landing: string[] = [];
  for (const row of rows) {
    let view: ProviderView | null;
    try {
      view = await viewOf(provider, cuit, row);
    } catch (err) {
      if (paystoreFailureOf(err) === 'circuit_open') throw err;
      // Cannot tell now: count it as landing, so the settlement looks again.
      landing.push(row.id);
      continue;
    }
    if (view?.approved && view.terminalId === settlement.terminalId && view.batchNumber === batchNumber) landing.push(row.id);
  }
  return landing;
}

async function viewOf(provider: LandingProvider, cuit: string, row: OpenRow): Promise<ProviderView | null> {
  if (row.type === 'payment') {
    const found = row.provider_id ? await provider.getPayment(cuit, row.provider_id) : await provider.findPaymentByEcrTransactionId(cuit, row.id);
    const data = found?.payment_data;
    return data ? { approved: classifyPaymentStatus(data.payment_status) === 'approved', ...placeOf(data) } : null;
  }
  if (row.type === 'reversal' && (row.via ?? (row.brand === 'amex' ? 'refund' : 'reversal')) === 'reversal') {
    const found = row.provider_id ? await provider.getReversal(cuit, row.provider_id) : await provider.findReversalByEcrTransactionId(cuit, row.id);
    const data = found?.reversal_data;
    return data ? { approved: classifyReversalStatus(data.reversal_status) === 'approved', ...placeOf(data) } : null;
  }
  const found = row.provider_id ? await provider.getRefund(cuit, row.provider_id) : await provider.findRefundByEcrTransactionId(cuit, row.id);
  const data = found?.refund_data;
  return data ? { approved: classifyRefundStatus(data.refund_status) === 'approved', ...placeOf(data) } : null;
}

function placeOf(data: object): Omit<ProviderView, 'approved'> {
  return { terminalId: wireText(data, 'terminal_id'), batchNumber: wireText(data, 'batch_number') };
}
