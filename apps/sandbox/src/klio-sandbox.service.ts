// The virtual Klio SmartPos account: access tokens, devices, tasks and their lifecycle. An
// UNATTENDED device runs its tasks one at a time, in request and executionOrder order, with the
// same amount-driven outcomes as PayStore (outcome.rules.ts); a DEFAULT device waits for the
// virtual POS. Annulments are checked against the payment (30 days, what is left after earlier
// annulments); a QR annulment is Completed at once. Every status change is posted, best effort,
// to the task's callbackURL.
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { authorizationCodeFrom, digitsFrom, makeCard, makeQr, nsuFrom, seedOf } from './completion-data';
import type { CardInstrument, QrInstrument } from './intent.model';
import { KlioHttpError, klioBadRequest, klioRefused } from './klio-errors';
import type { KlioDeviceMode, KlioDeviceSeed } from './klio-options';
import type { KlioPaymentInput, KlioTasksInput } from './klio-wire.schemas';
import { BRANDS, chooseBrand, outcomeForAmount, reversalPlanForPaymentAmount, type AutoPlan, type CreateAnswer } from './outcome.rules';
import { SANDBOX_OPTIONS, type SandboxOptions } from './sandbox.options';

export type KlioTaskStatus = 'Created' | 'InProgress' | 'Canceled' | 'Processed' | 'Completed' | 'Failed';

export interface KlioDevice {
  deviceId: string;
  deviceName: string;
  serialNumber: string;
  terminalId: string;
  brand: string;
  model: string;
  productNumber: string;
  hwVersion: string;
  deviceMode: KlioDeviceMode;
  cuit: string;
  takeDelayMs: number | null;
  offline: boolean;
}

export interface KlioTask {
  taskId: number;
  originID: string;
  cuit: string;
  deviceId: string;
  operationType: 'PAYMENT' | 'ANNULMENT';
  sourceOriginID: string | null;
  executionOrder: number;
  /** Order of arrival of the request the task came in (devices run requests in arrival order). */
  requestSeq: number;
  printTicket: string;
  callbackURL: string | null;
  amountCents: number;
  method: 'card' | 'qr';
  paymentType: 'CREDIT' | 'DEBIT' | null;
  installments: number | null;
  generationDate: Date;
  status: KlioTaskStatus;
  statusDate: Date;
  plan: AutoPlan;
  instrument: CardInstrument | QrInstrument | null;
  /** Card: APPROVED/REJECTED/FAILED…; QR: COLLECTED/EXPIRED… Null until there is a voucher. */
  voucherStatus: string | null;
  message: string | null;
  /** When the payment was collected (ms); the 30-day annulment window counts from it. */
  collectedAt: number | null;
  /** PAYMENT: centavos annulled or being annulled. */
  annulledCents: number;
  /** ANNULMENT: the payment it annuls. */
  source: KlioTask | null;
  batchNumber: string;
}

const MAX_ANNULMENT_AGE_MS = 30 * 86_400_000;
const CALLBACK_TIMEOUT_MS = 2_000;

