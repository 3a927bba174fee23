// Pure mapping from a PayStore settlement (cierre de lote) to our status: CONFIRMED closes the
// batch named in `batch_number`, with the terminal's closing receipt.
import { ErrorCode } from '@app/contracts';
import { classifySettlementStatus, SettlementData, UnknownEnumReporter } from '@app/paystore-client';
import { IntentReading, paystoreReading, wireText } from '@app/workers';

export function mapSettlement(data: SettlementData, report?: UnknownEnumReporter): IntentReading {
  const cls = classifySettlementStatus(data.settlement_status, report);
  // Settlements cannot be cancelled at the provider, so no cancel of ours is ever behind a status.
  const reading = paystoreReading(data, cls, data.settlement_id, null, {
    providerStatus: typeof data.settlement_status === 'string' ? data.settlement_status : null,
    declinedCode: ErrorCode.SettlementDeclined,
  });
  if (cls === 'approved') reading.result.receipt = wireText(data, 'merchant_receipt_detail');
  return reading;
}
