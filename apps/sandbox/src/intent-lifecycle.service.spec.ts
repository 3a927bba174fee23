import { IntentLifecycle } from './intent-lifecycle.service';
import type { Intent, PaymentDetails } from './intent.model';
import { refundEnvelope } from './paystore-views';
import { outcomeForAmount } from './outcome.rules';
import { SandboxLedger } from './sandbox-ledger';
import { resolveSandboxOptions } from './sandbox.options';
import { VirtualTerminalsService } from './virtual-terminals.service';

const CUIT = '30-71234567-8';
const T0 = 1_700_000_000_000;

function setup(takeDelayMs = 100) {
  const options = resolveSandboxOptions({ takeDelayMs, slowMs: 1_000 });
  const ledger = new SandboxLedger();
  const lifecycle = new IntentLifecycle(ledger, options);
  const terminals = new VirtualTerminalsService(ledger, lifecycle, options);
  let seq = 0;
  function payment(amount: string, terminalIds: string[], now: number): Intent {
    seq += 1;
    const details: PaymentDetails = {
      kind: 'payment',
      echo: {},
      amount,
      changeAmount: '0',
      installments: 1,
      method: 'CARD',
      requestedBrand: null,
      paymentType: null,
      bankAccountType: null,
      paymentPlanId: null,
      trxReceiptNotes: null,
      cardHolderId: null,
      latestReversal: null,
    };
    return lifecycle.open({
      id: `p${seq}`,
      cuit: CUIT,
      ecrTransactionId: null,
      plan: outcomeForAmount(amount).plan,
      terminals: terminals.resolveForCuit(CUIT, terminalIds),
      details,
      now,
    });
  }
  function settlement(terminalId: string, now: number): Intent {
    seq += 1;
    return lifecycle.open({
      id: `s${seq}`,
      cuit: CUIT,
      ecrTransactionId: null,
      plan: 'approve',
      terminals: terminals.resolveForCuit(CUIT, [terminalId]),
      details: { kind: 'settlement', terminalId, printReceipt: false, subnet: '1' },
      now,
    });
  }
  function refund(amount: string, terminalIds: string[], now: number): Intent {
    seq += 1;
    return lifecycle.open({
      id: `r${seq}`,
      cuit: CUIT,
      ecrTransactionId: null,
      plan: outcomeForAmount(amount).plan,
      terminals: terminals.resolveForCuit(CUIT, terminalIds),
      details: { kind: 'refund', echo: {}, amount },
      now,
    });
  }
  return { ledger, lifecycle, terminals, payment, settlement, refund };
}

