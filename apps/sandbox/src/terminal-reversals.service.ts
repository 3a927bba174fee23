// Terminal Reversals: a referenced void of a CONFIRMED non-AMEX payment, keyed by payment id.
// Outcome by the original payment amount: 15 declined, 16 error, 17 never taken, else REVERSED.
import { Injectable } from '@nestjs/common';
import { IntentLifecycle } from './intent-lifecycle.service';
import { selectPage } from './intent-list';
import type { Intent, PaymentDetails, ReversalDetails, WireObject } from './intent.model';
import { reversalPlanForPaymentAmount } from './outcome.rules';
import { reversalEnvelope, WIRE_STATUSES, wireStatus } from './paystore-views';
import { createReversalSchema, parseWire } from './paystore-wire.schemas';
import { invalidState, notFound, ProviderError } from './provider-error';
import { SandboxLedger } from './sandbox-ledger';
import { ecrIdText } from './terminal-payments.service';
import { VirtualTerminalsService } from './virtual-terminals.service';
import { listFilterFromQuery, requireCuit, requireSubnet, type Query } from './wire-query';

@Injectable()
export class TerminalReversalsService {
  constructor(
    private readonly ledger: SandboxLedger,
    private readonly lifecycle: IntentLifecycle,
    private readonly terminals: VirtualTerminalsService,
  ) {}

  create(query: Query, body: unknown, now: number): WireObject {
    const cuit = requireCuit(query);
    const data = parseWire(createReversalSchema, body).reversal_request_data;
    const payment = this.ledger.get('payment', data.payment_id, cuit);
    if (payment === undefined) throw notFound(`payment ${data.payment_id} does not exist for CUIT ${cuit}`);
    const paymentState = this.lifecycle.observe(payment, now);
    if (paymentState.phase !== 'approved') {
      throw invalidState(`payment ${payment.id} is ${wireStatus(payment, paymentState)}; only a CONFIRMED payment can be reversed`);
    }
    const instrument = payment.completed?.instrument;
    if (instrument?.type === 'card' && instrument.brand === 'AM') {
      throw new ProviderError(400, 'BRAND_NOT_ALLOWED', 'AMEX payments are given back through refunds, not reversals');
    }
    const paymentDetails = payment.details as PaymentDetails;
    const previous = paymentDetails.latestReversal;
    if (previous !== null) {
      const phase = this.lifecycle.observe(previous, now).phase;
      // A reversal that failed or was undone leaves the payment reversible; any other does not.
      if (phase !== 'declined' && phase !== 'error' && phase !== 'undone') {
        throw new ProviderError(409, 'ALREADY_REVERSED', `payment ${payment.id} already has a reversal`);
      }
    }
    const terminalIds = data.terminals_list?.map((ref) => ref.terminal_id) ?? [payment.completed?.terminalId ?? ''];
    const terminals = this.terminals.resolveForCuit(cuit, terminalIds);
    const details: ReversalDetails = {
      kind: 'reversal',
      echo: (body as { reversal_request_data: WireObject }).reversal_request_data,
      payment,
    };
    const reversal = this.lifecycle.open({
      id: payment.id,
      cuit,
      ecrTransactionId: ecrIdText(data.ecr_transaction_id),
      plan: reversalPlanForPaymentAmount(paymentDetails.amount),
      terminals,
      details,
      now,
    });
    paymentDetails.latestReversal = reversal;
    return this.render(reversal, now);
  }

  get(query: Query, paymentId: string, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    return this.render(this.find(cuit, paymentId), now);
  }

  list(query: Query, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    const filter = listFilterFromQuery(query, WIRE_STATUSES.reversal);
    const source =
      filter.ecrTransactionId === null
        ? this.ledger.listFor('reversal', cuit)
        : this.ledger.byEcrTransactionId('reversal', cuit, filter.ecrTransactionId);
    const page = selectPage(source, filter, (intent) => wireStatus(intent, this.lifecycle.observe(intent, now)));
    return { reversals: page.items.map((intent) => this.render(intent, now)), page: filter.page, page_size: filter.pageSize, total: page.total };
  }

  cancel(query: Query, paymentId: string, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    const reversal = this.find(cuit, paymentId);
    this.lifecycle.cancel(reversal, now);
    return this.render(reversal, now);
  }

  private find(cuit: string, paymentId: string): Intent {
    const reversal = this.ledger.get('reversal', paymentId, cuit);
    if (reversal === undefined) throw notFound(`payment ${paymentId} has no reversal for CUIT ${cuit}`);
    return reversal;
  }

  private render(reversal: Intent, now: number): WireObject {
    const payment = (reversal.details as ReversalDetails).payment;
    return reversalEnvelope(reversal, this.lifecycle.observe(reversal, now), payment, this.lifecycle.observe(payment, now));
  }
}
