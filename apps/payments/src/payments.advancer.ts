// Drives one payment through the shared provider-intent lifecycle (submit once, look uncertain
// creates up by reference, poll, cancel for the register or at the deadline); this file says which
// PayStore calls a payment makes and how to read their answers.
import { isFinal, OperationStatus } from '@app/contracts';
import type { Logger } from '@app/common';
import { OperationEntity, OperationsRepository } from '@app/persistence';
import { CreatePaymentInput, PaymentEnvelope, PaystoreClient, toWireAmount } from '@app/paystore-client';
import { done, IntentLifecycle, IntentPort, OperationAdvancer, ProviderAdapters, Step } from '@app/workers';
import { readPayment } from './paystore-payment.mapper';

/** The slice of the PayStore client payments need (the real client satisfies it). */
export type PaymentsProvider = Pick<
  PaystoreClient,
  'createPayment' | 'getPayment' | 'findPaymentByEcrTransactionId' | 'cancelPayment' | 'confirmPayment'
>;

const PRINT_COPIES = { both: 'BOTH', merchant: 'MERCHANT_ONLY', customer: 'CUSTOMER_ONLY', none: 'NONE' } as const;
/** Ahora plan codes as the Argentine acquirers number them. */
const AHORA_PLAN_IDS: Readonly<Record<string, string>> = Object.freeze({ ahora_3: '13', ahora_6: '16', ahora_12: '7', ahora_18: '8' });

export function toCreatePaymentInput(op: OperationEntity): CreatePaymentInput {
  const req = op.request ?? {};
  return {
    payment_amount: toWireAmount(op.amount ?? 0),
    ecr_transaction_id: op.id,
    terminals_list: op.terminalIds.map((terminal_id) => ({ terminal_id })),
    terminal_menu_text: (op.description ?? op.reference ?? 'Cobro').slice(0, 100),
    installments_number: req.installments ?? 1,
    payment_plan_id: req.plan ? (AHORA_PLAN_IDS[req.plan] ?? null) : null,
    print_copies: PRINT_COPIES[req.printCopies ?? 'both'],
    terminal_operation_method: req.method === 'qr' ? 'QR_CODE' : 'CARD',
    card_holder_id: req.customerTaxId ?? null,
  };
}

export class PaymentsAdvancer implements OperationAdvancer {
  private readonly port: IntentPort<PaymentEnvelope>;

  constructor(
    private readonly repo: OperationsRepository,
    provider: PaymentsProvider,
    private readonly cuitOf: (merchantId: string) => Promise<string>,
    private readonly lifecycle: IntentLifecycle,
    private readonly logger: Logger,
    private readonly adapters?: Pick<ProviderAdapters, 'get'>,
  ) {
    this.port = {
      create: (cuit, op) => provider.createPayment(cuit, toCreatePaymentInput(op)),
      get: (cuit, providerId) => provider.getPayment(cuit, providerId),
      find: (cuit, op) => provider.findPaymentByEcrTransactionId(cuit, op.id),
      cancel: (cuit, providerId) => provider.cancelPayment(cuit, providerId),
      read: (envelope, op) => readPayment(envelope.payment_data, op.cancelReason),
      // The confirmation leg, where the provider asks for one and the register has confirmed.
      followUp: async (cuit, op, envelope) =>
        op.request?.confirmRequested && op.providerId && envelope.payment_data.payment_status === 'WAITING_CONFIRMATION'
          ? provider.confirmPayment(cuit, op.providerId)
          : envelope,
    };
  }

  async advance(operationId: string): Promise<Step> {
    const op = await this.repo.findById(operationId);
    if (!op || op.type !== 'payment') {
      this.logger.warn({ operationId }, 'job for a payment that does not exist; dropping it');
      return done();
    }
    if (isFinal(op.status as OperationStatus)) return done();
    return this.lifecycle.step(op, await this.cuitOf(op.merchantId), this.portFor(op));
  }

  /** PayStore's port, or the payment port of the operation's provider. */
  private portFor(op: OperationEntity): IntentPort<unknown> {
    if (op.provider === 'paystore') return this.port as IntentPort<unknown>;
    if (!this.adapters) throw new Error(`no adapters for provider ${op.provider}`);
    return this.adapters.get(op.provider).payment();
  }
}
