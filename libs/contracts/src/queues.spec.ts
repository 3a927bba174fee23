import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { JobName, QueueName } from './queues';

// Queue and job names are stored in Redis with every job: renaming one strands the jobs queued
// under the old name. These are the names deployed systems hold.
describe('queue and job names', () => {
  it('are the stored names, operations and webhook deliveries alike', () => {
    expect(QueueName).toEqual({
      Payments: 'payments',
      Reversals: 'reversals',
      Settlements: 'settlements',
      WebhookDeliveries: 'webhook-deliveries',
    });
    expect(JobName).toEqual({
      PaymentAdvance: 'payment.advance',
      ReversalAdvance: 'reversal.advance',
      RefundAdvance: 'refund.advance',
      SettlementAdvance: 'settlement.advance',
      WebhookDeliver: 'webhook.deliver',
    });
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(QueueName)).toBe(true);
    expect(Object.isFrozen(JobName)).toBe(true);
    expect(() => {
      (QueueName as Record<string, string>).WebhookDeliveries = 'renamed';
    }).toThrow(TypeError);
    expect(QueueName.WebhookDeliveries).toBe('webhook-deliveries');
  });
});

describe('libs/contracts', () => {
  it('imports nothing of ours: every other library and app may import it', () => {
    const sources = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));
    for (const file of sources) {
      const imports = [...readFileSync(join(__dirname, file), 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      const ours = imports.filter((i) => i.startsWith('@app/') || (i.startsWith('.') && !/^\.\/[\w.-]+$/.test(i)));
      expect({ file, ours }).toEqual({ file, ours: [] });
    }
  });
});