/** Klio's date format in its example: ISO without the zone (UTC here). */
function wireDate(date: Date): string {
  return date.toISOString().slice(0, 23);
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function pesos(cents: number): number {
  return Number((cents / 100).toFixed(2));
}

@Injectable()
export class KlioSandboxService implements OnModuleDestroy {
  private readonly logger = new Logger('SandboxKlio');
  readonly devices = new Map<string, KlioDevice>();
  private readonly tasks = new Map<number, KlioTask>();
  private readonly tokens = new Map<string, { cuit: string; expiresAt: number }>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Devices busy with a task (one at a time). */
  private readonly busy = new Map<string, number>();
  private taskSeq = 0;
  private requestSeq = 0;
  private stopped = false;

  constructor(@Inject(SANDBOX_OPTIONS) private readonly options: SandboxOptions) {
    this.seed();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    this.clearTimers();
  }

  // -------------------------------------------------------------------------------------------
  // Accounts and tokens
  // -------------------------------------------------------------------------------------------

  issueToken(clientId: unknown, clientSecret: unknown, now: number): { accessToken: string; expiresIn: number } {
    const account = this.options.klio;
    const ok = typeof clientId === 'string' && typeof clientSecret === 'string' && sameText(clientId, account.clientId) && sameText(clientSecret, account.clientSecret);
    if (!ok) throw new KlioHttpError(401, 'INVALID_CREDENTIALS', 'client authentication failed');
    if (this.tokens.size > 1_000) for (const [t, v] of this.tokens) if (v.expiresAt <= now) this.tokens.delete(t);
    const accessToken = randomBytes(24).toString('base64url');
    this.tokens.set(accessToken, { cuit: account.cuit, expiresAt: now + this.options.tokenTtlSeconds * 1000 });
    return { accessToken, expiresIn: this.options.tokenTtlSeconds };
  }

  /** The CUIT of a live token given as the bare `Authorization` header; 401 otherwise. */
  authenticate(authorization: unknown, now: number): string {
    const token = typeof authorization === 'string' ? authorization.trim() : '';
    const entry = token === '' || /\s/.test(token) ? undefined : this.tokens.get(token);
    if (entry === undefined || entry.expiresAt <= now) {
      throw new KlioHttpError(401, 'INVALID_TOKEN', entry === undefined ? 'access token missing or unknown' : 'access token expired');
    }
    return entry.cuit;
  }

  // -------------------------------------------------------------------------------------------
  // Devices
  // -------------------------------------------------------------------------------------------

  seed(): void {
    for (const seed of this.options.klio.devices) this.addDevice(seed, this.options.klio.cuit);
  }

  addDevice(seed: Partial<KlioDeviceSeed> & { offline?: boolean }, cuit = this.options.klio.cuit): KlioDevice {
    const deviceId = seed.deviceId ?? randomBytes(16).toString('hex').toUpperCase().replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    const existing = this.devices.get(deviceId);
    const s = seedOf(`klio-device:${deviceId}`);
    const device: KlioDevice = {
      deviceId,
      deviceName: seed.deviceName ?? existing?.deviceName ?? `Klio ${deviceId.slice(0, 4)}`,
      serialNumber: existing?.serialNumber ?? `N9${digitsFrom(s, 0, 10)}`,
      terminalId: seed.terminalId ?? existing?.terminalId ?? `7${digitsFrom(s, 10, 7)}`,
      brand: 'Newland',
      model: 'N910',
      productNumber: existing?.productNumber ?? `PN${digitsFrom(s, 17, 6)}`,
      hwVersion: 'V1.2',
      deviceMode: seed.mode ?? existing?.deviceMode ?? 'UNATTENDED',
      cuit: existing?.cuit ?? cuit,
      takeDelayMs: seed.takeDelayMs ?? existing?.takeDelayMs ?? null,
      offline: seed.offline ?? existing?.offline ?? false,
    };
    this.devices.set(deviceId, device);
    this.kick(deviceId);
    return device;
  }

  devicesOf(cuit: string): KlioDevice[] {
    return [...this.devices.values()].filter((d) => d.cuit === cuit);
  }

  deviceView(d: KlioDevice): Record<string, unknown> {
    return {
      deviceId: d.deviceId,
      deviceName: d.deviceName,
      serialNumber: d.serialNumber,
      terminalId: d.terminalId,
      brand: d.brand,
      model: d.model,
      productNumber: d.productNumber,
      hwVersion: d.hwVersion,
      deviceMode: d.deviceMode,
    };
  }

  // -------------------------------------------------------------------------------------------
  // Tasks
  // -------------------------------------------------------------------------------------------

  /** Creates the request's tasks (all or none); answers them with what the amounts say of the answer. */
  submit(cuit: string, input: KlioTasksInput, now: number): { tasks: KlioTask[]; answer: CreateAnswer } {
    const device = this.devices.get(input.target.deviceId);
    if (device === undefined || device.cuit !== cuit) throw klioBadRequest(`device ${input.target.deviceId} does not exist in this account`, 'DEVICE_NOT_FOUND');
    const items = [...input.tasks].sort((a, b) => (a.payment.executionOrder ?? 1) - (b.payment.executionOrder ?? 1));
    let answer: CreateAnswer = 'normal';
    const planned: Array<{ payment: KlioPaymentInput; plan: AutoPlan; source: KlioTask | null; cents: number }> = [];
    const reserved = new Map<KlioTask, number>();
    for (const { payment } of items) {
      if (this.byOrigin(cuit, payment.originID).length > 0) {
        throw new KlioHttpError(409, 'DUPLICATE_ORIGIN_ID', `originID ${payment.originID} was already used`);
      }
      const cents = Math.round(payment.originalAmount.amount * 100);
      if (payment.operationType === 'ANNULMENT') {
        const source = this.checkAnnulment(cuit, payment.sourceOriginID as string, cents, reserved.get.bind(reserved), now);
        reserved.set(source, (reserved.get(source) ?? 0) + cents);
        planned.push({ payment, plan: reversalPlanForPaymentAmount(String(source.amountCents)), source, cents });
      } else {
        const outcome = outcomeForAmount(String(cents));
        if (outcome.answer === 'unavailable') answer = 'unavailable';
        else if (outcome.answer === 'lost' && answer === 'normal') answer = 'lost';
        planned.push({ payment, plan: outcome.plan, source: null, cents });
      }
    }
    if (answer === 'unavailable') return { tasks: [], answer };

    this.requestSeq += 1;
    const created: KlioTask[] = [];
    for (const { payment, plan, source, cents } of planned) {
      const card = payment.cardMethod;
      const qrOnly = !(card && (card.credit || card.debit));
      const method: 'card' | 'qr' = source ? (source.method) : qrOnly ? 'qr' : 'card';
      const installments = card?.creditInstallments ?? (card?.creditInstallmentsOption ? null : 1);
      // Only debit allowed → debit; only credit → credit; both → the card's own kind.
      const paymentType = source ? source.paymentType : card && !card.credit ? 'DEBIT' : card && !card.debit ? 'CREDIT' : null;
      this.taskSeq += 1;
      const date = new Date(now);
      const task: KlioTask = {
        taskId: this.taskSeq,
        originID: payment.originID,
        cuit,
        deviceId: device.deviceId,
        operationType: payment.operationType,
        sourceOriginID: payment.operationType === 'ANNULMENT' ? (payment.sourceOriginID ?? null) : null,
        executionOrder: payment.executionOrder ?? 1,
        requestSeq: this.requestSeq,
        printTicket: payment.printTicket ?? 'auto',
        callbackURL: payment.callbackURL ?? null,
        amountCents: cents,
        method,
        paymentType,
        installments,
        generationDate: date,
        status: 'Created',
        statusDate: date,
        plan,
        instrument: source ? source.instrument : null,
        voucherStatus: null,
        message: null,
        collectedAt: null,
        annulledCents: 0,
        source,
        batchNumber: String(1 + (this.taskSeq % 997)).padStart(3, '0'),
      };
      if (source) source.annulledCents += cents;
      this.tasks.set(task.taskId, task);
      created.push(task);
      this.notify(task);
      // A QR annulment takes effect at once, with nothing on the device.
      if (source && source.method === 'qr') this.finish(task, 'Completed', 'COLLECTED', null, now);
    }
    this.kick(device.deviceId);
    return { tasks: created, answer };
  }

  private checkAnnulment(cuit: string, sourceOriginID: string, cents: number, pending: (t: KlioTask) => number | undefined, now: number): KlioTask {
    const source = this.byOrigin(cuit, sourceOriginID).find((t) => t.operationType === 'PAYMENT');
    if (source === undefined) throw klioRefused('SOURCE_NOT_FOUND', `no payment with originID ${sourceOriginID}`);
    const collected = source.collectedAt !== null && (source.voucherStatus === 'APPROVED' || source.voucherStatus === 'COLLECTED');
    if (!collected) throw klioRefused('SOURCE_NOT_APPROVED', `the payment ${sourceOriginID} was not collected`);
    if (now - (source.collectedAt as number) > MAX_ANNULMENT_AGE_MS) {
      throw klioRefused('ANNULMENT_PERIOD_EXPIRED', 'solo pueden anularse cupones cobrados en los últimos 30 días');
    }
    const remaining = source.amountCents - source.annulledCents - (pending(source) ?? 0);
    if (remaining <= 0) throw klioRefused('ALREADY_ANNULLED', `the payment ${sourceOriginID} is already annulled in full`);
    if (cents > remaining) {
      throw klioRefused('ANNULMENT_AMOUNT_EXCEEDED', `el importe a anular supera el saldo del cupón (${pesos(remaining).toFixed(2)})`);
    }
    return source;
  }

  get(cuit: string, taskId: number): KlioTask {
    const task = this.tasks.get(taskId);
    if (task === undefined || task.cuit !== cuit) throw new KlioHttpError(404, 'TASK_NOT_FOUND', `task ${taskId} does not exist`);
    return task;
  }

  byOrigin(cuit: string, originID: string): KlioTask[] {
    return [...this.tasks.values()].filter((t) => t.cuit === cuit && t.originID === originID);
  }

  tasksOf(deviceId: string): KlioTask[] {
    return [...this.tasks.values()].filter((t) => t.deviceId === deviceId);
  }

  /** Cancels a task not yet processed; 409 once it is. */
  cancel(cuit: string, taskId: number, now: number): KlioTask {
    const task = this.get(cuit, taskId);
    if (task.status === 'Canceled') return task;
    if (task.status !== 'Created' && task.status !== 'InProgress') {
      throw new KlioHttpError(409, 'TASK_ALREADY_PROCESSED', `task ${taskId} is ${task.status} and can no longer be cancelled`);
    }
    this.finish(task, 'Canceled', null, 'cancelada por el integrador', now);
    this.release(task);
    return task;
  }

  /** Backdates a collected payment by `days` (to rehearse the 30-day annulment limit). */
  age(taskId: number, days: number): KlioTask {
    const task = this.tasks.get(taskId);
    if (task === undefined) throw new KlioHttpError(404, 'TASK_NOT_FOUND', `task ${taskId} does not exist`);
    if (task.collectedAt === null) throw new KlioHttpError(409, 'TASK_NOT_COLLECTED', `task ${taskId} was not collected`);
    task.collectedAt -= days * 86_400_000;
    return task;
  }

  /**
   * What a person does at a device: approve or decline a task (DEFAULT mode), or cancel one it has
   * not finished (any mode), as pressing cancel on the POS does.
   */
  act(taskId: number, action: 'approve' | 'decline' | 'cancel', now: number): KlioTask {
    const task = this.tasks.get(taskId);
    if (task === undefined) throw new KlioHttpError(404, 'TASK_NOT_FOUND', `task ${taskId} does not exist`);
    if (task.status !== 'Created' && task.status !== 'InProgress') {
      throw new KlioHttpError(409, 'TASK_ALREADY_PROCESSED', `task ${taskId} is ${task.status}`);
    }
    if (action === 'approve') this.approve(task, now);
    else if (action === 'decline') this.decline(task, now);
    else this.finish(task, 'Canceled', null, 'cancelada en el dispositivo', now);
    this.release(task);
    return task;
  }

  view(task: KlioTask): Record<string, unknown> {
    return {
      taskId: task.taskId,
      originID: task.originID,
      generationDate: wireDate(task.generationDate),
      status: task.status,
      statusDate: wireDate(task.statusDate),
      paymentaData: this.paymentaData(task),
      operationType: task.operationType,
      sourceOriginID: task.sourceOriginID,
      deviceId: task.deviceId,
      executionOrder: task.executionOrder,
      originalAmount: { amount: pesos(task.amountCents), currency: 'ARS' },
    };
  }

  clear(): void {
    this.clearTimers();
    this.tasks.clear();
    this.tokens.clear();
    this.devices.clear();
    this.busy.clear();
    this.seed();
  }

  // -------------------------------------------------------------------------------------------
  // The device at work
  // -------------------------------------------------------------------------------------------

  private paymentaData(task: KlioTask): Record<string, unknown> | null {
    if (task.voucherStatus === null) return null;
    const seed = seedOf(`klio:${task.taskId}:${task.originID}`);
    const instrument = task.instrument;
    const out: Record<string, unknown> = { cardPaymentaData: null, qrPaymentaData: null, annulmentData: null };
    if (instrument?.type === 'card') {
      const approved = task.voucherStatus === 'APPROVED';
      out['cardPaymentaData'] = {
        status: task.voucherStatus,
        cardBrand: BRANDS[instrument.brand].name,
        bin: instrument.bin,
        lastFourDigits: instrument.lastFour,
        authorizationCode: approved ? authorizationCodeFrom(seed) : null,
        ticketNumber: approved ? nsuFrom(seed).slice(-6) : null,
        batchNumber: task.batchNumber,
        installments: task.installments ?? 1,
        paymentType: instrument.paymentType,
        entryMode: instrument.entryMode,
        terminalId: this.devices.get(task.deviceId)?.terminalId ?? null,
        message: task.message,
      };
    } else if (instrument?.type === 'qr') {
      out['qrPaymentaData'] = { status: task.voucherStatus, qrId: instrument.qrCodeId, wallet: instrument.wallet, transactionId: nsuFrom(seed), message: task.message };
    }
    if (task.source) {
      out['annulmentData'] = {
        sourceOriginID: task.source.originID,
        amount: pesos(task.amountCents),
        remainingAmount: pesos(Math.max(0, task.source.amountCents - task.source.annulledCents)),
      };
    }
    return out;
  }

  private delayOf(device: KlioDevice): number {
    return device.takeDelayMs ?? this.options.takeDelayMs;
  }

  private later(ms: number, run: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) run();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Lets an idle UNATTENDED device take its next task. */
  private kick(deviceId: string): void {
    const device = this.devices.get(deviceId);
    if (device === undefined || device.deviceMode !== 'UNATTENDED' || device.offline || this.busy.has(deviceId)) return;
    const next = this.tasksOf(deviceId)
      .filter((t) => t.status === 'Created' && t.plan !== 'never')
      .sort((a, b) => a.requestSeq - b.requestSeq || a.executionOrder - b.executionOrder)[0];
    if (next === undefined) return;
    this.busy.set(deviceId, next.taskId);
    const delay = this.delayOf(device);
    this.later(delay, () => {
      if (next.status !== 'Created') return this.release(next);
      this.move(next, 'InProgress', Date.now());
      const work = next.plan === 'slow' ? this.options.slowMs : delay;
      this.later(work, () => this.runPlan(next, delay));
    });
  }

  private runPlan(task: KlioTask, delay: number): void {
    if (task.status !== 'InProgress') return this.release(task);
    const now = Date.now();
    switch (task.plan) {
      case 'decline':
        this.decline(task, now);
        break;
      case 'error':
        this.finish(task, 'Failed', null, 'error del terminal', now);
        break;
      default: {
        // Processed first (the charge went through), then Completed when the voucher arrives.
        this.instrumentFor(task);
        if (task.method === 'card') {
          task.voucherStatus = 'APPROVED';
          this.move(task, 'Processed', now);
          this.later(delay, () => {
            if (task.status === 'Processed') this.approve(task, Date.now());
            this.release(task);
          });
          return;
        }
        this.approve(task, now);
      }
    }
    this.release(task);
  }

  private instrumentFor(task: KlioTask): void {
    if (task.instrument !== null) return;
    const seed = seedOf(`klio:${task.taskId}:${task.originID}`);
    task.instrument =
      task.method === 'qr' ? makeQr(seed) : makeCard(seed, chooseBrand(null, String(task.amountCents)), 'CHIP', task.paymentType);
  }

  private approve(task: KlioTask, now: number): void {
    this.instrumentFor(task);
    this.finish(task, 'Completed', task.method === 'qr' ? 'COLLECTED' : 'APPROVED', null, now);
  }

  private decline(task: KlioTask, now: number): void {
    this.instrumentFor(task);
    if (task.method === 'qr' && !task.source) this.finish(task, 'Completed', 'EXPIRED', 'el QR venció sin ser cobrado', now);
    else this.finish(task, 'Completed', 'REJECTED', task.source ? 'ANULACION RECHAZADA' : 'DENEGADA', now);
  }

  private finish(task: KlioTask, status: KlioTaskStatus, voucher: string | null, message: string | null, now: number): void {
    task.voucherStatus = voucher;
    task.message = message;
    const collected = voucher === 'APPROVED' || voucher === 'COLLECTED';
    if (task.operationType === 'PAYMENT' && collected) task.collectedAt = now;
    // An annulment that did not go through gives its amount back to the payment.
    if (task.source && !collected) task.source.annulledCents -= task.amountCents;
    this.move(task, status, now);
  }

  private move(task: KlioTask, status: KlioTaskStatus, now: number): void {
    task.status = status;
    task.statusDate = new Date(now);
    this.notify(task);
  }

  private release(task: KlioTask): void {
    if (this.busy.get(task.deviceId) === task.taskId) this.busy.delete(task.deviceId);
    this.kick(task.deviceId);
  }

  /** Best effort: one POST of the task to its callbackURL; failures are logged and forgotten. */
  private notify(task: KlioTask): void {
    const url = task.callbackURL;
    if (url === null || this.stopped) return;
    const body = JSON.stringify(this.view(task));
    void fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS) })
      .then((res) => res.arrayBuffer())
      .catch((err: unknown) => this.logger.debug(`callback to ${url} failed: ${err instanceof Error ? err.message : String(err)}`));
  }
}
