import { AHORA_PLANS, pagounoInstallments, toPurchaseGroupRequest, validatePagounoRequest } from './pagouno.validation';

const purchase = (extra: Record<string, unknown> = {}) => ({
  merchantCode: 'MG-01',
  amount: 1000,
  installments: 1,
  plan: null,
  sellerDescriptor: 'P1*TEATRO*UNO',
  ...extra,
});
const split = (...purchases: Record<string, unknown>[]) => ({ cards: [{ token: 'TOKEN-1', purchases }] });
const fields = (input: unknown, options = {}) => validatePagounoRequest(input, options).map((e) => e.field);

describe('validatePagounoRequest', () => {
  it('accepts a valid split of two cards and two merchants that adds up to the amount', () => {
    const input = {
      cards: [
        { token: 'T-1', purchases: [purchase({ amount: 1500 }), purchase({ merchantCode: 'MG-02', amount: 2500 })] },
        { token: 'T-2', purchases: [purchase({ amount: 1000 }), purchase({ merchantCode: 'MG-02', amount: 1000, plan: 'ahora_12', installments: 12 })] },
      ],
    };
    expect(validatePagounoRequest(input, { amount: 6000, currency: 'ARS' })).toEqual([]);
  });

  it('refuses a purchase under 1000 centavos, or not whole', () => {
    expect(fields(split(purchase({ amount: 999 })))).toEqual(['pagouno.cards.0.purchases.0.amount']);
    expect(fields(split(purchase({ amount: 1000.5 })))).toEqual(['pagouno.cards.0.purchases.0.amount']);
    expect(fields(split(purchase({ amount: 1000 })))).toEqual([]);
  });

  it.each([0, 100, 1.5])('refuses %p installments', (installments) => {
    expect(fields(split(purchase({ installments })))).toEqual(['pagouno.cards.0.purchases.0.installments']);
  });

  it('accepts 1 to 99 standard installments except the counts pagoUno reads as Ahora codes', () => {
    for (const n of [1, 2, 3, 6, 12, 18, 24, 99]) expect(fields(split(purchase({ installments: n })))).toEqual([]);
    for (const n of [7, 8, 13, 16]) {
      const errors = validatePagounoRequest(split(purchase({ installments: n })));
      expect(errors).toEqual([{ field: 'pagouno.cards.0.purchases.0.installments', message: expect.stringContaining('Ahora') }]);
    }
  });

  it('accepts an Ahora plan with its own number of installments, or 1 (the default)', () => {
    expect(fields(split(purchase({ plan: 'ahora_6', installments: 6 })))).toEqual([]);
    expect(fields(split(purchase({ plan: 'ahora_6', installments: 1 })))).toEqual([]);
    expect(validatePagounoRequest(split(purchase({ plan: 'ahora_6', installments: 3 })))).toEqual([
      { field: 'pagouno.cards.0.purchases.0.plan', message: 'plan ahora_6 is 6 installments, not 3' },
    ]);
    expect(fields(split(purchase({ plan: 'ahora_24', installments: 24 })))).toEqual(['pagouno.cards.0.purchases.0.plan']);
  });

  it.each(['', 'Teatro UNO', 'P1C1c1*Teatro UNO', 'TEATRO-UNO', 'A'.repeat(26), 'ÑANDU'])('refuses the seller descriptor %p', (sellerDescriptor) => {
    expect(fields(split(purchase({ sellerDescriptor })))).toEqual(['pagouno.cards.0.purchases.0.sellerDescriptor']);
  });

  it.each(['P1*TEATRO*UNO', 'A'.repeat(25), '*', '0123456789'])('accepts the seller descriptor %p', (sellerDescriptor) => {
    expect(fields(split(purchase({ sellerDescriptor })))).toEqual([]);
  });

  it('checks the subscription code when given', () => {
    expect(fields(split(purchase({ subscriptionCode: 'MENSUAL' })))).toEqual([]);
    expect(fields(split(purchase({ subscriptionCode: 'con espacio' })))).toEqual(['pagouno.cards.0.purchases.0.subscriptionCode']);
  });

  it('refuses no cards, a card without purchases, a missing token, a token used twice, a missing merchant', () => {
    expect(fields({ cards: [] })).toEqual(['pagouno.cards']);
    expect(fields(undefined)).toEqual(['pagouno.cards']);
    expect(fields({ cards: [{ token: 'T', purchases: [] }] })).toEqual(['pagouno.cards.0.purchases']);
    expect(fields({ cards: [{ token: '', purchases: [purchase()] }] })).toEqual(['pagouno.cards.0.token']);
    expect(fields({ cards: [{ token: 'T', purchases: [purchase()] }, { token: 'T', purchases: [purchase()] }] })).toEqual(['pagouno.cards.1.token']);
    expect(fields(split(purchase({ merchantCode: ' ' })))).toEqual(['pagouno.cards.0.purchases.0.merchantCode']);
  });

  it('refuses purchases that do not add up to the amount, and another currency', () => {
    expect(validatePagounoRequest(split(purchase({ amount: 1500 })), { amount: 2000 })).toEqual([
      { field: 'pagouno.cards', message: 'the purchases add up to 1500, not the amount 2000' },
    ]);
    expect(fields(split(purchase()), { currency: 'USD' })).toEqual(['currency']);
  });

  it('names fields without a prefix when asked', () => {
    expect(fields(split(purchase({ amount: 1 })), { prefix: '' })).toEqual(['cards.0.purchases.0.amount']);
  });
});

describe('pagounoInstallments', () => {
  it('sends Ahora 3, 6, 12 and 18 as 13, 16, 7 and 8', () => {
    expect(pagounoInstallments(3, 'ahora_3')).toBe(13);
    expect(pagounoInstallments(6, 'ahora_6')).toBe(16);
    expect(pagounoInstallments(12, 'ahora_12')).toBe(7);
    expect(pagounoInstallments(18, 'ahora_18')).toBe(8);
    expect(pagounoInstallments(1, 'ahora_12')).toBe(7);
    expect(Object.keys(AHORA_PLANS)).toEqual(['ahora_3', 'ahora_6', 'ahora_12', 'ahora_18']);
  });

  it('sends standard 3, 6, 12 and 18 installments as themselves', () => {
    for (const n of [1, 3, 6, 12, 18]) expect(pagounoInstallments(n, null)).toBe(n);
  });

  it('throws where the validation refuses', () => {
    expect(() => pagounoInstallments(7, null)).toThrow(/ahora_12/);
    expect(() => pagounoInstallments(3, 'ahora_6')).toThrow(RangeError);
  });
});

describe('toPurchaseGroupRequest', () => {
  it('builds the purchase group with our reference as identificator and external reference', () => {
    const body = toPurchaseGroupRequest('op-1', {
      cards: [{ token: 'T-1', purchases: [{ ...purchase({ plan: 'ahora_3', installments: 3, subscriptionCode: 'MENSUAL' }), merchantAccessKey: 'K' }] }],
    });
    expect(body).toEqual({
      transaction_group_type: 1,
      customer_transaction_identificator: 'op-1',
      external_reference: 'op-1',
      primary_account_number_list: [
        {
          token_id: 'T-1',
          purchase_list: [
            {
              merchant_code_group: 'MG-01',
              access_key_merchant_code_group: 'K',
              transaction_amount: 1000,
              subscription_code: 'MENSUAL',
              installments_plan: 0,
              installments: 13,
              transaction_currency_code: '032',
              seller_descriptor: 'P1*TEATRO*UNO',
            },
          ],
        },
      ],
    });
  });
});