describe('IntentLifecycle', () => {
  it('puts every payment in the batch open when it finished, even when first read after a later close', () => {
    const { lifecycle, terminals, payment, settlement } = setup(100);
    const terminal = terminals.upsert({ terminalId: '38011128', cuit: CUIT }, T0);
    const before = payment('1000', ['38011128'], T0); // finishes at T0+200
    const close = settlement('38011128', T0 + 300); // finishes at T0+500
    const after = payment('2000', ['38011128'], T0 + 400); // finishes at T0+600
    // Nothing was read until now: the order of reads must not matter.
    const late = T0 + 10_000;
    expect(lifecycle.observe(after, late).phase).toBe('approved');
    expect(after.completed?.batchNumber).toBe(2);
    expect(before.completed?.batchNumber).toBe(1);
    expect(close.completed?.batchNumber).toBe(1);
    expect(close.completed?.merchantReceipt).toMatch(/VISA COMPRAS 1 +\$ 10,00/);
    expect(lifecycle.currentBatch(terminal, late)).toBe(2);
  });

  it('does not count declines or terminal errors in the batch', () => {
    const { lifecycle, payment, settlement, terminals } = setup(10);
    terminals.upsert({ terminalId: '38011128', cuit: CUIT }, T0);
    payment('1005', ['38011128'], T0);
    payment('1006', ['38011128'], T0);
    payment('1000', ['38011128'], T0);
    const close = settlement('38011128', T0 + 100);
    lifecycle.observe(close, T0 + 1_000);
    expect(close.completed?.merchantReceipt).toMatch(/TOTAL COMPRAS 1 +\$ 10,00/);
  });

  it('lets the fastest of several broadcast terminals take an intent, and only that one', () => {
    const { lifecycle, terminals, payment } = setup();
    terminals.upsert({ terminalId: '38000001', cuit: CUIT, takeDelayMs: 300 }, T0);
    terminals.upsert({ terminalId: '38000002', cuit: CUIT, takeDelayMs: 100 }, T0);
    const intent = payment('1000', ['38000001', '38000002'], T0);
    const state = lifecycle.observe(intent, T0 + 150);
    expect(state).toMatchObject({ phase: 'processing', take: { terminalId: '38000002', at: T0 + 100 } });
    expect(terminals.intentsOn(terminals.find('38000001'), T0 + 150)).toEqual([]);
  });

  it('keeps a pinned automatic take when the terminal is switched to manual afterwards', () => {
    const { lifecycle, terminals, payment } = setup(100);
    const terminal = terminals.upsert({ terminalId: '38011128', cuit: CUIT }, T0);
    const intent = payment('1000', ['38011128'], T0);
    terminals.configure(terminal, { mode: 'manual' }, T0 + 150);
    expect(lifecycle.observe(intent, T0 + 1_000).phase).toBe('approved');
  });

  it('stops an automatic terminal from taking what waits on it once it is switched to manual', () => {
    const { lifecycle, terminals, payment } = setup(100);
    const terminal = terminals.upsert({ terminalId: '38011128', cuit: CUIT }, T0);
    const intent = payment('1000', ['38011128'], T0);
    terminals.configure(terminal, { mode: 'manual' }, T0 + 50);
    expect(lifecycle.observe(intent, T0 + 10_000).phase).toBe('requested');
  });

  it('refuses to cancel once a terminal has taken the intent, and accepts before', () => {
    const { lifecycle, terminals, payment } = setup(100);
    terminals.upsert({ terminalId: '38011128', cuit: CUIT }, T0);
    const taken = payment('1000', ['38011128'], T0);
    expect(() => lifecycle.cancel(taken, T0 + 100)).toThrow(/already took it/);
    const open = payment('1000', ['38011128'], T0);
    expect(lifecycle.cancel(open, T0 + 99).phase).toBe('undo_requested');
    expect(lifecycle.observe(open, T0 + 199).phase).toBe('undone');
  });

  describe('a cancel by the person at the terminal', () => {
    it('undoes an intent the terminal took, at once and for good, and the register can no longer cancel it', () => {
      const { lifecycle, terminals, payment } = setup(100);
      const terminal = terminals.upsert({ terminalId: '38011128', cuit: CUIT }, T0);
      const intent = payment('1000', ['38011128'], T0); // taken at T0+100, would approve at T0+200
      expect(lifecycle.observe(intent, T0 + 150).phase).toBe('processing');
      expect(lifecycle.cancelOnTerminal(intent, terminal, T0 + 150)).toMatchObject({ phase: 'undone', take: { terminalId: '38011128' } });
      expect(lifecycle.observe(intent, T0 + 10_000).phase).toBe('undone');
      expect(intent.completed).toBeNull();
      expect(terminals.intentsOn(terminal, T0 + 10_000)).toEqual([]);
      expect(() => lifecycle.cancel(intent, T0 + 10_000)).toThrow(/already UNDONE/);
      expect(() => lifecycle.complete(intent, terminal, 'approved', { brand: null, entryMode: null }, T0 + 10_000)).toThrow(/UNDONE/);
    });

    it('undoes a broadcast intent nobody took yet, on every terminal', () => {
      const { lifecycle, terminals, payment } = setup(100);
      const a = terminals.upsert({ terminalId: '38000001', cuit: CUIT, mode: 'manual' }, T0);
      const b = terminals.upsert({ terminalId: '38000002', cuit: CUIT }, T0);
      const intent = payment('1000', ['38000001', '38000002'], T0);
      expect(lifecycle.cancelOnTerminal(intent, a, T0 + 50)).toMatchObject({ phase: 'undone', take: null });
      // B's automatic take was due at T0+100: it never happens.
      expect(lifecycle.observe(intent, T0 + 1_000)).toMatchObject({ phase: 'undone', take: null });
      expect(terminals.intentsOn(b, T0 + 1_000)).toEqual([]);
      expect(() => lifecycle.take(intent, b, T0 + 1_000)).toThrow(/UNDONE/);
    });

    it('refuses what another terminal took, what is finished, a batch close, and an offline terminal', () => {
      const { lifecycle, terminals, payment, settlement } = setup(100);
      const a = terminals.upsert({ terminalId: '38000001', cuit: CUIT, mode: 'manual' }, T0);
      const b = terminals.upsert({ terminalId: '38000002', cuit: CUIT, mode: 'manual' }, T0);
      const taken = payment('1000', ['38000001', '38000002'], T0);
      lifecycle.take(taken, a, T0 + 10);
      expect(() => lifecycle.cancelOnTerminal(taken, b, T0 + 20)).toThrow(/taken by terminal 38000001/);
      lifecycle.complete(taken, a, 'approved', { brand: null, entryMode: null }, T0 + 30);
      expect(() => lifecycle.cancelOnTerminal(taken, a, T0 + 40)).toThrow(/CONFIRMED/);
      expect(() => lifecycle.cancelOnTerminal(settlement('38000001', T0), a, T0 + 40)).toThrow(/batch close/);
      terminals.configure(b, { offline: true }, T0 + 50);
      expect(() => lifecycle.cancelOnTerminal(payment('1000', ['38000002'], T0 + 50), b, T0 + 60)).toThrow(/offline/);
    });
  });

  describe('a refund at a terminal run by a person (refunds are AMEX only)', () => {
    const refundData = (lifecycle: IntentLifecycle, intent: Intent, now: number) =>
      refundEnvelope(intent, lifecycle.observe(intent, now)).refund_data as Record<string, unknown>;

    it('refuses a card that is not AMEX, whatever the button: DECLINED with that card and the error BRAND_NOT_ALLOWED', () => {
      const { lifecycle, terminals, refund } = setup();
      const terminal = terminals.upsert({ terminalId: '38011128', cuit: CUIT, mode: 'manual' }, T0);
      const approved = refund('3000', ['38011128'], T0);
      const declined = refund('3100', ['38011128'], T0);
      expect(lifecycle.complete(approved, terminal, 'approved', { brand: 'VI', entryMode: null }, T0 + 10).phase).toBe('declined');
      expect(lifecycle.complete(declined, terminal, 'declined', { brand: 'MC', entryMode: null }, T0 + 20).phase).toBe('declined');
      expect(refundData(lifecycle, approved, T0 + 30)).toMatchObject({
        refund_status: 'DECLINED',
        card_brand_product: 'VI',
        card_brand: 'VISA',
        acquirer_id: 'PRISMA',
        acquirer_response_code: '57',
        acquirer_additional_message: 'TARJETA NO ADMITIDA',
        authorization_code: null,
        batch_number: null,
        error: { code: 'BRAND_NOT_ALLOWED', message: expect.stringContaining('VISA') },
      });
      expect(refundData(lifecycle, declined, T0 + 30)).toMatchObject({ card_brand_product: 'MC', error: { code: 'BRAND_NOT_ALLOWED' } });
    });

    it('approves or declines an AMEX card as asked, with no error', () => {
      const { lifecycle, terminals, refund } = setup();
      const terminal = terminals.upsert({ terminalId: '38011128', cuit: CUIT, mode: 'manual' }, T0);
      const amex = refund('3000', ['38011128'], T0);
      const unchosen = refund('3100', ['38011128'], T0);
      const declined = refund('3200', ['38011128'], T0);
      lifecycle.complete(amex, terminal, 'approved', { brand: 'AM', entryMode: null }, T0 + 10);
      lifecycle.complete(unchosen, terminal, 'approved', { brand: null, entryMode: null }, T0 + 10);
      lifecycle.complete(declined, terminal, 'declined', { brand: 'AM', entryMode: null }, T0 + 10);
      expect(refundData(lifecycle, amex, T0 + 30)).toMatchObject({ refund_status: 'CONFIRMED', card_brand_product: 'AM', acquirer_id: 'AMEX', error: null });
      expect(refundData(lifecycle, unchosen, T0 + 30)).toMatchObject({ refund_status: 'CONFIRMED', card_brand_product: 'AM', error: null });
      expect(refundData(lifecycle, declined, T0 + 30)).toMatchObject({
        refund_status: 'DECLINED',
        card_brand_product: 'AM',
        acquirer_response_code: '05',
        acquirer_additional_message: 'DENEGADA',
        error: null,
      });
    });

    it('asks for AMEX before a card is presented', () => {
      const { lifecycle, terminals, refund } = setup();
      terminals.upsert({ terminalId: '38011128', cuit: CUIT, mode: 'manual' }, T0);
      const waiting = refund('3000', ['38011128'], T0);
      expect(refundData(lifecycle, waiting, T0 + 10)).toMatchObject({ refund_status: 'REFUND_REQUEST', card_brand_product: 'AM', acquirer_id: 'AMEX', error: null });
    });
  });
});
