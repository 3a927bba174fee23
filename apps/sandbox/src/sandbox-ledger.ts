// The in-memory store: virtual terminals and every intent, indexed so that a get, a lookup by
// ecr_transaction_id and a date-bounded list stay cheap however many intents exist.
import { Injectable } from '@nestjs/common';
import type { Intent, IntentKind, VirtualTerminal } from './intent.model';

function ecrKey(kind: IntentKind, cuit: string, ecrTransactionId: string): string {
  return `${kind}\n${cuit}\n${ecrTransactionId}`;
}

@Injectable()
export class SandboxLedger {
  readonly terminals = new Map<string, VirtualTerminal>();
  // Reversals are keyed by their payment id (the provider has no reversal id); the map keeps the
  // latest reversal of each payment, the per-CUIT lists keep them all.
  private readonly byId = new Map<string, Intent>();
  private readonly byEcr = new Map<string, Intent[]>();
  private readonly byCuit = new Map<string, Intent[]>();
  private sequence = 0;

  nextSeq(): number {
    this.sequence += 1;
    return this.sequence;
  }

  add(intent: Intent): void {
    const kind = intent.details.kind;
    this.byId.set(`${kind}:${intent.id}`, intent);
    if (intent.ecrTransactionId !== null) {
      const key = ecrKey(kind, intent.cuit, intent.ecrTransactionId);
      const list = this.byEcr.get(key);
      if (list === undefined) this.byEcr.set(key, [intent]);
      else list.push(intent);
    }
    const cuitKey = `${kind}\n${intent.cuit}`;
    const list = this.byCuit.get(cuitKey);
    if (list === undefined) this.byCuit.set(cuitKey, [intent]);
    else list.push(intent);
  }

  /** The intent of that kind and id, only if it belongs to that CUIT. */
  get(kind: IntentKind, id: string, cuit: string): Intent | undefined {
    const intent = this.byId.get(`${kind}:${id}`);
    return intent !== undefined && intent.cuit === cuit ? intent : undefined;
  }

  byEcrTransactionId(kind: IntentKind, cuit: string, ecrTransactionId: string): readonly Intent[] {
    return this.byEcr.get(ecrKey(kind, cuit, ecrTransactionId)) ?? [];
  }

  /** All intents of a kind for a CUIT, oldest first (creation order, so createdAt never decreases). */
  listFor(kind: IntentKind, cuit: string): readonly Intent[] {
    return this.byCuit.get(`${kind}\n${cuit}`) ?? [];
  }

  clear(): void {
    this.terminals.clear();
    this.byId.clear();
    this.byEcr.clear();
    this.byCuit.clear();
  }
}
