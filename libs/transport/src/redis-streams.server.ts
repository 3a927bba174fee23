// A @nestjs/microservices transport that consumes a Redis Stream of CloudEvents through a consumer
// group: `@EventPattern('payment.approved')` handlers get the event's `data`, and a
// RedisStreamsContext for the rest.
//
// - A message is acknowledged only after every handler of its type has succeeded. A message no
//   handler matches is acknowledged at once: it is not for this consumer.
// - A failed message stays pending and is delivered to this consumer again after a backoff; after
//   `maxDeliveries` attempts (or an UnrecoverableEventError, or a message that does not parse) it is
//   copied to the dead-letter stream and acknowledged, in one transaction.
// - Messages pending at a consumer idle for `claimIdleMs` are taken over (XAUTOCLAIM): that
//   consumer is dead. A live consumer heartbeats the messages it holds so nobody takes them.
// - One consumer handles one subject's messages one at a time, in stream order, a failing one
//   holding back the later ones of its subject (not of others). Across the consumers of one group,
//   and for a message taken over from a dead consumer, there is no order per subject.
// - On start a consumer first takes back what is still pending under its own name (a restart with
//   the same `consumer` name resumes where it stopped), then reads new messages. On a graceful
//   close it hands what it read and did not handle back to the group (see `release`).
import { Logger } from '@nestjs/common';
import { CustomTransportStrategy, MessageHandler, Server } from '@nestjs/microservices';
import Redis from 'ioredis';
import { isObservable, lastValueFrom } from 'rxjs';
import { claimIfMine } from './claim-if-mine.script';
import { deadLetterFields } from './dead-letters';
import { errorText, isUnrecoverable } from './event-handler.errors';
import { handlersFor } from './event-pattern';
import { RedisStreamsContext } from './redis-streams.context';
import { RedisStreamsServerOptions, ResolvedServerOptions, resolveServerOptions, retryDelay } from './redis-streams.options';
import {
  compareStreamIds,
  entriesOfAutoclaim,
  entriesOfRead,
  fieldsOf,
  flatten,
  ParsedMessage,
  parseBusMessage,
  RawEntry,
} from './stream-entry';

/** Transport id: `@EventPattern('payment.approved', REDIS_STREAMS_TRANSPORT)` binds a handler to this transport only. */
export const REDIS_STREAMS_TRANSPORT = Symbol('REDIS_STREAMS');

export type RedisStreamsStatus = 'connecting' | 'connected' | 'disconnected';

/** A message this consumer holds: read, not yet acknowledged. */
interface Held {
  id: string;
  fields: Record<string, string>;
  parsed: ParsedMessage;
  deliveryCount: number;
  /** It failed: deliver it to this consumer again (counted) before the next attempt. */
  redeliver: boolean;
}

/** The held messages of one subject, handled one at a time in stream order. */
interface Lane {
  queue: Held[];
  state: 'idle' | 'running' | 'waiting';
  timer?: NodeJS.Timeout;
}

type Outcome = { kind: 'done' } | { kind: 'retry'; delayMs: number };

type Listener = (...args: unknown[]) => void;

export class RedisStreamsServer extends Server<Record<string, Listener>, RedisStreamsStatus> implements CustomTransportStrategy {
  private readonly o: ResolvedServerOptions;
  private readonly log = new Logger(RedisStreamsServer.name);
  private reader: Redis | null = null;
  private command: Redis | null = null;
  private readerId: number | null = null;
  private readonly held = new Map<string, Held>();
  private readonly lanes = new Map<string, Lane>();
  private active = 0;
  private closing = false;
  private closed: Promise<void> | null = null;
  private loop: Promise<void> | null = null;
  private timers: NodeJS.Timeout[] = [];
  private wakers: (() => void)[] = [];
  private claimCursor = '0-0';
  private claiming = false;
  private readonly listeners: [string, Listener][] = [];

  constructor(options: RedisStreamsServerOptions) {
    super();
    this.o = resolveServerOptions(options);
    this.transportId = REDIS_STREAMS_TRANSPORT;
  }

  /** The options in force, defaults filled in. */
  get options(): Readonly<ResolvedServerOptions> {
    return this.o;
  }

