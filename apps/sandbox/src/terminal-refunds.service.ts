// Terminal Refunds: unreferenced give-backs, AMEX only; outcomes follow the payment amount table
// on `refund_amount`.
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IntentLifecycle } from './intent-lifecycle.service';
import { selectPage } from './intent-list';
import type { Intent, WireObject } from './intent.model';
import { outcomeForAmount } from './outcome.rules';
import { refundEnvelope, WIRE_STATUSES, wireStatus } from './paystore-views';
import { createRefundSchema, parseWire } from './paystore-wire.schemas';
import { notFound, ProviderError } from './provider-error';
import { SandboxLedger } from './sandbox-ledger';
import { ecrIdText, unavailable, type CreateResult } from './terminal-payments.service';
import { VirtualTerminalsService } from './virtual-terminals.service';
import { listFilterFromQuery, requireCuit, requireSubnet, type Query } from './wire-query';

@Injectable()
export class TerminalRefundsService {
  constructor(
    private readonly ledger: SandboxLedger,
    private readonly lifecycle: IntentLifecycle,
    private readonly terminals: VirtualTerminalsService,
  ) {}

  create(query: Query, body: unknown, now: number): CreateResult {
    const cuit = requireCuit(query);
    const data = parseWire(createRefundSchema, body);
    if (data.card_brand_product !== 'AM') {
      throw new ProviderError(400, 'BRAND_NOT_ALLOWED', `refunds are for AMEX (AM) only, not ${data.card_brand_product}; use a reversal`);
    }
    const terminals = this.terminals.resolveForCuit(
      cuit,
      data.terminals_list.map((ref) => ref.terminal_id),
    );
    const outcome = outcomeForAmount(data.refund_amount);
    if (outcome.answer === 'unavailable') throw unavailable();
    const intent = this.lifecycle.open({
      id: randomUUID(),
      cuit,
      ecrTransactionId: ecrIdText(data.ecr_transaction_id),
      plan: outcome.plan,
      terminals,
      details: { kind: 'refund', echo: body as WireObject, amount: data.refund_amount },
      now,
    });
    return { envelope: this.render(intent, now), answerLost: outcome.answer === 'lost' };
  }

  get(query: Query, refundId: string, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    return this.render(this.find(cuit, refundId), now);
  }

  list(query: Query, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    const filter = listFilterFromQuery(query, WIRE_STATUSES.refund);
    const source =
      filter.ecrTransactionId === null
        ? this.ledger.listFor('refund', cuit)
        : this.ledger.byEcrTransactionId('refund', cuit, filter.ecrTransactionId);
    const page = selectPage(source, filter, (intent) => wireStatus(intent, this.lifecycle.observe(intent, now)));
    return { refunds: page.items.map((intent) => this.render(intent, now)), page: filter.page, page_size: filter.pageSize, total: page.total };
  }

  cancel(query: Query, refundId: string, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    const intent = this.find(cuit, refundId);
    this.lifecycle.cancel(intent, now);
    return this.render(intent, now);
  }

  private find(cuit: string, refundId: string): Intent {
    const intent = this.ledger.get('refund', refundId, cuit);
    if (intent === undefined) throw notFound(`refund ${refundId} does not exist for CUIT ${cuit}`);
    return intent;
  }

  private render(intent: Intent, now: number): WireObject {
    return refundEnvelope(intent, this.lifecycle.observe(intent, now));
  }
}
