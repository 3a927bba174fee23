// The matrix's own consumers: a webhook receiver (a local HTTP server that can go down and come
// back on the same port) and an SSE client that reconnects with Last-Event-ID, as a cash register does.
import { createServer, IncomingMessage, Server } from 'node:http';
import { readSse } from '@app/events';
import { verifyWebhook } from '@app/webhooks';
import { sleep } from './infra';

export class FaultReceiver {
  /** Event ids acknowledged with a 2xx after their signature verified, in arrival order (duplicates kept). */
  readonly acknowledged: string[] = [];
  rejected = 0;
  secret = '';
  private server: Server | null = null;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/every-event`;
  }

  get up(): boolean {
    return this.server !== null;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      void this.handle(req).then((status) => res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no'));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  /** Down: connections are refused until start() again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<number> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const verified = verifyWebhook({ secret: this.secret, headers: req.headers, body });
    if (!verified.ok) {
      this.rejected++;
      return 400;
    }
    const event = JSON.parse(body) as { id: string };
    this.acknowledged.push(event.id);
    return 200;
  }
}

/** Follows `GET /v1/events` from the first position, reconnecting after any break. */
export class FaultSseClient {
  /** Event ids as received (a reconnect may repeat some). */
  readonly received: string[] = [];
  reconnects = 0;
  private lastId = '0';
  private stopped = false;
  private controller: AbortController | null = null;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly gatewayUrl: string,
    private readonly apiKey: string,
  ) {}

  start(): void {
    this.loop = this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.controller?.abort();
    await this.loop;
  }

  private async follow(): Promise<void> {
    while (!this.stopped) {
      this.controller = new AbortController();
      try {
        const res = await fetch(`${this.gatewayUrl}/v1/events?after=${this.lastId}`, {
          headers: { authorization: `Bearer ${this.apiKey}`, accept: 'text/event-stream', 'last-event-id': this.lastId },
          signal: this.controller.signal,
        });
        if (res.status === 200 && res.body) {
          await readSse(res.body, (m) => {
            const event = JSON.parse(m.data) as { id: string };
            this.received.push(event.id);
            if (m.id) this.lastId = m.id;
          });
        } else {
          await res.body?.cancel();
        }
      } catch {
        // cut or refused: reconnect below
      }
      if (this.stopped) break;
      this.reconnects++;
      await sleep(500);
    }
  }
}
