import { deadLetterFields, readDeadLetter } from './dead-letters';
import { flatten } from './stream-entry';

describe('dead letters', () => {
  it('keep every original field beside why and where the message died, and give them back apart', () => {
    const original = { position: '3', id: 'evt_1', type: 'payment.approved', event: '{}' };
    const fields = deadLetterFields(original, {
      error: 'boom',
      group: 'accounting',
      consumer: 'c1',
      stream: 'events',
      messageId: '1-0',
      deliveries: 5,
      at: new Date('2025-01-01T00:00:00Z'),
    });
    expect(fields).toEqual({
      ...original,
      error: 'boom',
      group: 'accounting',
      consumer: 'c1',
      sourceStream: 'events',
      sourceId: '1-0',
      deliveries: '5',
      deadAt: '2025-01-01T00:00:00.000Z',
    });
    const read = readDeadLetter('9-0', flatten(fields));
    expect(read.original).toEqual(original);
    expect(read.info).toMatchObject({ error: 'boom', group: 'accounting', sourceId: '1-0' });
  });
});
