import { createdAtCursorSchema, decodeCursor, encodeCursor, limitSchema } from './cursor.codec';

describe('list cursors', () => {
  it('decodes what it encoded', () => {
    const cursor = encodeCursor(['2025-01-02T03:04:05.123456Z', 'pay_01abc']);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 2)).toEqual(['2025-01-02T03:04:05.123456Z', 'pay_01abc']);
  });

  it.each([
    ['not base64url', 'a b'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['the wrong arity', encodeCursor(['one'])],
    ['non-string parts', Buffer.from('[1,2]').toString('base64url')],
    ['empty', ''],
  ])('refuses a cursor that is %s', (_why, cursor) => {
    expect(decodeCursor(cursor, 2)).toBeNull();
  });

  it('accepts a createdAt cursor only with a microsecond UTC timestamp', () => {
    const good = encodeCursor(['2025-01-02T03:04:05.123456Z', 'pay_1']);
    expect(createdAtCursorSchema.parse(good)).toEqual({ createdAt: '2025-01-02T03:04:05.123456Z', id: 'pay_1' });
    expect(createdAtCursorSchema.safeParse(encodeCursor(['yesterday', 'pay_1'])).success).toBe(false);
    expect(createdAtCursorSchema.safeParse(encodeCursor(['2025-13-45T03:04:05.123456Z', 'pay_1'])).success).toBe(false);
  });
});

describe('limit', () => {
  it('defaults to 50 and takes 1 to 200', () => {
    expect(limitSchema.parse(undefined)).toBe(50);
    expect(limitSchema.parse('1')).toBe(1);
    expect(limitSchema.parse('200')).toBe(200);
  });

  it.each(['0', '201', '-1', '1.5', 'abc', '', '1e2'])('refuses %p', (limit) => {
    expect(limitSchema.safeParse(limit).success).toBe(false);
  });
});
