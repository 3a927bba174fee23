import { compareStreamIds, entriesOfAutoclaim, entriesOfRead, fieldsOf, flatten, parseBusMessage } from './stream-entry';

const event = {
  specversion: '1.0',
  id: 'evt_1',
  source: 'urn:ecr-bridge',
  type: 'payment.approved',
  time: '2025-01-01T12:00:00.000Z',
  subject: 'pay_1',
  datacontenttype: 'application/json',
  data: { id: 'pay_1', amount: 1000 },
};
const fields = (over: Record<string, string> = {}) => ({ position: '7', id: 'evt_1', type: 'payment.approved', subject: 'pay_1', event: JSON.stringify(event), ...over });

describe('bus message parsing', () => {
  it('reads the event of a well-formed message', () => {
    const parsed = parseBusMessage(fields());
    expect(parsed).toEqual({ ok: true, message: { type: 'payment.approved', event } });
  });

  it.each([
    ['a missing event field', { event: '' }, /event/],
    ['an event that is not JSON', { event: '{nope' }, /not JSON/],
    ['an event that is not a CloudEvent', { event: JSON.stringify({ ...event, specversion: '0.3' }) }, /not a CloudEvent.*specversion/],
    ['an id that differs from the event’s', { id: 'evt_2' }, /id evt_2 but the event's id is evt_1/],
    ['a type that differs from the event’s', { type: 'payment.rejected' }, /type payment.rejected/],
  ])('refuses %s, saying why', (_what, over, why) => {
    const parsed = parseBusMessage(fields(over));
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.error).toMatch(why);
  });

  it('refuses a message without a type field', () => {
    const { type: _type, ...rest } = fields();
    expect(parseBusMessage(rest).ok).toBe(false);
  });
});

describe('stream replies', () => {
  it('turns flat field lists into records and back', () => {
    expect(fieldsOf(['a', '1', 'b', '2'])).toEqual({ a: '1', b: '2' });
    expect(flatten({ a: '1', b: '2' })).toEqual(['a', '1', 'b', '2']);
  });

  it('answers the entries of the asked stream, none when the read timed out', () => {
    expect(entriesOfRead([['s', [['1-0', ['a', '1']], ['2-0', null]]]], 's')).toEqual([
      ['1-0', ['a', '1']],
      ['2-0', null],
    ]);
    expect(entriesOfRead(null, 's')).toEqual([]);
  });

  it('rejects a read reply of another shape', () => {
    expect(() => entriesOfRead([['s', 'oops']], 's')).toThrow();
  });

  it('reads the cursor and the claimed entries of an XAUTOCLAIM reply, leaving out trimmed ones', () => {
    expect(entriesOfAutoclaim(['5-0', [['1-0', ['a', '1']], null], ['3-0']])).toEqual({ cursor: '5-0', entries: [['1-0', ['a', '1']]] });
  });
});

describe('stream id order', () => {
  it('orders by time, then sequence, as numbers rather than text', () => {
    expect(compareStreamIds('9-0', '10-0')).toBe(-1);
    expect(compareStreamIds('10-2', '10-10')).toBe(-1);
    expect(compareStreamIds('1700000000000-5', '1700000000000-5')).toBe(0);
    expect(compareStreamIds('1700000000001-0', '1700000000000-9')).toBe(1);
  });
});
