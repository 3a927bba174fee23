// Pure mapping from a PayStore payment (as the client returns it) to our status and the fields the
// API shows. Card data stops at brand, BIN and last four.
import { ErrorCode, OperationStatus } from '@app/contracts';
import type { OperationResult } from '@app/persistence';
import { classifyPaymentStatus, PaymentData, UnknownEnumReporter } from '@app/paystore-client';

const BRANDS: Readonly<Record<string, string>> = Object.freeze({
  VI: 'visa',
  MC: 'mastercard',
  AM: 'amex',
  VISA: 'visa',
  MASTERCARD: 'mastercard',
  'AMERICAN EXPRESS': 'amex',
  AMEX: 'amex',
  CABAL: 'cabal',
  NARANJA: 'naranja',
  MAESTRO: 'maestro',
});

export function cardBrandOf(product?: string | null, name?: string | null): string | null {
  const key = (product ?? name ?? '').trim().toUpperCase();
  if (!key) return null;
  return BRANDS[key] ?? key.toLowerCase();
}

export interface MappedPayment {
  /** Our status for what the provider says, or null when its status tells us nothing new. */
  status: OperationStatus | null;
  /** Provider status class, for decisions (cancel only a `requested` intent). */
  providerClass: ReturnType<typeof classifyPaymentStatus>;
  terminalId: string | null;
  result: OperationResult;
}

/**
 * `cancelReason` decides what an undone intent means for us: the register's cancel (`cancelled`)
 * or our deadline (`expired`). An intent undone with no cancel of ours was cancelled on the terminal.
 */
export function mapPayment(
  data: PaymentData,
  cancelReason: 'requested' | 'expired' | null,
  report?: UnknownEnumReporter,
): MappedPayment {
  const cls = classifyPaymentStatus(data.payment_status, report);
  const d = data as PaymentData & Record<string, unknown>;
  const str = (key: string): string | null => {
    const v = d[key];
    return typeof v === 'string' && v.length > 0 ? v : null;
  };
  const isQr = str('card_type') === 'QR_CODE';
  const brand = cardBrandOf(str('card_brand_product'), str('card_brand'));
  const result: OperationResult = { providerStatus: typeof data.payment_status === 'string' ? data.payment_status : null };
  let status: OperationStatus | null;
  switch (cls) {
    case 'requested':
      status = 'pending';
      break;
    case 'processing':
      status = 'in_progress';
      break;
    case 'cancelling':
    case 'unknown':
      status = null;
      break;
    case 'approved':
      status = 'approved';
      break;
    case 'declined':
      status = 'rejected';
      result.failure = {
        code: ErrorCode.Declined,
        message: str('acquirer_additional_message') ?? str('acquirer_response_code') ?? 'declined by the acquirer',
      };
      break;
    case 'cancelled':
      status = cancelReason === 'expired' ? 'expired' : 'cancelled';
      break;
    case 'error':
      status = 'failed';
      result.failure = {
        code: ErrorCode.TerminalError,
        message: str('acquirer_additional_message') ?? 'the terminal reported an error',
      };
      break;
  }
  if (cls === 'approved' || cls === 'declined' || cls === 'error') {
    Object.assign(result, {
      card: isQr || !brand ? null : { brand, bin: str('bin'), last4: lastFour(str('last_four_digits')), entryMode: entryMode(str('card_type')) },
      qrCodeId: isQr ? str('qr_code_id') : null,
      authorizationCode: str('authorization_code'),
      batchNumber: str('batch_number'),
      receiptNumber: str('transaction_receipt'),
    });
  }
  return { status, providerClass: cls, terminalId: str('terminal_id'), result };
}

function lastFour(value: string | null): string | null {
  if (!value) return null;
  const digits = value.replace(/\D/g, '');
  return digits.length >= 4 ? digits.slice(-4) : null;
}

function entryMode(cardType: string | null): string | null {
  return cardType ? cardType.toLowerCase() : null;
}
