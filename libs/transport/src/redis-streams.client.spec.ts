import { cloudEventSchema } from '@app/contracts';
import { eventFor } from './redis-streams.client';

const now = new Date('2025-01-01T12:00:00.000Z');

describe('what the client emits', () => {
  it('wraps plain data in a CloudEvent of the pattern’s type, its subject the data’s id', () => {
    const event = eventFor('payment.requested', { id: 'pay_1', amount: 100 }, 'urn:store', now);
    expect(cloudEventSchema.parse(event)).toEqual(event);
    expect(event).toMatchObject({ type: 'payment.requested', subject: 'pay_1', source: 'urn:store', time: now.toISOString(), data: { id: 'pay_1', amount: 100 } });
    expect(event.id).toMatch(/^evt_/);
  });

  it('uses the event’s own id as subject when the data has none', () => {
    const event = eventFor('batch.requested', { terminalId: '1' }, undefined, now);
    expect(event.subject).toBe(event.id);
  });

  it('publishes a CloudEvent as it is when its type is the pattern', () => {
    const given = eventFor('payment.approved', { id: 'pay_1' }, undefined, now);
    expect(eventFor('payment.approved', given)).toEqual(given);
    expect(() => eventFor('payment.rejected', given)).toThrow(/pattern payment.rejected but the event's type is payment.approved/);
  });

  it('refuses a pattern that is not a type name and data that is not an object', () => {
    expect(() => eventFor({ cmd: 'x' }, {})).toThrow(/pattern/);
    expect(() => eventFor('payment.approved', 'text')).toThrow(/data must be an object/);
  });
});
