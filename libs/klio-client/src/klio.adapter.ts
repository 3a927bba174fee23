// Klio SmartPos behind the provider port. One task per intent, sent to one device (several
// payments of a batch go as one multi-task request); the task's originID is our operation id, so
// an uncertain submit is found again by it. Klio has no CUIT on
// the wire (the account is the client credentials), so the ports ignore the `cuit` argument.
import { PROVIDER_CAPABILITIES, ProviderCapabilities } from '@app/contracts';
import type { OperationEntity } from '@app/persistence';
import type { IntentPort, ProviderAdapter } from '@app/providers';
import { KlioClient } from './klio.client';
import {
  annulmentRejection,
  annulmentTaskOf,
  klioFailureOf,
  klioMessageOf,
  paymentRejection,
  paymentTaskOf,
  paymentTasksOf,
  readAnnulmentTask,
  readPaymentTask,
} from './klio.mapper';
import type { KlioClientOptions } from './klio.options';
import type { KlioDevice, KlioTask } from './klio.wire';

/** The client calls the adapter makes (KlioClient satisfies it; tests may pass a fake). */
export type KlioTasksApi = Pick<
  KlioClient,
  'submitTask' | 'submitTasks' | 'getTask' | 'findTaskByOriginId' | 'cancelTask' | 'listDevices' | 'breakerStates' | 'shutdown'
>;

export interface KlioAdapterOptions {
  /** KLIO_CALLBACK_URL: Klio posts each task there too when its status changes; optional. */
  callbackUrl?: string | undefined;
  /** Clock for the 30-day annulment check. */
  now?: () => number;
}

export class KlioAdapter implements ProviderAdapter {
  readonly name = 'klio' as const;
  readonly capabilities: ProviderCapabilities = PROVIDER_CAPABILITIES.klio;
  private readonly paymentPort: IntentPort<KlioTask>;

  constructor(
    private readonly client: KlioTasksApi,
    private readonly options: KlioAdapterOptions = {},
  ) {
    this.paymentPort = {
      // async: a request refused before sending rejects like any failed call.
      create: async (_cuit, op) => {
        const { deviceId, payment } = paymentTaskOf(op, this.options);
        return this.client.submitTask(deviceId, payment);
      },
      // Several payments as one multi-task request; the answer is matched back by originID.
      createBatch: async (_cuit, ops) => {
        const { deviceId, payments } = paymentTasksOf(ops, this.options);
        const tasks = await this.client.submitTasks({ target: { deviceId }, tasks: payments.map((payment) => ({ payment })) });
        return ops.map((op) => tasks.find((t) => t.originID === op.id) ?? null);
      },
      get: (_cuit, providerId) => this.client.getTask(providerId),
      find: (_cuit, op) => this.client.findTaskByOriginId(op.id),
      cancel: (_cuit, providerId) => this.client.cancelTask(providerId),
      read: (task, op) => readPaymentTask(task, op),
      rejection: paymentRejection,
      failureOf: klioFailureOf,
      messageOf: klioMessageOf,
    };
  }

  /** A client and its adapter from configuration (KLIO_BASE_URL, KLIO_CLIENT_ID, KLIO_CLIENT_SECRET, KLIO_CALLBACK_URL). */
  static create(options: KlioClientOptions & KlioAdapterOptions): KlioAdapter {
    const { callbackUrl, now, ...clientOptions } = options;
    return new KlioAdapter(new KlioClient({ ...clientOptions, ...(now ? { now } : {}) }), {
      ...(callbackUrl !== undefined ? { callbackUrl } : {}),
      ...(now ? { now } : {}),
    });
  }

  payment(): IntentPort<KlioTask> {
    return this.paymentPort;
  }

  /**
   * The ANNULMENT of `payment` for the reversal's amount (whole or part). QR annulments come back
   * Completed at once; card ones go through the device like a payment.
   */
  reversal(payment: OperationEntity | null): IntentPort<KlioTask> {
    return {
      create: async (_cuit, op) => {
        const { deviceId, payment: task } = annulmentTaskOf(op, payment, { ...this.options, now: (this.options.now ?? Date.now)() });
        return this.client.submitTask(deviceId, task);
      },
      get: (_cuit, providerId) => this.client.getTask(providerId),
      find: (_cuit, op) => this.client.findTaskByOriginId(op.id),
      cancel: (_cuit, providerId) => this.client.cancelTask(providerId),
      read: (task, op) => readAnnulmentTask(task, op),
      rejection: annulmentRejection,
      failureOf: klioFailureOf,
      messageOf: klioMessageOf,
    };
  }

  /** The account's devices, typed, for the terminal registry to sync. */
  syncDevices(): Promise<KlioDevice[]> {
    return this.client.listDevices();
  }

  breakerStates(): Record<string, string> {
    return this.client.breakerStates();
  }

  shutdown(): void {
    this.client.shutdown();
  }
}
