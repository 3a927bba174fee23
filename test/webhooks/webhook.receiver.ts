// A webhook receiver for tests: a real HTTP server on 127.0.0.1 that answers each path as told,
// verifies every delivery with the receivers' helper, and keeps what it got.
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, VerifyWebhookResult } from '@app/webhooks';

export interface Received {
  path: string;
  webhookId: string;
  timestamp: string;
  signature: string;
  body: string;
  event: { id: string; type: string; subject: string; data: Record<string, unknown> };
  verified: VerifyWebhookResult;
  status: number;
}

interface Endpoint {
  secret: string | null;
  /** The status to answer this delivery with. */
  answer: (delivery: Received) => number;
}

export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly endpoints = new Map<string, Endpoint>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | null = null;
    const server = createServer((req, res) => {
      void receiver?.handle(req).then((status) => res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    receiver = new WebhookReceiver(server, `http://127.0.0.1:${port}`);
    return receiver;
  }

  /** A path that answers `status` (or what `answer` decides) to every delivery. */
  endpoint(path: string, answer: number | ((delivery: Received) => number) = 200): string {
    this.endpoints.set(path, { secret: null, answer: typeof answer === 'number' ? () => answer : answer });
    return this.url + path;
  }

  /** The secret the subscription of `path` signs with, once the gateway has answered it. */
  trust(path: string, secret: string): void {
    const endpoint = this.endpoints.get(path);
    if (!endpoint) throw new Error(`no endpoint ${path}`);
    endpoint.secret = secret;
  }

  answer(path: string, answer: number | ((delivery: Received) => number)): void {
    const endpoint = this.endpoints.get(path);
    if (!endpoint) throw new Error(`no endpoint ${path}`);
    endpoint.answer = typeof answer === 'number' ? () => answer : answer;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Event ids `path` acknowledged with a 2xx after verifying their signature. */
  acknowledged(path: string): Set<string> {
    return new Set(this.at(path).filter((r) => r.verified.ok && r.status < 300).map((r) => r.event.id));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0];
    const endpoint = this.endpoints.get(path);
    const header = (name: string) => String(req.headers[name] ?? '');
    const delivery: Received = {
      path,
      webhookId: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
      body,
      event: JSON.parse(body) as Received['event'],
      verified: endpoint?.secret ? verifyWebhook({ secret: endpoint.secret, headers: req.headers, body }) : { ok: false, reason: 'bad_signature' },
      status: 404,
    };
    delivery.status = endpoint ? endpoint.answer(delivery) : 404;
    this.received.push(delivery);
    return delivery.status;
  }
}
