// The gateway baseline: a bare Fastify route that does what accepting a command minimally costs,
// one Postgres insert and one BullMQ add, and nothing else (no auth, validation, idempotency or
// outbox). Started as its own process by the benchmark, like the gateway.
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import Redis from 'ioredis';
import { Pool } from 'pg';

async function main(): Promise<void> {
  const env = process.env;
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: Number(env.DATABASE_POOL_SIZE ?? 10) });
  await pool.query(
    `CREATE TABLE IF NOT EXISTS bench_bare (id text PRIMARY KEY, body jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  const connection = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
  const queue = new Queue('bare', { connection, prefix: env.BULLMQ_PREFIX });
  const app = Fastify({ logger: false });
  app.post('/v1/payments', async (req, reply) => {
    const id = `bare_${randomUUID()}`;
    await pool.query('INSERT INTO bench_bare (id, body) VALUES ($1, $2)', [id, JSON.stringify(req.body)]);
    await queue.add('payment', { id }, { jobId: id });
    return reply.code(202).send({ id, status: 'accepted' });
  });
  app.get('/health', async () => ({ ok: true }));
  await app.listen({ port: Number(env.PORT), host: '127.0.0.1' });
  const stop = async () => {
    await app.close();
    await queue.close();
    connection.disconnect();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`baseline server failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
