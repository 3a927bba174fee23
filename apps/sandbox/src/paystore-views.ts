// Renders intents as the provider's wire envelopes. Every field the provider notes list is
// present (null until known), so a client reading any of them finds the key.
import { BRANDS } from './outcome.rules';
import type { Phase, PhaseState } from './intent-timeline';
import { isBrandRefusal, type Intent, type IntentKind, type PaymentDetails, type RefundDetails, type ReversalDetails, type SettlementDetails, type WireObject } from './intent.model';
import { hardwareOf, merchantOf } from './merchant-identity';

export const STATUS_BY_PHASE: Readonly<Record<IntentKind, Readonly<Record<Phase, string>>>> = Object.freeze({
  payment: {
    requested: 'PAYMENT_REQUEST',
    processing: 'PROCESSING_PAYMENT',
    awaiting_confirmation: 'WAITING_CONFIRMATION',
    approved: 'CONFIRMED',
    declined: 'DECLINED',
    error: 'ERROR',
    undo_requested: 'UNDO_REQUEST',
    undone: 'UNDONE',
  },
  reversal: {
    requested: 'REVERSAL_REQUEST',
    processing: 'PROCESSING_REVERSAL',
    awaiting_confirmation: 'PROCESSING_REVERSAL',
    approved: 'REVERSED',
    declined: 'REVERSAL_DECLINED',
    error: 'REVERSAL_ERROR',
    undo_requested: 'UNDO_REVERSAL_REQUEST',
    undone: 'REVERSAL_UNDONE',
  },
  refund: {
    requested: 'REFUND_REQUEST',
    processing: 'PROCESSING_REFUND',
    awaiting_confirmation: 'PROCESSING_REFUND',
    approved: 'CONFIRMED',
    declined: 'DECLINED',
    error: 'ERROR',
    undo_requested: 'UNDO_REQUEST',
    undone: 'UNDONE',
  },
  settlement: {
    requested: 'SETTLEMENT_REQUEST',
    processing: 'PROCESSING_SETTLEMENT',
    awaiting_confirmation: 'PROCESSING_SETTLEMENT',
    approved: 'CONFIRMED',
    declined: 'DECLINED',
    error: 'ERROR',
    undo_requested: 'SETTLEMENT_REQUEST',
    undone: 'ERROR',
  },
});

/** Every status the wire may show, per kind (what list filters accept). */
export const WIRE_STATUSES: Readonly<Record<IntentKind, readonly string[]>> = Object.freeze({
  payment: [
    'PAYMENT_REQUEST',
    'PROCESSING_PAYMENT',
    'WAITING_CONFIRMATION',
    'CONFIRM_REQUEST',
    'PROCESSING_CONFIRMATION',
    'CONFIRMED',
    'DECLINED',
    'UNDO_REQUEST',
    'PROCESSING_UNDO',
    'UNDONE',
    'ERROR',
  ],
  reversal: [
    'REVERSAL_REQUEST',
    'PROCESSING_REVERSAL',
    'REVERSED',
    'REVERSAL_DECLINED',
    'REVERSAL_ERROR',
    'UNDO_REVERSAL_REQUEST',
    'PROCESSING_UNDO_REVERSAL',
    'REVERSAL_UNDONE',
    'UNDO_REVERSAL_DECLINED',
  ],
  refund: ['REFUND_REQUEST', 'PROCESSING_REFUND', 'CONFIRMED', 'UNDO_REQUEST', 'DECLINED', 'UNDONE', 'ERROR'],
  settlement: ['SETTLEMENT_REQUEST', 'PROCESSING_SETTLEMENT', 'CONFIRMED', 'DECLINED', 'ERROR'],
});

export function wireStatus(intent: Intent, state: PhaseState): string {
  return STATUS_BY_PHASE[intent.details.kind][state.phase];
}

const iso = (at: number | null | undefined): string | null => (at === null || at === undefined ? null : new Date(at).toISOString());

