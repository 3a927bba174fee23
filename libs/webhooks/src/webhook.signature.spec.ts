import { createHmac } from 'node:crypto';
import { signWebhook, verifyWebhook, VerifyWebhookInput } from './webhook.signature';

const secret = 'whsec_test-secret';
const id = 'evt_01hzzzz';
const body = JSON.stringify({ specversion: '1.0', id, type: 'payment.approved', data: { amount: 150000 } });
const at = new Date('2026-03-01T12:00:00Z');
const ts = Math.floor(at.getTime() / 1000);

function headers(signature: string, timestamp: number | string = ts, webhookId = id): Record<string, string> {
  return { 'webhook-id': webhookId, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

function verify(patch: Partial<VerifyWebhookInput> = {}) {
  return verifyWebhook({ secret, headers: headers(signWebhook(secret, id, ts, body)), body, now: at, ...patch });
}

describe('signWebhook', () => {
  it('is v1 and the base64 HMAC-SHA256 of id.timestamp.body under the secret', () => {
    const mac = createHmac('sha256', secret).update(`${id}.${ts}.${body}`).digest('base64');
    expect(signWebhook(secret, id, ts, body)).toBe(`v1,${mac}`);
  });

  it('signs bytes and the same text alike', () => {
    expect(signWebhook(secret, id, ts, Buffer.from(body, 'utf8'))).toBe(signWebhook(secret, id, ts, body));
  });
});

describe('verifyWebhook', () => {
  it('accepts a genuine delivery', () => {
    expect(verify()).toEqual({ ok: true });
  });

  it('reads headers in any case, from a Headers object too', () => {
    const signature = signWebhook(secret, id, ts, body);
    expect(verify({ headers: { 'Webhook-Id': id, 'WEBHOOK-TIMESTAMP': String(ts), 'Webhook-Signature': signature } })).toEqual({ ok: true });
    expect(verify({ headers: new Headers(headers(signature)) })).toEqual({ ok: true });
  });

  it('refuses a tampered body', () => {
    expect(verify({ body: body.replace('150000', '150001') })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a body that was parsed and serialized again with other spacing', () => {
    expect(verify({ body: JSON.stringify(JSON.parse(body), null, 1) })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses another secret', () => {
    expect(verify({ secret: 'whsec_other' })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature moved to another event id or timestamp', () => {
    const signature = signWebhook(secret, id, ts, body);
    expect(verify({ headers: headers(signature, ts, 'evt_other') })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ headers: headers(signature, ts + 1) })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a timestamp older or newer than the tolerance, and takes one at its edge', () => {
    const old = ts - 301;
    const future = ts + 301;
    expect(verify({ headers: headers(signWebhook(secret, id, old, body), old) })).toEqual({ ok: false, reason: 'stale' });
    expect(verify({ headers: headers(signWebhook(secret, id, future, body), future) })).toEqual({ ok: false, reason: 'stale' });
    expect(verify({ headers: headers(signWebhook(secret, id, ts - 300, body), ts - 300) })).toEqual({ ok: true });
    expect(verify({ headers: headers(signWebhook(secret, id, old, body), old), toleranceSeconds: 600 })).toEqual({ ok: true });
  });

  it.each([
    ['no id', { 'webhook-timestamp': String(ts), 'webhook-signature': 'v1,x' }],
    ['no timestamp', { 'webhook-id': id, 'webhook-signature': 'v1,x' }],
    ['no signature', { 'webhook-id': id, 'webhook-timestamp': String(ts) }],
    ['an empty signature', { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': '  ' }],
    ['a timestamp in milliseconds as a date', { 'webhook-id': id, 'webhook-timestamp': at.toISOString(), 'webhook-signature': 'v1,x' }],
  ])('answers missing_headers for %s', (_name, given) => {
    expect(verify({ headers: given })).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('accepts any of several signatures, for a sender rotating its secret', () => {
    const both = `${signWebhook('whsec_old', id, ts, body)} ${signWebhook(secret, id, ts, body)}`;
    expect(verify({ headers: headers(both) })).toEqual({ ok: true });
    expect(verify({ headers: headers(both), secret: 'whsec_old' })).toEqual({ ok: true });
    expect(verify({ headers: headers(both), secret: 'whsec_third' })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('accepts a receiver holding the old and the new secret', () => {
    expect(verify({ secret: ['whsec_new', secret] })).toEqual({ ok: true });
  });

  it('ignores signatures of other versions and garbage', () => {
    const mac = signWebhook(secret, id, ts, body).slice(3);
    expect(verify({ headers: headers(`v2,${mac}`) })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify({ headers: headers(`garbage v1,!!! v1,${mac}`) })).toEqual({ ok: true });
  });
});
