import { Registry } from 'prom-client';
import type { Queue } from 'bullmq';
import type { DataSource } from 'typeorm';
import { OPEN_STATUSES, WorkerMetrics } from './worker.metrics';

describe('WorkerMetrics', () => {
  it('times every provider call and counts the failed ones by code', async () => {
    const metrics = new WorkerMetrics(new Registry());
    metrics.observeProviderCall('paystore', 'payment.get', 'ok', 120);
    metrics.observeProviderCall('paystore', 'payment.get', 'PAYSTORE.TIMEOUT', 1500);
    metrics.observeProviderCall('paystore', 'payment.create', 'PAYSTORE.CIRCUIT_OPEN', 0);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ecr_provider_call_seconds_count{provider="paystore",operation="payment.get",outcome="ok"} 1');
    expect(text).toContain('ecr_provider_call_seconds_sum{provider="paystore",operation="payment.get",outcome="PAYSTORE.TIMEOUT"} 1.5');
    expect(text).toContain('ecr_provider_call_errors_total{provider="paystore",operation="payment.get",code="PAYSTORE.TIMEOUT"} 1');
    expect(text).toContain('ecr_provider_call_errors_total{provider="paystore",operation="payment.create",code="PAYSTORE.CIRCUIT_OPEN"} 1');
    expect(text).not.toMatch(/ecr_provider_call_errors_total\{[^}]*code="ok"/);
  });

  it('reads the open operations of its types at scrape time, zero for the statuses with none', async () => {
    const metrics = new WorkerMetrics(new Registry());
    const queue = { name: 'payments', getJobCounts: async () => ({ waiting: 0 }) } as unknown as Queue;
    const queries: { sql: string; params?: unknown[] }[] = [];
    const dataSource = {
      query: async (sql: string, params?: unknown[]) => {
        queries.push({ sql, params });
        if (sql.includes('FROM outbox')) return [{ n: 0, age: 0 }];
        return [{ type: 'payment', status: 'pending', n: 3 }];
      },
    } as unknown as DataSource;
    metrics.watch(queue, dataSource, ['payment']);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ecr_operations{type="payment",status="pending"} 3');
    expect(text).toContain('ecr_operations{type="payment",status="accepted"} 0');
    expect(text).not.toMatch(/ecr_operations\{[^}]*status="approved"/);
    expect(OPEN_STATUSES).toEqual(['accepted', 'pending', 'in_progress', 'cancelling', 'unknown']);
    const open = queries.find((q) => q.sql.includes('FROM operations'));
    // The partial index's own predicate, so the planner can use operations_open_idx.
    expect(open?.sql).toContain("status NOT IN ('approved','rejected','cancelled','expired','failed')");
    expect(open?.params).toEqual([['payment']]);
  });

  it('reads the outbox backlog once per scrape: how many events wait, and how old the oldest is', async () => {
    const metrics = new WorkerMetrics(new Registry());
    const queue = { name: 'payments', getJobCounts: async () => ({ waiting: 0 }) } as unknown as Queue;
    let outboxQueries = 0;
    let backlog = { n: 3, age: 94.5 };
    const dataSource = {
      query: async (sql: string) => {
        if (!sql.includes('FROM outbox')) return [];
        outboxQueries += 1;
        return [backlog];
      },
    } as unknown as DataSource;
    metrics.watch(queue, dataSource);
    let text = await metrics.registry.metrics();
    expect(text).toContain('ecr_outbox_unpublished_events 3');
    expect(text).toContain('ecr_outbox_oldest_unpublished_seconds 94.5');
    expect(outboxQueries).toBe(1);
    backlog = { n: 0, age: 0 };
    text = await metrics.registry.metrics();
    expect(text).toContain('ecr_outbox_unpublished_events 0');
    expect(text).toContain('ecr_outbox_oldest_unpublished_seconds 0');
    expect(outboxQueries).toBe(2);
  });
});