function terminalFields(terminalId: string | null): WireObject {
  const hardware = terminalId === null ? null : hardwareOf(terminalId);
  return {
    terminal_id: terminalId,
    terminal_serial: hardware?.terminalSerial ?? null,
    terminal_model: hardware?.terminalModel ?? null,
    mobitef_app_vers: hardware?.mobitefAppVersion ?? null,
  };
}

function merchantFields(cuit: string): WireObject {
  const merchant = merchantOf(cuit);
  return { merchant_id: merchant.merchantId, merchant_name: merchant.merchantName, cuit_cuil: cuit };
}

function instrumentFields(intent: Intent): WireObject {
  const instrument = intent.completed?.instrument ?? null;
  if (instrument === null) {
    return { acquirer_id: null, card_brand_product: null, card_brand: null, card_type: null, bin: null, last_four_digits: null, card_holder: null, qr_code_id: null };
  }
  if (instrument.type === 'qr') {
    return {
      acquirer_id: 'PRISMA',
      card_brand_product: null,
      card_brand: instrument.wallet,
      card_type: 'QR_CODE',
      bin: null,
      last_four_digits: null,
      card_holder: instrument.holder,
      qr_code_id: instrument.qrCodeId,
      wallet_name: instrument.wallet,
    };
  }
  const brand = BRANDS[instrument.brand];
  return {
    acquirer_id: brand.acquirer,
    card_brand_product: brand.code,
    card_brand: brand.name,
    card_type: instrument.entryMode,
    bin: instrument.bin,
    last_four_digits: instrument.lastFour,
    card_holder: instrument.holder,
    qr_code_id: null,
  };
}

export function paymentData(intent: Intent, state: PhaseState): WireObject {
  const details = intent.details as PaymentDetails;
  const done = intent.completed;
  const approved = done?.result === 'approved';
  const instrument = done?.instrument ?? null;
  return {
    payment_id: intent.id,
    payment_request_date: iso(intent.createdAt),
    payment_status: wireStatus(intent, state),
    payment_status_date: iso(state.since),
    payment_type: instrument?.type === 'card' ? instrument.paymentType : details.paymentType,
    ...merchantFields(intent.cuit),
    ...terminalFields(state.take?.terminalId ?? null),
    authorized_payment_amount: approved ? details.amount : null,
    change_amount: details.changeAmount,
    installments_number: details.installments,
    bank_account_type: details.bankAccountType,
    payment_plan_id: details.paymentPlanId,
    ...instrumentFields(intent),
    client_transaction_id: intent.ecrTransactionId,
    transaction_receipt: done?.receiptNumber == null ? null : String(done.receiptNumber),
    batch_number: done?.batchNumber == null ? null : String(done.batchNumber),
    qr_original_amount: instrument?.type === 'qr' ? details.amount : null,
    acquirer_response_code: done?.responseCode ?? null,
    acquirer_additional_message: done?.acquirerMessage ?? null,
    acquirer_response_date: iso(done?.at),
    authorization_code: done?.authorizationCode ?? null,
    client_receipt_detail: done?.clientReceipt ?? null,
    merchant_receipt_detail: done?.merchantReceipt ?? null,
    payment_auth_nsu: done?.nsu ?? null,
    trx_receipt_notes: details.trxReceiptNotes,
    card_holder_id: details.cardHolderId,
    tax_receipt_content: null,
    order_notes: null,
  };
}

export function paymentEnvelope(intent: Intent, state: PhaseState): WireObject {
  return { payment_request_data: (intent.details as PaymentDetails).echo, payment_data: paymentData(intent, state) };
}

