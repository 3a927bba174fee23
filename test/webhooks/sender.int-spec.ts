import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebhookSender } from '../../apps/webhooks/src/webhook.sender';

// The delivery's HTTP leg against a real local server.
describe('webhook sender', () => {
  let server: Server;
  let base: string;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const seen: { path: string; headers: IncomingMessage['headers']; body: string }[] = [];
  const sender = new WebhookSender({ timeoutMs: 500, allowPrivateTargets: true });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() });
        handler(req, res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it('POSTs the body as JSON with the given headers, and a 2xx is a success', async () => {
    handler = (_req, res) => res.writeHead(204).end();
    const outcome = await sender.send(`${base}/ok`, { 'Webhook-Id': 'evt_1' }, '{"a":1}');
    expect(outcome).toEqual({ ok: true, statusCode: 204, error: null });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ path: '/ok', body: '{"a":1}' });
    expect(seen[0].headers).toMatchObject({ 'content-type': 'application/json', 'webhook-id': 'evt_1' });
  });

  it('records the status and the start of the body of a failure', async () => {
    handler = (_req, res) => res.writeHead(503).end('maintenance until 10:00\n' + 'x'.repeat(100_000));
    const outcome = await sender.send(`${base}/down`, {}, '{}');
    expect(outcome.ok).toBe(false);
    expect(outcome.statusCode).toBe(503);
    expect(outcome.error).toMatch(/^answered 503: maintenance until 10:00 x+$/);
    expect(outcome.error!.length).toBeLessThanOrEqual(500);
  });

  it('does not follow a redirect', async () => {
    handler = (req, res) => (req.url === '/moved' ? res.writeHead(302, { location: `${base}/elsewhere` }).end() : res.end());
    const outcome = await sender.send(`${base}/moved`, {}, '{}');
    expect(outcome).toMatchObject({ ok: false, statusCode: 302, error: 'answered 302 (redirects are not followed)' });
    expect(seen.map((s) => s.path)).toEqual(['/moved']);
  });

  it('gives up on a receiver that does not answer in time', async () => {
    handler = () => undefined;
    const started = Date.now();
    const outcome = await sender.send(`${base}/silent`, {}, '{}');
    expect(outcome).toEqual({ ok: false, statusCode: null, error: 'no answer within 500 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('records a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await sender.send(`http://127.0.0.1:${port}/`, {}, '{}');
    expect(outcome).toMatchObject({ ok: false, statusCode: null, error: expect.stringContaining('ECONNREFUSED') });
  });

  it('refuses private addresses, named or literal, unless they are allowed', async () => {
    handler = (_req, res) => res.end();
    const strict = new WebhookSender({ timeoutMs: 500, allowPrivateTargets: false });
    const port = new URL(base).port;
    for (const url of [`${base}/x`, `http://localhost:${port}/x`, `http://[::1]:${port}/x`]) {
      const outcome = await strict.send(url, {}, '{}');
      expect([url, outcome.ok, outcome.error]).toEqual([url, false, expect.stringContaining('private address')]);
    }
    expect(seen).toHaveLength(0);
  });
});
