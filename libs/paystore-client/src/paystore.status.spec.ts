import {
  classifyPaymentStatus,
  classifyRefundStatus,
  classifyReversalStatus,
  classifySettlementStatus,
  isAwaitingConfirmation,
  isFinalStatusClass,
  PaystoreStatusClass,
} from './paystore.status';

describe('PayStore status classification', () => {
  it.each<[string, PaystoreStatusClass]>([
    ['PAYMENT_REQUEST', 'requested'],
    ['PROCESSING_PAYMENT', 'processing'],
    ['WAITING_CONFIRMATION', 'processing'],
    ['CONFIRM_REQUEST', 'processing'],
    ['PROCESSING_CONFIRMATION', 'processing'],
    ['CONFIRMED', 'approved'],
    ['DECLINED', 'declined'],
    ['UNDO_REQUEST', 'cancelling'],
    ['PROCESSING_UNDO', 'cancelling'],
    ['UNDONE', 'cancelled'],
    ['ERROR', 'error'],
  ])('classifies payment status %s as %s', (status, expected) => {
    const report = jest.fn();
    expect(classifyPaymentStatus(status, report)).toBe(expected);
    expect(report).not.toHaveBeenCalled();
  });

  it.each<[string, PaystoreStatusClass]>([
    ['REVERSAL_REQUEST', 'requested'],
    ['PROCESSING_REVERSAL', 'processing'],
    ['REVERSED', 'approved'],
    ['REVERSAL_DECLINED', 'declined'],
    ['REVERSAL_ERROR', 'error'],
    ['UNDO_REVERSAL_REQUEST', 'cancelling'],
    ['PROCESSING_UNDO_REVERSAL', 'cancelling'],
    ['REVERSAL_UNDONE', 'cancelled'],
    ['UNDO_REVERSAL_DECLINED', 'processing'],
  ])('classifies reversal status %s as %s', (status, expected) => {
    expect(classifyReversalStatus(status)).toBe(expected);
  });

  it.each<[string, PaystoreStatusClass]>([
    ['REFUND_REQUEST', 'requested'],
    ['PROCESSING_REFUND', 'processing'],
    ['CONFIRMED', 'approved'],
    ['UNDO_REQUEST', 'cancelling'],
    ['DECLINED', 'declined'],
    ['UNDONE', 'cancelled'],
    ['ERROR', 'error'],
  ])('classifies refund status %s as %s', (status, expected) => {
    expect(classifyRefundStatus(status)).toBe(expected);
  });

  it.each<[string, PaystoreStatusClass]>([
    ['SETTLEMENT_REQUEST', 'requested'],
    ['PROCESSING_SETTLEMENT', 'processing'],
    ['CONFIRMED', 'approved'],
    ['DECLINED', 'declined'],
    ['ERROR', 'error'],
  ])('classifies settlement status %s as %s', (status, expected) => {
    expect(classifySettlementStatus(status)).toBe(expected);
  });

  it('classifies an unknown status as unknown and reports the field and value instead of throwing', () => {
    const report = jest.fn();
    expect(classifyPaymentStatus('PARTIALLY_APPROVED', report)).toBe('unknown');
    expect(report).toHaveBeenCalledWith('payment_status', 'PARTIALLY_APPROVED');
    expect(classifyReversalStatus('REVERSAL_QUEUED', report)).toBe('unknown');
    expect(report).toHaveBeenCalledWith('reversal_status', 'REVERSAL_QUEUED');
    expect(classifyRefundStatus('REFUNDED', report)).toBe('unknown');
    expect(report).toHaveBeenCalledWith('refund_status', 'REFUNDED');
    expect(classifySettlementStatus('SETTLED', report)).toBe('unknown');
    expect(report).toHaveBeenCalledWith('settlement_status', 'SETTLED');
  });

  it('does not mistake statuses of one operation for another', () => {
    expect(classifyRefundStatus('REFUND_REQUEST')).toBe('requested');
    expect(classifyPaymentStatus('REFUND_REQUEST')).toBe('unknown');
    expect(classifySettlementStatus('UNDONE')).toBe('unknown');
  });

  it('is not fooled by inherited object keys or case changes', () => {
    expect(classifyPaymentStatus('toString')).toBe('unknown');
    expect(classifyPaymentStatus('__proto__')).toBe('unknown');
    expect(classifyPaymentStatus('confirmed')).toBe('unknown');
  });

  it('classifies a missing status as unknown', () => {
    const report = jest.fn();
    expect(classifyPaymentStatus(null, report)).toBe('unknown');
    expect(classifyPaymentStatus(undefined)).toBe('unknown');
    expect(report).toHaveBeenCalledWith('payment_status', 'null');
  });

  it('marks only approved, declined, cancelled and error as final', () => {
    expect(['approved', 'declined', 'cancelled', 'error'].every((c) => isFinalStatusClass(c as PaystoreStatusClass))).toBe(true);
    expect(['requested', 'processing', 'cancelling', 'unknown'].some((c) => isFinalStatusClass(c as PaystoreStatusClass))).toBe(
      false,
    );
  });

  it('says when a payment waits for the confirmation leg', () => {
    expect(isAwaitingConfirmation('WAITING_CONFIRMATION')).toBe(true);
    expect(isAwaitingConfirmation('CONFIRMED')).toBe(false);
  });
});
