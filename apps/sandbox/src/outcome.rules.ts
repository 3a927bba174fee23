// Pure rules that make every sandbox outcome reproducible from the request alone: the amount's
// last digits pick the outcome, the request or the amount picks the card brand. Nothing here
// reads the clock or the store, so the rules are unit-tested on their own.

/** What an automatic terminal does with an intent. */
export type AutoPlan = 'approve' | 'decline' | 'error' | 'slow' | 'never';

/** What the HTTP create answer does, independently of what the terminal later does. */
export type CreateAnswer = 'normal' | 'lost' | 'unavailable';

export interface AmountOutcome {
  plan: AutoPlan;
  answer: CreateAnswer;
}

/** Card brands a virtual terminal can read. Codes are the wire's `card_brand_product`. */
export const BRAND_CODES = ['VI', 'MC', 'AM', 'MA', 'CB'] as const;
export type BrandCode = (typeof BRAND_CODES)[number];

/** Brands a payment request may ask for, as in the provider notes. */
export const REQUESTABLE_BRANDS = ['VI', 'MC', 'AM'] as const;

export interface BrandInfo {
  code: BrandCode;
  name: string;
  acquirer: 'PRISMA' | 'AMEX';
  paymentType: 'CREDIT' | 'DEBIT';
  bins: readonly string[];
}

// BIN ranges are public knowledge per brand; the exact six digits are only plausible, not real.
export const BRANDS: Readonly<Record<BrandCode, BrandInfo>> = Object.freeze({
  VI: { code: 'VI', name: 'VISA', acquirer: 'PRISMA', paymentType: 'CREDIT', bins: ['450799', '454646', '476520'] },
  MC: { code: 'MC', name: 'MASTERCARD', acquirer: 'PRISMA', paymentType: 'CREDIT', bins: ['517562', '540100', '552222'] },
  AM: { code: 'AM', name: 'AMERICAN EXPRESS', acquirer: 'AMEX', paymentType: 'CREDIT', bins: ['376411', '377798', '371593'] },
  MA: { code: 'MA', name: 'MAESTRO', acquirer: 'PRISMA', paymentType: 'DEBIT', bins: ['501041', '589562'] },
  CB: { code: 'CB', name: 'CABAL', acquirer: 'PRISMA', paymentType: 'CREDIT', bins: ['589657', '604201'] },
});

export function isBrandCode(value: unknown): value is BrandCode {
  return typeof value === 'string' && (BRAND_CODES as readonly string[]).includes(value);
}

function lastDigits(amountCents: string, count: number): string {
  return amountCents.padStart(count, '0').slice(-count);
}

/**
 * Outcome of a payment or refund by the last two digits of its amount in cents:
 * 05 declined, 06 terminal error, 07 never taken, 08 slow, 09 answer lost, 10 answer 503,
 * anything else approved.
 */
export function outcomeForAmount(amountCents: string): AmountOutcome {
  switch (lastDigits(amountCents, 2)) {
    case '05':
      return { plan: 'decline', answer: 'normal' };
    case '06':
      return { plan: 'error', answer: 'normal' };
    case '07':
      return { plan: 'never', answer: 'normal' };
    case '08':
      return { plan: 'slow', answer: 'normal' };
    case '09':
      return { plan: 'approve', answer: 'lost' };
    case '10':
      return { plan: 'approve', answer: 'unavailable' };
    default:
      return { plan: 'approve', answer: 'normal' };
  }
}

/**
 * Outcome of a reversal, by the ORIGINAL payment's amount: 15 declined, 16 terminal error,
 * 17 never taken, anything else reversed. Those endings are all approved as payments, so a
 * test can first get a CONFIRMED payment and then see its reversal fail.
 */
export function reversalPlanForPaymentAmount(paymentAmountCents: string): AutoPlan {
  switch (lastDigits(paymentAmountCents, 2)) {
    case '15':
      return 'decline';
    case '16':
      return 'error';
    case '17':
      return 'never';
    default:
      return 'approve';
  }
}

/**
 * The brand the card turns out to be: what the request asked for, else AMEX for amounts whose
 * last three digits are 7xx, else Visa. A brand the request names wins over the amount, since a
 * cashier who asked for a brand only accepts that brand.
 */
export function chooseBrand(requested: BrandCode | null, amountCents: string): BrandCode {
  if (requested !== null) return requested;
  return lastDigits(amountCents, 3).startsWith('7') ? 'AM' : 'VI';
}

/**
 * Refunds are AMEX only: a terminal refuses any other card presented for one, and the refund ends
 * DECLINED with that card's data and the error `BRAND_NOT_ALLOWED` (see paystore-views.ts).
 */
export const REFUND_BRAND: BrandCode = 'AM';
