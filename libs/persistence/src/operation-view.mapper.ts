// Turns a stored operation into what the API answers and every event carries.
import { Currency, OperationStatus, OperationView } from '@app/contracts';
import { OperationEntity } from './entities/operation.entity';

export function toOperationView(op: OperationEntity): OperationView {
  const r = op.result ?? {};
  return {
    id: op.id,
    type: op.type,
    status: op.status as OperationStatus,
    merchantId: op.merchantId,
    terminalIds: op.terminalIds,
    terminalId: op.terminalId,
    amount: op.amount,
    currency: (op.currency as Currency | null) ?? null,
    reference: op.reference,
    description: op.description,
    provider: op.provider,
    providerId: op.providerId,
    createdAt: op.createdAt.toISOString(),
    updatedAt: op.updatedAt.toISOString(),
    expiresAt: op.expiresAt ? op.expiresAt.toISOString() : null,
    installments: op.request?.installments ?? null,
    plan: op.request?.plan ?? null,
    method: op.request?.method ?? null,
    card: r.card ?? null,
    qrCodeId: r.qrCodeId ?? null,
    authorizationCode: r.authorizationCode ?? null,
    batchNumber: r.batchNumber ?? null,
    receiptNumber: r.receiptNumber ?? null,
    failure: r.failure ?? null,
    paymentId: op.paymentId,
    reversalId: op.reversalId,
    reversedAmount: op.type === 'payment' ? (op.reversedAmount ?? 0) : null,
    transactions: r.transactions ?? null,
    totals: op.totals,
    receipt: op.type === 'settlement' ? (r.receipt ?? null) : null,
    via: op.type === 'reversal' ? (op.request?.via ?? null) : null,
    batch: op.request?.batch ?? null,
  };
}