  listen(callback: (err?: unknown, ...optionalParams: unknown[]) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  /**
   * Stops reading and claiming, lets the handlers in flight finish (and acknowledges them), hands
   * what it read and did not handle back to the group, then disconnects.
   */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  on(event: string, callback: Listener): void {
    this.listeners.push([event, callback]);
    this.reader?.on(event, callback);
    this.command?.on(event, callback);
  }

  /** `[reader, command]`: the connection that blocks on reads and the one for everything else. */
  unwrap<T>(): T {
    if (!this.reader || !this.command) throw new Error('RedisStreamsServer is not listening');
    return [this.reader, this.command] as T;
  }

  private async start(): Promise<void> {
    this._status$.next('connecting');
    this.reader = this.connect('reader');
    this.command = this.connect('command');
    this.reader.on('ready', () => void this.learnReaderId());
    await this.ensureGroup();
    await this.learnReaderId();
    this.timers.push(
      setInterval(() => void this.heartbeat(), this.o.heartbeatMs),
      setInterval(() => void this.claimAbandoned(), this.o.claimEveryMs),
    );
    this.loop = this.readLoop();
    this._status$.next('connected');
    this.log.log(`consuming ${this.o.stream} as ${this.o.consumer} in group ${this.o.group}`);
  }

  private connect(role: string): Redis {
    // Commands wait for a reconnect rather than fail: a Redis restart delays messages, loses none.
    const redis = new Redis(this.o.url, { maxRetriesPerRequest: null, connectionName: `${this.o.group}:${this.o.consumer}:${role}`, ...this.o.redis });
    let warned = false;
    redis.on('error', (err: Error) => {
      if (!warned) this.log.warn(`Redis ${role} connection: ${err.message}`);
      warned = true;
    });
    redis.on('ready', () => (warned = false));
    for (const [event, callback] of this.listeners) redis.on(event, callback);
    return redis;
  }

  private async learnReaderId(): Promise<void> {
    const id: unknown = await this.reader?.client('ID').catch(() => null);
    if (typeof id === 'number') this.readerId = id;
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.cmd().xgroup('CREATE', this.o.stream, this.o.group, this.o.startFrom === 'new' ? '$' : '0', 'MKSTREAM');
    } catch (err) {
      if (!(err instanceof Error && err.message.startsWith('BUSYGROUP'))) throw err;
    }
  }

