// Pure reading of a PayStore payment (as the client returns it) in our terms: status, failure, and
// once final the card (brand, BIN, last four only), QR id, authorization, batch and receipt.
import { ErrorCode } from '@app/contracts';
import { classifyPaymentStatus, PaymentData, UnknownEnumReporter } from '@app/paystore-client';
import { cardOf, IntentReading, paystoreReading, wireText } from '@app/workers';

/**
 * `cancelReason` decides what an undone intent means for us: the register's cancel (`cancelled`)
 * or our deadline (`expired`). An intent undone with no cancel of ours was cancelled on the terminal.
 */
export function readPayment(
  data: PaymentData,
  cancelReason: 'requested' | 'expired' | null,
  report?: UnknownEnumReporter,
): IntentReading {
  const cls = classifyPaymentStatus(data.payment_status, report);
  const reading = paystoreReading(data, cls, data.payment_id, cancelReason, {
    providerStatus: typeof data.payment_status === 'string' ? data.payment_status : null,
    declinedCode: ErrorCode.Declined,
    card: () => cardOf(data),
    receiptNumber: wireText(data, 'transaction_receipt'),
  });
  if (cls === 'approved' || cls === 'declined' || cls === 'error') {
    reading.result.qrCodeId = wireText(data, 'card_type') === 'QR_CODE' ? wireText(data, 'qr_code_id') : null;
  }
  return reading;
}
