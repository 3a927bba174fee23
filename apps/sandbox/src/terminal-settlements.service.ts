// Terminal Settlements (cierre de lote): one per terminal call; the terminal takes it like any
// intent and, on CONFIRMED, closes its open batch and starts the next number.
import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IntentLifecycle } from './intent-lifecycle.service';
import { selectPage } from './intent-list';
import type { Intent, SettlementDetails, WireObject } from './intent.model';
import { settlementEnvelope, WIRE_STATUSES, wireStatus } from './paystore-views';
import { badRequest, notFound } from './provider-error';
import { SandboxLedger } from './sandbox-ledger';
import { TERMINAL_ID_PATTERN } from './sandbox.options';
import { VirtualTerminalsService } from './virtual-terminals.service';
import { listFilterFromQuery, optionalParam, requireCuit, requiredParam, requireSubnet, type Query } from './wire-query';

@Injectable()
export class TerminalSettlementsService {
  constructor(
    private readonly ledger: SandboxLedger,
    private readonly lifecycle: IntentLifecycle,
    private readonly terminals: VirtualTerminalsService,
  ) {}

  create(query: Query, now: number): WireObject {
    const cuit = requireCuit(query);
    const subnet = requireSubnet(query);
    const terminalId = requiredParam(query, 'terminal_id');
    if (!TERMINAL_ID_PATTERN.test(terminalId)) throw badRequest('terminal_id must be a string of 8 digits');
    const printReceipt = optionalParam(query, 'print_receipt');
    if (printReceipt !== null && printReceipt !== 'true' && printReceipt !== 'false') {
      throw badRequest('print_receipt must be true or false');
    }
    const [terminal] = this.terminals.resolveForCuit(cuit, [terminalId]);
    const details: SettlementDetails = { kind: 'settlement', terminalId, printReceipt: printReceipt === 'true', subnet };
    const intent = this.lifecycle.open({ id: randomUUID(), cuit, ecrTransactionId: null, plan: 'approve', terminals: [terminal], details, now });
    return this.render(intent, now);
  }

  get(query: Query, settlementId: string, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    const intent = this.ledger.get('settlement', settlementId, cuit);
    if (intent === undefined) throw notFound(`settlement ${settlementId} does not exist for CUIT ${cuit}`);
    return this.render(intent, now);
  }

  list(query: Query, now: number): WireObject {
    const cuit = requireCuit(query);
    requireSubnet(query);
    const filter = listFilterFromQuery(query, WIRE_STATUSES.settlement);
    const terminalId = optionalParam(query, 'terminal_id');
    const all = this.ledger.listFor('settlement', cuit);
    const source = terminalId === null ? all : all.filter((intent) => (intent.details as SettlementDetails).terminalId === terminalId);
    const page = selectPage(source, filter, (intent) => wireStatus(intent, this.lifecycle.observe(intent, now)));
    return { settlements: page.items.map((intent) => this.render(intent, now)), page: filter.page, page_size: filter.pageSize, total: page.total };
  }

  private render(intent: Intent, now: number): WireObject {
    return settlementEnvelope(intent, this.lifecycle.observe(intent, now));
  }
}
