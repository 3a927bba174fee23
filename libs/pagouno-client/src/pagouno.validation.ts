// What pagoUno requires of a purchase group, checked before anything is queued or sent: pure, so
// the gateway refuses a bad split with field errors and the adapter never spends a single-use
// token on a request pagoUno would refuse. Also the two translations the wire needs: Ahora plans
// to pagoUno's installment codes, and our split to the purchase group body.
import type { FieldError } from '@app/contracts';
import type { PagounoPurchase } from '@app/persistence';
import type { PurchaseGroupRequest, PurchaseWire } from './pagouno.wire';

/** pagoUno's smallest purchase, in centavos ($10). */
export const PAGOUNO_MIN_AMOUNT = 1000;
export const PAGOUNO_MAX_INSTALLMENTS = 99;
/** ARS, the only currency pagoUno takes. */
export const PAGOUNO_CURRENCY_CODE = '032';
export const SELLER_DESCRIPTOR_PATTERN = /^[A-Z0-9*]{1,25}$/;
const REFERENCE_MAX = 64;

/** "Programa Ahora" plans: the installments the buyer sees, and the code sent in `installments`. */
export const AHORA_PLANS: Readonly<Record<string, { installments: number; code: number }>> = Object.freeze({
  ahora_3: { installments: 3, code: 13 },
  ahora_6: { installments: 6, code: 16 },
  ahora_12: { installments: 12, code: 7 },
  ahora_18: { installments: 18, code: 8 },
});

/** Installment counts that pagoUno reads as an Ahora plan, so a standard sale cannot send them. */
const AHORA_CODES: ReadonlyMap<number, string> = new Map(Object.entries(AHORA_PLANS).map(([plan, p]) => [p.code, plan]));

/** One purchase of our split (`OperationRequest.pagouno`), and pagoUno's access key of its merchant group when it has one. */
export type PagounoPurchaseInput = PagounoPurchase & {
  /** pagoUno's `access_key_merchant_code_group`. */
  merchantAccessKey?: string;
};

export interface PagounoSplitInput {
  cards: { token: string; purchases: PagounoPurchaseInput[] }[];
}

export interface PagounoValidationOptions {
  /** The operation's amount: the purchases must add up to it. */
  amount?: number;
  /** The operation's currency: only ARS. */
  currency?: string;
  /** Prefix of every field name (the gateway's body has the split under `pagouno`). Default `pagouno`. */
  prefix?: string;
}

/**
 * The value pagoUno expects in `installments`: the Ahora code for a plan (3→13, 6→16, 12→7,
 * 18→8), the count itself for a standard sale. With a plan, `installments` is the plan's own count
 * or 1 (the commands' default). Throws on a combination `validatePagounoRequest` refuses.
 */
