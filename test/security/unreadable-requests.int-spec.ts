// Requests refused before a route runs (broken HTTP, URLs that do not decode, over-long path
// parameters) and values Postgres cannot store (NUL, unpaired surrogates) are problem details
// like every other refusal: a 4xx with a stable code and the security headers, never a 500, never
// an echo of the URL, and nothing written.
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { ProblemDetails } from '@app/contracts';
import { Gateway, startGateway } from '../gateway/gateway.harness';

/** Writes `raw` on a fresh connection and reads everything until the server closes it. */
function rawExchange(url: string, raw: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(raw));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
  });
}

function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: ProblemDetails } {
  const [head, ...rest] = text.split('\r\n\r\n');
  const [statusLine, ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const at = line.indexOf(':');
    headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(rest.join('\r\n\r\n')) as ProblemDetails };
}

describe('unreadable requests and unstorable values', () => {
  let gw: Gateway;
  let merchant: { id: string; apiKey: string };
  let terminal: string;

  beforeAll(async () => {
    gw = await startGateway();
    merchant = await gw.createMerchant();
    terminal = await gw.registerTerminal(merchant.id);
  });
  afterAll(async () => gw.close());

  it('answers malformed HTTP with a 400 problem on the socket, with the security headers', async () => {
    for (const raw of [
      'GARBAGE\r\n\r\n',
      `GET /v1/payments HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n`,
      `GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n`,
    ]) {
      const answer = parseAnswer(await rawExchange(gw.url, raw));
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.body).toMatchObject({ status: 400, code: 'REQUEST.MALFORMED_BODY', errors: [] });
    }
  });

  it('answers oversized headers with 431', async () => {
    const raw = `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`;
    const answer = parseAnswer(await rawExchange(gw.url, raw));
    expect(answer.status).toBe(431);
    expect(answer.body.code).toBe('REQUEST.MALFORMED_BODY');
  });

  it('answers a URL that does not decode with 400, without echoing it', async () => {
    const res = await gw.request<ProblemDetails>('GET', '/v1/payments/%E0%A4%A<script>', { key: merchant.apiKey });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.body.code).toBe('REQUEST.MALFORMED_BODY');
    expect(res.text).not.toContain('script');
  });

  it('answers an over-long path parameter with 414', async () => {
    const res = await gw.request<ProblemDetails>('GET', `/v1/payments/pay_${'x'.repeat(200)}`, { key: merchant.apiKey });
    expect(res.status).toBe(414);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
    expect(res.text).not.toContain('x'.repeat(50));
  });

  it('refuses NUL characters and unpaired surrogates anywhere in params, query or body, writing nothing', async () => {
    const before = await gw.counts();
    const cases: [string, string, { body?: unknown; raw?: string }, string][] = [
      ['GET', '/v1/payments/pay_1%00', {}, 'id'],
      ['GET', '/v1/settlements/91414600%00', {}, 'id'],
      ['GET', '/v1/payments?reference=a%00b', {}, 'reference'],
      ['POST', '/v1/payments', { body: { terminalIds: [terminal], amount: 150000, currency: 'ARS', reference: 'a\u0000b' } }, 'reference'],
      ['POST', '/v1/payments', { body: { terminalIds: [terminal], amount: 150000, currency: 'ARS', description: 'caja \ud800' } }, 'description'],
      ['POST', '/v1/payments', { raw: `{"terminalIds":["${terminal}"],"amount":150000,"currency":"ARS","reference":"\\udc00x"}` }, 'reference'],
      ['POST', '/v1/payments', { body: { terminalIds: [terminal], amount: 150000, currency: 'ARS', 'tip\u0000': 1 } }, 'tip\ufffd'],
      ['POST', '/v1/webhooks', { body: { url: 'https://hooks.example.com/\u0000' } }, 'url'],
    ];
    for (const [method, path, options, field] of cases) {
      const res = await gw.request<ProblemDetails>(method, path, {
        key: merchant.apiKey,
        ...options,
        headers: { 'idempotency-key': randomUUID(), ...(options.raw ? { 'content-type': 'application/json' } : {}) },
      });
      expect([path, field, res.status]).toEqual([path, field, 400]);
      expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
      expect(res.body.errors.map((e) => e.field)).toContain(field);
    }
    expect(await gw.counts()).toEqual(before);
  });
});
