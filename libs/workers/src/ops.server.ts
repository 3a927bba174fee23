// The operations endpoints every worker serves: liveness, readiness (Postgres and Redis only; a
// provider outage never makes a worker unready) and Prometheus metrics.
import Fastify, { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';

export type ReadinessCheck = () => Promise<void>;

export interface OpsServerOptions {
  host: string;
  port: number;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  /** Extra facts for /health/ready that never fail it (breaker states, for instance). */
  info?: () => Record<string, unknown>;
}

export async function startOpsServer(options: OpsServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_req, reply) => {
    const checks: Record<string, { status: 'up' | 'down'; error?: string }> = {};
    await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2000);
          checks[name] = { status: 'up' };
        } catch (err) {
          checks[name] = { status: 'down', error: err instanceof Error ? err.message : String(err) };
        }
      }),
    );
    const ok = Object.values(checks).every((c) => c.status === 'up');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks, ...(options.info?.() ?? {}) });
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', options.registry.contentType);
    return options.registry.metrics();
  });
  await app.listen({ host: options.host, port: options.port });
  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
