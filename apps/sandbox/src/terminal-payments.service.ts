// Terminal Payments: create (with the amount rules), get, search, cancel and confirm.
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IntentLifecycle } from './intent-lifecycle.service';
import { selectPage } from './intent-list';
import type { Intent, PaymentDetails, WireObject } from './intent.model';
import { outcomeForAmount } from './outcome.rules';
import { paymentEnvelope, WIRE_STATUSES, wireStatus } from './paystore-views';
import { createPaymentSchema, parseWire, paymentSearchSchema } from './paystore-wire.schemas';
import { badRequest, notFound, ProviderError } from './provider-error';
import { SandboxLedger } from './sandbox-ledger';
import { VirtualTerminalsService } from './virtual-terminals.service';
import { parseDate, parseStatuses, requireCuit, requireSubnet, type Query } from './wire-query';

export interface CreateResult {
  envelope: WireObject;
  /** True when the amount says the HTTP answer must never come (09). */
  answerLost: boolean;
}

export function unavailable(): ProviderError {
  return new ProviderError(503, 'SERVICE_UNAVAILABLE', 'the acquirer is not answering; nothing was created', 'SERVICIO NO DISPONIBLE');
}

export function ecrIdText(value: string | number | null | undefined): string | null {
  return value === null || value === undefined ? null : String(value);
}

@Injectable()
export class TerminalPaymentsService {
  constructor(
    private readonly ledger: SandboxLedger,
    private readonly lifecycle: IntentLifecycle,
    private readonly terminals: VirtualTerminalsService,
  ) {}

  create(query: Query, body: unknown, now: number): CreateResult {
    const cuit = requireCuit(query);
    const data = parseWire(createPaymentSchema, body).payment_request_data;
    const terminals = this.terminals.resolveForCuit(
      cuit,
      data.terminals_list.map((ref) => ref.terminal_id),
    );
    const outcome = outcomeForAmount(data.payment_amount);
    if (outcome.answer === 'unavailable') throw unavailable();
    const details: PaymentDetails = {
      kind: 'payment',
      echo: (body as { payment_request_data: WireObject }).payment_request_data,
      amount: data.payment_amount,
      changeAmount: data.change_amount ?? '0',
      installments: data.installments_number ?? 1,
      method: data.terminal_operation_method ?? 'CARD',
      requestedBrand: data.card_brand_product ?? null,
      paymentType: data.payment_type ?? null,
      bankAccountType: data.bank_account_type ?? null,
      paymentPlanId: data.payment_plan_id ?? null,
      trxReceiptNotes: data.trx_receipt_notes ?? null,
      cardHolderId: data.card_holder_id ?? null,
      latestReversal: null,
    };
    const intent = this.lifecycle.open({
      id: randomUUID(),
      cuit,
      ecrTransactionId: ecrIdText(data.ecr_transaction_id),
      plan: outcome.plan,
      terminals,
      details,
      now,
    });
    return { envelope: this.render(intent, now), answerLost: outcome.answer === 'lost' };
  }

  get(query: Query, paymentId: string, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    return this.render(this.find(cuit, paymentId), now);
  }

  search(query: Query, body: unknown, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    if (body !== undefined && (body === null || typeof body !== 'object' || Array.isArray(body))) {
      throw badRequest('body must be a JSON object of filters');
    }
    const filters = parseWire(paymentSearchSchema, body ?? {});
    const ecrTransactionId = ecrIdText(filters.ecr_transaction_id);
    const source = ecrTransactionId === null ? this.ledger.listFor('payment', cuit) : this.ledger.byEcrTransactionId('payment', cuit, ecrTransactionId);
    const page = selectPage(
      source,
      {
        ecrTransactionId,
        statuses: parseStatuses('payment_status', filters.payment_status ?? undefined, WIRE_STATUSES.payment),
        dateFrom: parseDate('date_from', filters.date_from),
        dateTo: parseDate('date_to', filters.date_to),
        page: filters.page ?? 1,
        pageSize: filters.page_size ?? 50,
      },
      (intent) => wireStatus(intent, this.lifecycle.observe(intent, now)),
    );
    return {
      payments: page.items.map((intent) => this.render(intent, now)),
      page: filters.page ?? 1,
      page_size: filters.page_size ?? 50,
      total: page.total,
    };
  }

  cancel(query: Query, paymentId: string, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    const intent = this.find(cuit, paymentId);
    this.lifecycle.cancel(intent, now);
    return this.render(intent, now);
  }

  confirm(query: Query, paymentId: string, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    const intent = this.find(cuit, paymentId);
    this.lifecycle.confirm(intent, now);
    return this.render(intent, now);
  }

  private find(cuit: string, paymentId: string): Intent {
    const intent = this.ledger.get('payment', paymentId, cuit);
    if (intent === undefined) throw notFound(`payment ${paymentId} does not exist for CUIT ${cuit}`);
    return intent;
  }

  private render(intent: Intent, now: number): WireObject {
    return paymentEnvelope(intent, this.lifecycle.observe(intent, now));
  }
}
