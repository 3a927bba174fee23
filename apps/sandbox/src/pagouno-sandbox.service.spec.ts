import { PagounoRefusal, PagounoSandbox, brandOfPan } from './pagouno-sandbox.service';
import { maskTokenBody } from './pagouno-wire-hooks';
import { resolveSandboxOptions } from './sandbox.options';
import type { PurchaseGroupInput } from './pagouno-wire.schemas';

const NOW = Date.parse('2026-03-04T10:00:00Z');

function sandbox(): PagounoSandbox {
  return new PagounoSandbox(resolveSandboxOptions({ pagouno: { privateKey: 'priv', publicKey: 'pub' } }));
}

function token(s: PagounoSandbox, pan = '4545454545458745'): string {
  return s.tokenize([{ primary_account_number: pan }])[0]['id'] as string;
}

function group(reference: string, cards: { token: string; amounts: number[] }[]): PurchaseGroupInput {
  return {
    transaction_group_type: 1,
    customer_transaction_identificator: reference,
    primary_account_number_list: cards.map((c) => ({
      token_id: c.token,
      purchase_list: c.amounts.map((amount) => ({
        merchant_code_group: 'MG',
        transaction_amount: amount,
        installments_plan: 0 as const,
        installments: 1,
        transaction_currency_code: '032' as const,
        seller_descriptor: 'P1*X',
      })),
    })),
  };
}

const refusal = (fn: () => unknown): PagounoRefusal => {
  try {
    fn();
  } catch (err) {
    if (err instanceof PagounoRefusal) return err;
    throw err;
  }
  throw new Error('expected a refusal');
};

describe('PagounoSandbox', () => {
  it('accepts only the raw key each route needs', () => {
    const s = sandbox();
    expect(() => s.authorize('priv', 'private')).not.toThrow();
    expect(refusal(() => s.authorize('pub', 'private'))).toMatchObject({ status: 403, message: 'not authorized' });
    expect(refusal(() => s.authorize(undefined, 'public')).status).toBe(403);
  });

  it('keeps brand, BIN and last four behind a token, never the number', () => {
    const s = sandbox();
    token(s, '5401000000000004');
    const charged = s.charge(group('r', [{ token: token(s, '5401000000000004'), amounts: [1500] }]), NOW);
    expect(JSON.stringify(charged)).not.toContain('5401000000000004');
    expect(charged.data).toMatchObject({ request: [{ card: 'Mastercard', bin: '540100', last_4_digits: '0004' }] });
  });

  it('brands by BIN', () => {
    expect(brandOfPan('4545454545454545')).toBe('Visa');
    expect(brandOfPan('5401000000000004')).toBe('Mastercard');
    expect(brandOfPan('376411000000000')).toBe('American Express');
    expect(brandOfPan('5896570000000004')).toBe('Cabal');
  });

  it('reverses the approved transactions of a group with a failure', () => {
    const s = sandbox();
    const charged = s.charge(group('r', [{ token: token(s), amounts: [1500, 1505, 2000] }]), NOW);
    expect(charged.data).toMatchObject({ success: false });
    const response = (charged.data as { response: { success: boolean; reversed: boolean }[] }).response;
    expect(response.map((t) => [t.success, t.reversed])).toEqual([
      [true, true],
      [false, false],
      [true, true],
    ]);
  });

  it('spends tokens once; a refused or 503 charge spends none', () => {
    const s = sandbox();
    const t = token(s);
    expect(s.charge(group('a', [{ token: t, amounts: [1510] }]), NOW).answer).toBe('unavailable');
    expect(refusal(() => s.charge(group('b', [{ token: t, amounts: [1500] }, { token: 'nope', amounts: [1500] }]), NOW)).status).toBe(400);
    expect(s.charge(group('c', [{ token: t, amounts: [1500] }]), NOW).data).toMatchObject({ success: true });
    expect(refusal(() => s.charge(group('d', [{ token: t, amounts: [1500] }]), NOW)).status).toBe(400);
    expect(refusal(() => s.charge(group('e', [{ token: token(s) + '', amounts: [1500] }, { token: t, amounts: [1] }]), NOW)).status).toBe(400);
  });

  it('answers a repeated identificator with the group it made', () => {
    const s = sandbox();
    const first = s.charge(group('same', [{ token: token(s), amounts: [1500] }]), NOW);
    const again = s.charge(group('same', [{ token: 'anything', amounts: [9999] }]), NOW);
    expect(again.data).toEqual(first.data);
  });

  it('answers each annulment once per reference, and refuses a second one of an annulled transaction', () => {
    const s = sandbox();
    const charged = s.charge(group('r', [{ token: token(s), amounts: [1500] }]), NOW);
    const id = (charged.data as { response: { id: string }[] }).response[0].id;
    const first = s.adjust(id, { adjustment_type: 'annulment', external_reference: 'rev-1' }, NOW);
    expect(first).toMatchObject({ success: true, transaction_id: id });
    expect(s.adjust(id, { adjustment_type: 'annulment', external_reference: 'rev-1' }, NOW)).toEqual(first);
    expect(refusal(() => s.adjust(id, { adjustment_type: 'annulment', external_reference: 'rev-2' }, NOW)).status).toBe(409);
    expect(s.transaction(id)).toMatchObject({ annulled: true });
    expect(s.adjustmentsFor('rev-1')).toHaveLength(1);
  });

  it('forgets everything on clear', () => {
    const s = sandbox();
    s.charge(group('r', [{ token: token(s), amounts: [1500] }]), NOW);
    s.clear();
    expect(refusal(() => s.findGroup('r')).status).toBe(404);
  });
});

describe('maskTokenBody', () => {
  it('cuts card numbers to BIN and last four and drops the security code and holder', () => {
    const body = [{ primary_account_number: '4545454545458745', expiration_date: '3012', card_security_code: '123', card_holder: { front_name: 'ANA' } }];
    expect(maskTokenBody(body)).toEqual([{ primary_account_number: '454545******8745', expiration_date: '3012', card_security_code: '***', card_holder: '[masked]' }]);
    expect(body[0].primary_account_number).toBe('4545454545458745');
    expect(maskTokenBody({ primary_account_number: '4545454545458745' })).toBe('[masked]');
  });
});
