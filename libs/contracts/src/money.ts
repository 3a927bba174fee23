// Money is an integer number of minor units (cents) plus an ISO-4217 alpha currency; never a float.
import { z } from 'zod';

/** Currencies the product accepts today. Extend here, and only here. */
export const CURRENCIES = Object.freeze(['ARS'] as const);
export type Currency = (typeof CURRENCIES)[number];

/** One billion pesos in cents: anything larger is a typo or an attack, not a sale. */
export const MAX_AMOUNT_MINOR = 100_000_000_000;

export const amountSchema = z
  .number({ error: 'amount must be an integer number of minor units (cents)' })
  .int('amount must be an integer number of minor units (cents)')
  .positive('amount must be greater than zero')
  .max(MAX_AMOUNT_MINOR, `amount must be at most ${MAX_AMOUNT_MINOR} minor units`);

export const currencySchema = z.enum(CURRENCIES, { error: `currency must be one of ${CURRENCIES.join(', ')}` });

export const moneySchema = z.object({ amount: amountSchema, currency: currencySchema });
export type Money = z.infer<typeof moneySchema>;

/** ISO-4217 numeric codes, as some providers want them on the wire. */
export const CURRENCY_NUMERIC: Readonly<Record<Currency, string>> = Object.freeze({ ARS: '032' });

/** Formats minor units for people ("$ 1.500,00"); never parse this back. */
export function formatMoney(money: Money): string {
  const sign = money.amount < 0 ? '-' : '';
  const abs = Math.abs(money.amount);
  const units = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const cents = (abs % 100).toString().padStart(2, '0');
  return `${sign}$ ${units},${cents}`;
}