export function reversalEnvelope(reversal: Intent, state: PhaseState, payment: Intent, paymentState: PhaseState): WireObject {
  const details = reversal.details as ReversalDetails;
  const done = reversal.completed;
  return {
    reversal_request_data: details.echo,
    reversal_data: {
      payment_id: payment.id,
      payment_request: (payment.details as PaymentDetails).echo,
      payment_data: paymentData(payment, paymentState),
      reversal_request_date: iso(reversal.createdAt),
      reversal_status: wireStatus(reversal, state),
      reversal_status_date: iso(state.since),
      ...terminalFields(state.take?.terminalId ?? null),
      batch_number: done?.batchNumber == null ? null : String(done.batchNumber),
      transaction_receipt: done?.receiptNumber == null ? null : String(done.receiptNumber),
      authorization_code: done?.authorizationCode ?? null,
      acquirer_response_code: done?.responseCode ?? null,
      acquirer_additional_message: done?.acquirerMessage ?? null,
      acquirer_response_date: iso(done?.at),
      client_receipt_detail: done?.clientReceipt ?? null,
      merchant_receipt_detail: done?.merchantReceipt ?? null,
    },
  };
}

/**
 * `refund_data.error`: the terminal's error, or, for a card that is not AMEX, the provider's
 * `BRAND_NOT_ALLOWED` (the code a create for another brand is refused with).
 */
function refundError(intent: Intent): WireObject | null {
  const done = intent.completed;
  if (done === null) return null;
  if (done.result === 'error') return { code: done.responseCode, message: done.acquirerMessage };
  if (done.result === 'declined' && done.instrument?.type === 'card' && isBrandRefusal(intent.details.kind, done.instrument)) {
    return { code: 'BRAND_NOT_ALLOWED', message: `refunds are for AMEX (AM) only; the card presented is ${BRANDS[done.instrument.brand].name}` };
  }
  return null;
}

export function refundEnvelope(intent: Intent, state: PhaseState): WireObject {
  const details = intent.details as RefundDetails;
  const done = intent.completed;
  const instrument = instrumentFields(intent);
  return {
    refund_request_data: details.echo,
    refund_data: {
      refund_id: intent.id,
      refund_request_date: iso(intent.createdAt),
      refund_status: wireStatus(intent, state),
      refund_status_date: iso(state.since),
      ...merchantFields(intent.cuit),
      ...terminalFields(state.take?.terminalId ?? null),
      refund_amount: details.amount,
      // The card presented; before one is, the brand the refund asks for.
      acquirer_id: instrument.acquirer_id ?? 'AMEX',
      card_brand_product: instrument.card_brand_product ?? 'AM',
      card_brand: instrument.card_brand ?? null,
      card_type: instrument.card_type ?? null,
      bin: instrument.bin ?? null,
      last_four_digits: instrument.last_four_digits ?? null,
      refund_client_id: intent.ecrTransactionId,
      refunds_transaction_receipt: done?.receiptNumber == null ? null : String(done.receiptNumber),
      batch_number: done?.batchNumber == null ? null : String(done.batchNumber),
      acquirer_response_code: done?.responseCode ?? null,
      acquirer_additional_message: done?.acquirerMessage ?? null,
      acquirer_response_date: iso(done?.at),
      authorization_code: done?.authorizationCode ?? null,
      client_receipt_detail: done?.clientReceipt ?? null,
      merchant_receipt_detail: done?.merchantReceipt ?? null,
      refund_auth_nsu: done?.nsu ?? null,
      error: refundError(intent),
    },
  };
}

export function settlementEnvelope(intent: Intent, state: PhaseState): WireObject {
  const details = intent.details as SettlementDetails;
  const done = intent.completed;
  const hardware = hardwareOf(details.terminalId);
  return {
    settlements_data: {
      settlement_id: intent.id,
      terminal_id: details.terminalId,
      print_receipt: details.printReceipt,
      ...merchantFields(intent.cuit),
      subnet_acquirer_id: details.subnet,
      settlement_status: wireStatus(intent, state),
      settlement_status_date: iso(state.since),
      settlement_request_date: iso(intent.createdAt),
      terminal_serial: hardware.terminalSerial,
      terminal_model: hardware.terminalModel,
      mobitef_app_vers: hardware.mobitefAppVersion,
      acquirer_response_code: done?.responseCode ?? null,
      acquirer_additional_message: done?.acquirerMessage ?? null,
      batch_number: done?.batchNumber == null ? null : String(done.batchNumber),
      merchant_receipt_detail: done?.merchantReceipt ?? null,
    },
  };
}
