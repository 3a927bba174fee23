// What a command asks of the terminal's provider, checked against what the provider can do
// (PROVIDER_CAPABILITIES) before anything is stored or queued. A refusal is a 422
// PROVIDER.OPERATION_NOT_SUPPORTED naming each field the provider cannot honour.
import { AppError } from '@app/common';
import { CreatePaymentCommand, ErrorCode, FieldError, PROVIDER_CAPABILITIES, Provider, ProviderCapabilities } from '@app/contracts';
import { validatePagounoRequest } from '@app/pagouno-client';
import { validationFailed } from '../http/problem';

const NAMES: Readonly<Record<Provider, string>> = Object.freeze({ paystore: 'PayStore', klio: 'Klio SmartPos', pagouno: 'pagoUno' });

export function providerLabel(provider: Provider): string {
  return NAMES[provider];
}

/** What of a payment command the provider cannot do (empty when it can do all of it). */
export function paymentRefusals(provider: Provider, command: CreatePaymentCommand): FieldError[] {
  const caps = PROVIDER_CAPABILITIES[provider].payment;
  const name = NAMES[provider];
  const refusals: FieldError[] = [];
  if (command.terminalIds.length > 1 && !caps.broadcast) {
    refusals.push({ field: 'terminalIds', message: `${name} offers a payment to one terminal at a time` });
  }
  if (!caps.methods.includes(command.method)) {
    refusals.push({ field: 'method', message: `${name} takes ${caps.methods.join(' or ')} payments` });
  }
  if (command.plan !== null && (!caps.plans || caps.cardNotPresent)) {
    refusals.push({ field: 'plan', message: caps.cardNotPresent ? `${name} takes plans per purchase (pagouno.cards[].purchases[].plan)` : `${name} has no Ahora plans` });
  }
  if (command.pagouno && !caps.cardNotPresent) {
    refusals.push({ field: 'pagouno', message: `${name} terminals take no card tokens` });
  }
  if (command.klio && provider !== 'klio') {
    refusals.push({ field: 'klio', message: `Klio options on a ${name} terminal` });
  }
  return refusals;
}

/**
 * A card-not-present charge carries its cards and split, as pagoUno requires them (no token twice,
 * no standard installments pagoUno would read as an Ahora code…): 400 REQUEST.VALIDATION_FAILED.
 */
export function assertPaymentShape(provider: Provider, command: CreatePaymentCommand): void {
  if (PROVIDER_CAPABILITIES[provider].payment.cardNotPresent && !command.pagouno) {
    throw validationFailed([{ field: 'pagouno', message: `a ${NAMES[provider]} charge carries the tokenized cards and the split` }]);
  }
  if (command.pagouno) {
    // The sum is checked apart (PAYMENT.AMOUNT_MISMATCH).
    const errors = validatePagounoRequest(command.pagouno, { currency: command.currency });
    if (errors.length > 0) throw validationFailed(errors);
  }
}

/** The purchases of a split charge add up to the payment's amount; else a 422 PAYMENT.AMOUNT_MISMATCH. */
export function assertSplitAddsUp(command: CreatePaymentCommand): void {
  if (!command.pagouno) return;
  const total = command.pagouno.cards.reduce((sum, card) => sum + card.purchases.reduce((s, p) => s + p.amount, 0), 0);
  if (total !== command.amount) {
    throw new AppError(ErrorCode.PaymentAmountMismatch, 422, `The purchases add up to ${total}, not to the amount ${command.amount}.`, [
      { field: 'pagouno.cards', message: `purchases add up to ${total}; amount is ${command.amount}` },
    ]);
  }
}

export function refuseUnsupported(provider: Provider, refusals: FieldError[], what = 'this'): void {
  if (refusals.length === 0) return;
  throw new AppError(ErrorCode.ProviderCapability, 422, `${NAMES[provider]} cannot do ${what}.`, refusals);
}

/** Whether a provider can do each kind of command at all, and what the refusal calls it. */
const KINDS = {
  settlement: { can: (c: ProviderCapabilities) => c.settlement, noun: 'settlement' },
  refund: { can: (c: ProviderCapabilities) => c.refund, noun: 'refund' },
  cancel: { can: (c: ProviderCapabilities) => c.payment.cancel, noun: 'cancellation' },
  confirm: { can: (c: ProviderCapabilities) => c.payment.confirm, noun: 'confirmation' },
  reversal: { can: (c: ProviderCapabilities) => c.reversal.full || c.reversal.partial, noun: 'reversal' },
} as const;

/** 422 unless the provider can do `kind` at all. */
export function assertCapable(provider: Provider, kind: keyof typeof KINDS, field: string): void {
  const { can, noun } = KINDS[kind];
  if (!can(PROVIDER_CAPABILITIES[provider])) refuseUnsupported(provider, [{ field, message: `${NAMES[provider]} has no ${noun}` }], `a ${noun}`);
}

/**
 * Runs the checks of one item of a batch command: an AppError they throw names its fields under
 * `prefix` (`payments.1.method`), so the caller can tell which item was refused.
 */
export async function withFieldPrefix<T>(prefix: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    const errors = err.errors.length > 0 ? err.errors : [{ field: '', message: err.message }];
    throw new AppError(
      err.code,
      err.status,
      err.message,
      errors.map((e) => ({ ...e, field: e.field ? `${prefix}.${e.field}` : prefix })),
    );
  }
}