export function pagounoInstallments(installments: number, plan: string | null | undefined): number {
  if (plan === null || plan === undefined) {
    if (AHORA_CODES.has(installments)) {
      const plan = AHORA_CODES.get(installments) as string;
      throw new RangeError(`pagoUno reads installments ${installments} as Ahora ${AHORA_PLANS[plan].installments} (plan ${plan}); ${installments} standard installments cannot be sent`);
    }
    return installments;
  }
  const ahora = AHORA_PLANS[plan];
  if (!ahora) throw new RangeError(`unknown installment plan ${plan}`);
  // 1 is the commands' default: with a plan it means "as many as the plan has".
  if (installments !== ahora.installments && installments !== 1) {
    throw new RangeError(`plan ${plan} is ${ahora.installments} installments, not ${installments}`);
  }
  return ahora.code;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Field errors for a split pagoUno would refuse (empty when it is fine): at least one card with a
 * token and at least one purchase each; each purchase a merchant, an integer amount of at least
 * 1000 centavos, 1–99 installments (an Ahora plan with its own count or 1, a standard sale not on
 * an Ahora code), a seller descriptor of at most 25 of A–Z, 0–9 and "*", a printable subscription code;
 * no token twice; purchases adding up to `options.amount`; currency ARS.
 */
export function validatePagounoRequest(input: unknown, options: PagounoValidationOptions = {}): FieldError[] {
  const prefix = options.prefix ?? 'pagouno';
  const at = (path: string): string => (prefix ? `${prefix}.${path}` : path);
  const errors: FieldError[] = [];
  const add = (field: string, message: string): void => {
    errors.push({ field, message });
  };
  if (options.currency !== undefined && options.currency !== 'ARS' && options.currency !== PAGOUNO_CURRENCY_CODE) {
    add('currency', 'pagoUno charges in ARS only');
  }
  if (!isObject(input) || !Array.isArray(input['cards'])) {
    add(at('cards'), 'a pagoUno charge needs its cards');
    return errors;
  }
  const cards = input['cards'] as unknown[];
  if (cards.length === 0) add(at('cards'), 'at least one card');
  const tokens = new Set<string>();
  let total = 0;
  cards.forEach((card, c) => {
    const cardAt = `cards.${c}`;
    if (!isObject(card)) {
      add(at(cardAt), 'must be an object with token and purchases');
      return;
    }
    const token = card['token'];
    if (typeof token !== 'string' || token.trim().length === 0) add(at(`${cardAt}.token`), 'a card token is required');
    else if (tokens.has(token)) add(at(`${cardAt}.token`), 'a token is single use: the same token cannot pay twice');
    else tokens.add(token);
    const purchases = card['purchases'];
    if (!Array.isArray(purchases) || purchases.length === 0) {
      add(at(`${cardAt}.purchases`), 'at least one purchase per card');
      return;
    }
    purchases.forEach((purchase: unknown, p) => {
      const pAt = `${cardAt}.purchases.${p}`;
      if (!isObject(purchase)) {
        add(at(pAt), 'must be an object');
        return;
      }
      total += validatePurchase(purchase, (field, message) => add(at(`${pAt}.${field}`), message));
    });
  });
  if (options.amount !== undefined && errors.length === 0 && total !== options.amount) {
    add(at('cards'), `the purchases add up to ${total}, not the amount ${options.amount}`);
  }
  return errors;
}

/** Checks one purchase; answers its amount when valid (0 otherwise) for the total. */
function validatePurchase(purchase: Record<string, unknown>, add: (field: string, message: string) => void): number {
  const merchant = purchase['merchantCode'];
  if (typeof merchant !== 'string' || merchant.trim().length === 0) add('merchantCode', 'the merchant (merchant_code_group) is required');
  const amount = purchase['amount'];
  let valid = 0;
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) add('amount', 'must be a whole number of centavos');
  else if (amount < PAGOUNO_MIN_AMOUNT) add('amount', `a pagoUno purchase is at least ${PAGOUNO_MIN_AMOUNT} centavos`);
  else valid = amount;
  const installments = purchase['installments'] ?? 1;
  const plan = purchase['plan'] ?? null;
  if (typeof installments !== 'number' || !Number.isInteger(installments) || installments < 1 || installments > PAGOUNO_MAX_INSTALLMENTS) {
    add('installments', `must be a whole number from 1 to ${PAGOUNO_MAX_INSTALLMENTS}`);
  } else if (plan !== null && (typeof plan !== 'string' || !AHORA_PLANS[plan])) {
    add('plan', `must be one of ${Object.keys(AHORA_PLANS).join(', ')} or null`);
  } else {
    try {
      pagounoInstallments(installments, plan as string | null);
    } catch (err) {
      add(plan === null ? 'installments' : 'plan', (err as Error).message);
    }
  }
  const descriptor = purchase['sellerDescriptor'];
  if (typeof descriptor !== 'string' || !SELLER_DESCRIPTOR_PATTERN.test(descriptor)) {
    add('sellerDescriptor', 'must be 1 to 25 of A-Z, 0-9 and "*"');
  }
  const subscription = purchase['subscriptionCode'];
  if (subscription !== undefined && subscription !== null && (typeof subscription !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(subscription))) {
    add('subscriptionCode', 'must be 1 to 64 printable characters');
  }
  const accessKey = purchase['merchantAccessKey'];
  if (accessKey !== undefined && (typeof accessKey !== 'string' || accessKey.length === 0)) add('merchantAccessKey', 'must be a non-empty string');
  return valid;
}

/** The purchase group body for our split; `reference` goes in both identificator and external reference. */
export function toPurchaseGroupRequest(reference: string, split: PagounoSplitInput): PurchaseGroupRequest {
  if (reference.length === 0 || reference.length > REFERENCE_MAX) throw new RangeError(`reference must be 1 to ${REFERENCE_MAX} characters`);
  return {
    transaction_group_type: 1,
    customer_transaction_identificator: reference,
    external_reference: reference,
    primary_account_number_list: split.cards.map((card) => ({
      token_id: card.token,
      purchase_list: card.purchases.map((p) => {
        const wire: PurchaseWire = {
          merchant_code_group: p.merchantCode,
          transaction_amount: p.amount,
          installments_plan: 0,
          installments: pagounoInstallments(p.installments, p.plan),
          transaction_currency_code: PAGOUNO_CURRENCY_CODE,
          seller_descriptor: p.sellerDescriptor,
        };
        if (p.merchantAccessKey !== undefined) wire.access_key_merchant_code_group = p.merchantAccessKey;
        if (p.subscriptionCode !== undefined) wire.subscription_code = p.subscriptionCode;
        return wire;
      }),
    })),
  };
}
