// Realistic but deterministic card and wallet data for a finished operation. Everything derives
// from a hash of the intent, so a re-read shows the same card. Only the BIN and the last four
// digits exist: the sandbox never makes up a full card number.
import { createHash } from 'node:crypto';
import type { CardInstrument, EntryMode, QrInstrument } from './intent.model';
import { BRANDS, type BrandCode } from './outcome.rules';

const HOLDERS = ['GOMEZ/MARIA', 'PEREZ/JUAN', 'FERNANDEZ/LUCIA', 'RODRIGUEZ/MARTIN', 'LOPEZ/SOFIA', 'DIAZ/PABLO'];
const WALLETS = ['MODO', 'MERCADO PAGO', 'CUENTA DNI', 'NARANJA X'];

export function seedOf(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** `count` decimal digits taken from the seed, starting at byte `offset`. */
export function digitsFrom(seed: Buffer, offset: number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i += 1) out += String(seed[(offset + i) % seed.length] % 10);
  return out;
}

function pick<T>(seed: Buffer, offset: number, items: readonly T[]): T {
  return items[seed[offset % seed.length] % items.length];
}

export function makeCard(
  seed: Buffer,
  brand: BrandCode,
  entryMode: EntryMode,
  paymentType: 'CREDIT' | 'DEBIT' | null,
): CardInstrument {
  const info = BRANDS[brand];
  return {
    type: 'card',
    brand,
    paymentType: paymentType ?? info.paymentType,
    bin: pick(seed, 0, info.bins),
    lastFour: digitsFrom(seed, 1, 4),
    entryMode,
    holder: pick(seed, 5, HOLDERS),
  };
}

export function makeQr(seed: Buffer): QrInstrument {
  return {
    type: 'qr',
    qrCodeId: `QR${digitsFrom(seed, 6, 12)}`,
    wallet: pick(seed, 18, WALLETS),
    holder: pick(seed, 5, HOLDERS),
  };
}

export function authorizationCodeFrom(seed: Buffer): string {
  return digitsFrom(seed, 20, 6);
}

export function nsuFrom(seed: Buffer): string {
  return digitsFrom(seed, 26, 10);
}

/** How the operation shows on receipts and in batch totals: the brand, or the wallet for QR. */
export function instrumentLabel(instrument: CardInstrument | QrInstrument): string {
  return instrument.type === 'card' ? BRANDS[instrument.brand].name : `QR ${instrument.wallet}`;
}
