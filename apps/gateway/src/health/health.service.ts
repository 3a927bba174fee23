// Readiness: Postgres `SELECT 1` and Redis `PING`, each bounded in time, checked together.
import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { OperationQueues, withTimeout } from '../infra/operation-queues.service';
import type { readinessSchema } from './health.routes';

const CHECK_TIMEOUT_MS = 1500;

type Check = z.output<typeof readinessSchema>['checks']['postgres'];

async function probe(run: () => Promise<unknown>): Promise<Check> {
  try {
    await run();
    return { status: 'up' };
  } catch (err) {
    return { status: 'down', error: err instanceof Error ? err.message : String(err) };
  }
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(OperationQueues) private readonly queues: OperationQueues,
  ) {}

  async readiness(): Promise<z.output<typeof readinessSchema>> {
    const [postgres, redis] = await Promise.all([
      probe(() => withTimeout(this.dataSource.query('SELECT 1'), CHECK_TIMEOUT_MS, 'postgres SELECT 1')),
      probe(() => this.queues.ping(CHECK_TIMEOUT_MS)),
    ]);
    const ready = postgres.status === 'up' && redis.status === 'up';
    return { status: ready ? 'ready' : 'unavailable', checks: { postgres, redis } };
  }
}
