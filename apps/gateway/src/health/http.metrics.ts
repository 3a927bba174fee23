// Prometheus metrics for this process: the default Node metrics and one request-duration histogram
// labelled by method, route TEMPLATE (`/v1/payments/:id`, never the raw URL, so cardinality stays
// bounded; unmatched paths share one label) and status. One registry per app instance.
import type { Logger } from '@app/common';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export class HttpMetrics {
  readonly registry = new Registry();
  private readonly duration: Histogram<'method' | 'route' | 'status_code'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    this.duration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [this.registry],
    });
  }

  /** Observes every answered request and logs one line for it (never headers or bodies). */
  install(fastify: FastifyInstance, logger: Logger): void {
    fastify.addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const seconds = reply.elapsedTime / 1000;
      this.duration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, seconds);
      logger.info(
        { reqId: request.id, method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
        'request',
      );
      done();
    });
  }
}
