// Pure mapping from a PayStore reversal or refund (as the client returns it) to our status and the
// fields the API shows. A reversal carries the original payment's card; a refund its own AMEX card.
import { ErrorCode, FailureView } from '@app/contracts';
import { classifyRefundStatus, classifyReversalStatus, RefundData, ReversalData, UnknownEnumReporter } from '@app/paystore-client';
import { cardOf, IntentReading, paystoreReading, wireText } from '@app/workers';

type CancelReason = 'requested' | 'expired' | null;

export function mapReversal(data: ReversalData, cancelReason: CancelReason, report?: UnknownEnumReporter): IntentReading {
  const cls = classifyReversalStatus(data.reversal_status, report);
  const reading = paystoreReading(data, cls, data.payment_id, cancelReason, {
    providerStatus: typeof data.reversal_status === 'string' ? data.reversal_status : null,
    declinedCode: ErrorCode.ReversalDeclined,
    card: () => cardOf(data.payment_data),
    receiptNumber: wireText(data, 'transaction_receipt'),
  });
  // A QR payment is given back to the same wallet: it has a QR id, not a card.
  if ('card' in reading.result && wireText(data.payment_data, 'card_type') === 'QR_CODE') {
    reading.result.qrCodeId = wireText(data.payment_data, 'qr_code_id');
  }
  return reading;
}

/**
 * `declinedCode`: an AMEX payment given back through Refunds is a reversal to the register
 * (`REVERSAL.DECLINED`); an unreferenced refund is a refund (`REFUND.DECLINED`).
 */
export function mapRefund(
  data: RefundData,
  cancelReason: CancelReason,
  declinedCode: FailureView['code'],
  report?: UnknownEnumReporter,
): IntentReading {
  const cls = classifyRefundStatus(data.refund_status, report);
  return paystoreReading(data, cls, data.refund_id, cancelReason, {
    providerStatus: typeof data.refund_status === 'string' ? data.refund_status : null,
    declinedCode,
    card: () => cardOf(data),
    receiptNumber: wireText(data, 'refunds_transaction_receipt'),
  });
}
