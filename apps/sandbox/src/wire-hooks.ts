// Fastify hooks around the provider routes: every request is logged on arrival, and injected
// faults act after the body is read but before any handler runs, so a faulted request creates
// nothing (latency alone delays, then lets the request through).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FaultInjector } from './fault-injection';
import { OPS_PATHS } from './ops.controller';
import { codeForStatus, errorEnvelope } from './provider-error';
import { RequestLog, type RequestLogEntry } from './request-log';

/** Sleeps that `cancelAll` abandons, so closing the sandbox never waits for an injected delay. */
export class PendingDelays {
  private readonly timers = new Set<NodeJS.Timeout>();

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

export function pathOf(url: string): string {
  const question = url.indexOf('?');
  return question < 0 ? url : url.slice(0, question);
}

/** Provider routes are everything the sandbox serves outside its own /sandbox area and its health and metrics. */
export function isProviderPath(path: string): boolean {
  return !(path === '/sandbox' || path.startsWith('/sandbox/') || path === '/favicon.ico' || OPS_PATHS.includes(path));
}

export function installWireHooks(fastify: FastifyInstance, log: RequestLog, faults: FaultInjector, delays: PendingDelays): void {
  const entries = new WeakMap<FastifyRequest, RequestLogEntry>();

  fastify.addHook('onRequest', async (request: FastifyRequest) => {
    const path = pathOf(request.url);
    if (!isProviderPath(path)) return;
    const query = request.query !== null && typeof request.query === 'object' ? { ...(request.query as Record<string, unknown>) } : {};
    entries.set(request, log.record({ at: new Date().toISOString(), method: request.method, path, query, body: null, status: null }));
  });

  fastify.addHook('preHandler', async (request: FastifyRequest, reply: FastifyReply) => {
    const entry = entries.get(request);
    if (entry === undefined) return;
    entry.body = request.body ?? null;
    const decision = faults.decide(request.method, entry.path, Date.now());
    if (decision === null) return;
    if (decision.latencyMs > 0) await delays.wait(decision.latencyMs);
    const failure = decision.failure;
    if (failure === null) return;
    if (failure.kind === 'drop') {
      reply.hijack();
      request.raw.socket.destroy();
      return reply;
    }
    const title = `injected fault ${failure.faultId}`;
    return reply
      .status(failure.status)
      .header('content-type', 'application/json; charset=utf-8')
      .send(errorEnvelope(failure.status, codeForStatus(failure.status), title));
  });

  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const entry = entries.get(request);
    if (entry !== undefined) entry.status = reply.statusCode;
  });

  fastify.addHook('onClose', async () => delays.cancelAll());
}
