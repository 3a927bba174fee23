// Liveness, readiness and Prometheus metrics, on the paths every app serves them (shared/API.md).
// The sandbox holds everything in memory and depends on nothing, so it is ready once it listens.
// These routes are not provider routes: never logged in the request log, never faulted.
import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

export const OPS_PATHS: readonly string[] = Object.freeze(['/health/live', '/health/ready', '/metrics']);

/** One registry per sandbox, so several sandboxes in one process keep their own counts. */
export class SandboxMetrics {
  readonly registry = new Registry();
  readonly providerRequests: Counter<'method' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.providerRequests = new Counter({
      name: 'sandbox_provider_requests_total',
      help: 'Requests to the simulated provider APIs (not /sandbox/*), by method and answered status',
      labelNames: ['method', 'status'],
      registers: [this.registry],
    });
  }
}

/** Counts every answered provider request; `isProviderPath` decides what is one. */
export function installRequestMetrics(fastify: FastifyInstance, metrics: SandboxMetrics, isProviderPath: (path: string) => boolean): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const question = request.url.indexOf('?');
    const path = question < 0 ? request.url : request.url.slice(0, question);
    if (isProviderPath(path)) metrics.providerRequests.inc({ method: request.method, status: String(reply.statusCode) });
  });
}

@Controller()
export class OpsController {
  constructor(@Inject(SandboxMetrics) private readonly metrics: SandboxMetrics) {}

  @Get('health/live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('health/ready')
  ready(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('metrics')
  @Header('content-type', Registry.PROMETHEUS_CONTENT_TYPE)
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