  private cmd(): Redis {
    if (!this.command) throw new Error('RedisStreamsServer is not listening');
    return this.command;
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────────────

  private async readLoop(): Promise<void> {
    // '0' reads what is still pending under this consumer's name (a restart resumes it), '>' new messages.
    let cursor = '0';
    let failures = 0;
    while (!this.closing) {
      try {
        await this.untilRoom();
        if (this.closing) break;
        const count = Math.min(this.o.batchSize, this.o.maxBuffered - this.held.size);
        const reading = cursor;
        const block = reading === '>' ? ['BLOCK', this.o.blockMs] : [];
        const reader = this.reader;
        if (!reader) break;
        const reply: unknown = await reader.call('XREADGROUP', 'GROUP', this.o.group, this.o.consumer, 'COUNT', count, ...block, 'STREAMS', this.o.stream, reading);
        const entries = entriesOfRead(reply, this.o.stream);
        if (reading !== '>') cursor = entries.length === 0 ? '>' : entries[entries.length - 1][0];
        await this.take(entries, reading === '>' ? 'new' : 'pending');
        failures = 0;
      } catch (err) {
        if (this.closing) break;
        failures++;
        if (err instanceof Error && err.message.startsWith('NOGROUP')) {
          // The stream or the group is gone (a Redis flush): make them again and read from there.
          this.log.warn(`group ${this.o.group} of ${this.o.stream} is gone; creating it again`);
          await this.ensureGroup().catch(() => undefined);
          cursor = '0';
        } else {
          this.log.warn(`reading ${this.o.stream} failed (${errorText(err)}); trying again`);
        }
        await this.sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  /**
   * Takes entries this consumer now holds. `new` ones are on their first delivery; for the others
   * (its own pending, or taken over) Redis knows how many deliveries came before.
   */
  private async take(entries: RawEntry[], source: 'new' | 'pending'): Promise<void> {
    const fresh = entries.filter(([id]) => !this.held.has(id));
    if (fresh.length === 0) return;
    const counts = source === 'new' ? null : await this.deliveryCounts(fresh.map(([id]) => id));
    const trimmed: string[] = [];
    for (const [id, flat] of fresh) {
      // An entry trimmed from the stream while pending: nothing left to handle.
      if (flat === null) {
        trimmed.push(id);
        continue;
      }
      const fields = fieldsOf(flat);
      const held: Held = { id, fields, parsed: parseBusMessage(fields), deliveryCount: counts?.get(id) ?? 1, redeliver: false };
      this.held.set(id, held);
      this.enqueue(held);
    }
    if (trimmed.length) await this.cmd().xack(this.o.stream, this.o.group, ...trimmed);
    this.pump();
  }

  private async deliveryCounts(ids: string[]): Promise<Map<string, number>> {
    const pipeline = this.cmd().pipeline();
    for (const id of ids) pipeline.xpending(this.o.stream, this.o.group, id, id, 1);
    const results = (await pipeline.exec()) ?? [];
    const counts = new Map<string, number>();
    results.forEach(([err, reply], i) => {
      const row = !err && Array.isArray(reply) && Array.isArray(reply[0]) ? (reply[0] as unknown[]) : null;
      counts.set(ids[i], typeof row?.[3] === 'number' ? row[3] : 1);
    });
    return counts;
  }

  private laneOf(held: Held): string {
    // A message that does not parse has no trustworthy subject; it holds nothing back.
    return held.parsed.ok ? held.parsed.message.event.subject : `\u0000${held.id}`;
  }

  private enqueue(held: Held): void {
    const key = this.laneOf(held);
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { queue: [], state: 'idle' };
      this.lanes.set(key, lane);
    }
    // Taken-over messages may be older than those already held: keep the lane in stream order
    // (behind a head a handler is on right now, which cannot be helped).
    const at = lane.queue.findIndex((h, i) => (i > 0 || lane.state !== 'running') && compareStreamIds(held.id, h.id) < 0);
    if (at < 0) lane.queue.push(held);
    else lane.queue.splice(at, 0, held);
  }

  // ── handling ───────────────────────────────────────────────────────────────────────────────────

  /** Starts the oldest waiting heads first, up to `concurrency` at a time, one per subject. */
  private pump(): void {
    while (!this.closing && this.active < this.o.concurrency) {
      let next: [string, Lane] | null = null;
      for (const entry of this.lanes) {
        const lane = entry[1];
        if (lane.state !== 'idle' || lane.queue.length === 0) continue;
        if (!next || compareStreamIds(lane.queue[0].id, next[1].queue[0].id) < 0) next = entry;
      }
      if (!next) return;
      const [key, lane] = next;
      lane.state = 'running';
      this.active++;
      void this.runHead(key, lane);
    }
  }

  private async runHead(key: string, lane: Lane): Promise<void> {
    const head = lane.queue[0];
    let outcome: Outcome;
    try {
      outcome = await this.attempt(head);
    } catch (err) {
      // Redis failed under us (dead-lettering, re-delivering): the message is still pending, try later.
      this.log.warn(`message ${head.id} could not be handled (${errorText(err)}); trying again`);
      outcome = { kind: 'retry', delayMs: retryDelay(this.o.retryDelayMs, head.deliveryCount) };
    }
    this.active--;
    if (outcome.kind === 'done') {
      if (lane.queue[0] === head) lane.queue.shift();
      this.held.delete(head.id);
      lane.state = 'idle';
    } else if (this.closing) {
      lane.state = 'idle';
    } else {
      head.redeliver = true;
      lane.state = 'waiting';
      lane.timer = setTimeout(() => {
        lane.timer = undefined;
        lane.state = 'idle';
        this.pump();
      }, outcome.delayMs);
    }
    if (lane.state === 'idle' && lane.queue.length === 0) this.lanes.delete(key);
    this.wake();
    this.pump();
  }

  private async attempt(head: Held): Promise<Outcome> {
    if (head.redeliver) {
      const [again] = await claimIfMine(this.cmd(), this.target(), 'deliver', [head.id]);
      // Taken over by another consumer, acknowledged, or trimmed meanwhile: not ours to handle.
      if (!again?.fields) return { kind: 'done' };
      head.deliveryCount = again.deliveryCount;
      head.redeliver = false;
    }
    if (!head.parsed.ok) return this.deadLetter(head, head.parsed.error);
    if (head.deliveryCount > this.o.maxDeliveries) {
      // Its earlier consumers died while handling it: it may be what kills them.
      return this.deadLetter(head, `not acknowledged after ${head.deliveryCount - 1} deliveries`);
    }
    const { message } = head.parsed;
    const handlers = handlersFor(this.messageHandlers, message.type);
    if (handlers.length > 0) {
      const ctx = new RedisStreamsContext({
        stream: this.o.stream,
        group: this.o.group,
        consumer: this.o.consumer,
        messageId: head.id,
        deliveryCount: head.deliveryCount,
        event: message.event,
        fields: head.fields,
      });
      try {
        await this.dispatch(handlers, message.event.data, ctx);
      } catch (err) {
        if (isUnrecoverable(err) || head.deliveryCount >= this.o.maxDeliveries) return this.deadLetter(head, errorText(err));
        const delayMs = retryDelay(this.o.retryDelayMs, head.deliveryCount);
        this.log.warn(`${message.type} ${head.id} failed on delivery ${head.deliveryCount} (${errorText(err)}); again in ${delayMs} ms`);
        return { kind: 'retry', delayMs };
      }
    }
    try {
      if (this.o.deleteAcknowledged) {
        const results = await this.cmd().multi().xack(this.o.stream, this.o.group, head.id).xdel(this.o.stream, head.id).exec();
        const failed = results?.find(([err]) => err);
        if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction was discarded');
      } else {
        await this.cmd().xack(this.o.stream, this.o.group, head.id);
      }
    } catch (err) {
      // Handled but not acknowledged: it will be taken over and handled again (at least once).
      this.log.warn(`message ${head.id} handled but not acknowledged (${errorText(err)})`);
    }
    return { kind: 'done' };
  }

  private dispatch(handlers: MessageHandler[], data: unknown, ctx: RedisStreamsContext): Promise<void> {
    const transportId = this.transportId ?? REDIS_STREAMS_TRANSPORT;
    return new Promise<void>((resolve, reject) => {
      this.onProcessingStartHook(transportId, ctx, async () => {
        try {
          for (const handler of handlers) {
            // Nest's handlers answer an Observable that errors when the handler threw.
            const result: unknown = await handler(data, ctx);
            if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
          }
          resolve();
        } catch (err) {
          reject(err);
        } finally {
          this.onProcessingEndHook?.(transportId, ctx);
        }
      });
    });
  }

  private async deadLetter(head: Held, error: string): Promise<Outcome> {
    const fields = deadLetterFields(this.o.redactFields(head.fields), {
      error,
      group: this.o.group,
      consumer: this.o.consumer,
      stream: this.o.stream,
      messageId: head.id,
      deliveries: head.deliveryCount,
    });
    const tx = this.cmd()
      .multi()
      .xadd(this.o.deadLetterStream, '*', ...flatten(fields))
      .xack(this.o.stream, this.o.group, head.id);
    if (this.o.deleteAcknowledged) tx.xdel(this.o.stream, head.id);
    const results = await tx.exec();
    const failed = results?.find(([err]) => err);
    if (!results || failed) throw failed?.[0] ?? new Error('Redis transaction was discarded');
    this.log.error(`message ${head.id} (${head.fields.type ?? 'no type'}) sent to ${this.o.deadLetterStream}: ${error}`);
    return { kind: 'done' };
  }

  // ── holding and taking over ────────────────────────────────────────────────────────────────────

  private target(): { stream: string; group: string; consumer: string } {
    return { stream: this.o.stream, group: this.o.group, consumer: this.o.consumer };
  }

  /** Resets the idle time of every held message; forgets those another consumer took meanwhile. */
  private async heartbeat(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0 || !this.command) return;
    try {
      const mine = new Set((await claimIfMine(this.command, this.target(), 'heartbeat', ids)).map((m) => m.id));
      for (const id of ids) if (!mine.has(id)) this.forget(id);
    } catch (err) {
      this.log.warn(`heartbeat failed (${errorText(err)})`);
    }
  }

  /** Drops a held message that is no longer pending here (unless a handler is on it right now). */
  private forget(id: string): void {
    const held = this.held.get(id);
    if (!held) return;
    for (const [key, lane] of this.lanes) {
      const at = lane.queue.indexOf(held);
      if (at < 0 || (at === 0 && lane.state === 'running')) continue;
      lane.queue.splice(at, 1);
      this.held.delete(id);
      if (lane.queue.length === 0 && lane.state !== 'running') {
        if (lane.timer) clearTimeout(lane.timer);
        this.lanes.delete(key);
      }
      break;
    }
    this.wake();
  }

  /** Takes over messages left pending at consumers idle for `claimIdleMs`. */
  private async claimAbandoned(): Promise<void> {
    const room = this.o.maxBuffered - this.held.size;
    if (this.closing || this.claiming || room <= 0 || !this.command) return;
    this.claiming = true;
    try {
      const reply: unknown = await this.command.call(
        'XAUTOCLAIM',
        this.o.stream,
        this.o.group,
        this.o.consumer,
        this.o.claimIdleMs,
        this.claimCursor,
        'COUNT',
        Math.min(room, this.o.batchSize),
      );
      const { cursor, entries } = entriesOfAutoclaim(reply);
      this.claimCursor = cursor;
      if (entries.length > 0) {
        this.log.warn(`took over ${entries.length} message(s) idle for ${this.o.claimIdleMs} ms at other consumers`);
        await this.take(entries, 'pending');
      }
    } catch (err) {
      if (!this.closing) this.log.warn(`taking over idle messages failed (${errorText(err)})`);
    } finally {
      this.claiming = false;
    }
  }

  // ── waiting and closing ────────────────────────────────────────────────────────────────────────

  private wake(): void {
    const wakers = this.wakers;
    this.wakers = [];
    for (const w of wakers) w();
  }

  private async untilRoom(): Promise<void> {
    while (!this.closing && this.held.size >= this.o.maxBuffered) await new Promise<void>((r) => this.wakers.push(r));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((r) => {
      const t = setTimeout(r, ms);
      this.wakers.push(() => {
        if (this.closing) {
          clearTimeout(t);
          r();
        }
      });
    });
  }

  private async shutdown(): Promise<void> {
    this.closing = true;
    for (const lane of this.lanes.values()) {
      if (lane.timer) clearTimeout(lane.timer);
      lane.timer = undefined;
    }
    this.wake();
    await this.stopReading();
    // Handlers in flight finish and acknowledge; heartbeats go on meanwhile so nobody takes their messages.
    while (this.active > 0) await new Promise<void>((r) => this.wakers.push(r));
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    while (this.claiming) await new Promise((r) => setTimeout(r, 10));
    await this.release();
    this.reader?.disconnect();
    // QUIT would wait behind commands queued while Redis is unreachable (for ever, if it stays so).
    if (this.command?.status === 'ready') await this.command.quit().catch(() => undefined);
    this.command?.disconnect();
    this.reader = null;
    this.command = null;
    this._status$.next('disconnected');
  }

  /**
   * Hands what was read and not handled back to the group: marked idle for `claimIdleMs`, the
   * group's live consumers take it over at their next look rather than `claimIdleMs` from now. A
   * restart under the same name takes it back at once either way.
   */
  private async release(): Promise<void> {
    const ids = [...this.held.keys()];
    if (ids.length === 0 || !this.command) return;
    try {
      await claimIfMine(this.command, this.target(), 'release', ids, this.o.claimIdleMs);
    } catch (err) {
      this.log.warn(`could not hand ${ids.length} unhandled message(s) back (${errorText(err)}); they are taken over in ${this.o.claimIdleMs} ms`);
    }
  }

  /** Ends the read loop; a read blocked in Redis is released (CLIENT UNBLOCK) rather than awaited. */
  private async stopReading(): Promise<void> {
    const loop = this.loop;
    if (!loop) return;
    let ended = false;
    void loop.finally(() => (ended = true));
    while (!ended) {
      if (this.readerId !== null) await this.command?.call('CLIENT', 'UNBLOCK', this.readerId).catch(() => undefined);
      await Promise.race([loop, new Promise((r) => setTimeout(r, 50))]);
    }
  }
}
