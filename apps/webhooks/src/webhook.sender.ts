// POSTs one delivery. A 2xx is a success and its body is not read; anything else, a network
// error or no full answer within the timeout is a failure, described for the delivery log from the
// status and the first bytes of the body (never more is read). Redirects are not followed: a
// receiver that moved must be subscribed again under its new URL.
import { request as httpRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { isPrivateAddress, PrivateTargetError, publicOnlyLookup } from './target-address.policy';

export interface SendOutcome {
  ok: boolean;
  /** The receiver's HTTP status, when it answered one. */
  statusCode: number | null;
  error: string | null;
}

export interface WebhookSenderOptions {
  timeoutMs: number;
  allowPrivateTargets: boolean;
}

const EXCERPT_BYTES = 512;
const MAX_ERROR_LENGTH = 500;
const USER_AGENT = 'ecr-bridge-webhooks/1';

function describe(status: number, body: string): string {
  const excerpt = body.replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 300);
  const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  return `answered ${status}${redirect}${excerpt ? `: ${excerpt}` : ''}`;
}

export class WebhookSender {
  constructor(private readonly options: WebhookSenderOptions) {}

  send(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<SendOutcome> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.resolve({ ok: false, statusCode: null, error: 'not a valid URL' });
    }
    const host = target.hostname.replace(/^\[(.*)\]$/, '$1');
    // Literal addresses are connected to without a lookup, so they are checked here.
    if (!this.options.allowPrivateTargets && isIP(host) && isPrivateAddress(host)) {
      return Promise.resolve({ ok: false, statusCode: null, error: new PrivateTargetError(host, host).message });
    }
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const settle = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve({ ...outcome, error: outcome.error?.slice(0, MAX_ERROR_LENGTH) ?? null });
      };
      const req = request(
        target,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': USER_AGENT,
            ...headers,
          },
          lookup: this.options.allowPrivateTargets ? undefined : publicOnlyLookup,
        },
        (res: IncomingMessage) => {
          res.on('error', () => undefined);
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            settle({ ok: true, statusCode: status, error: null });
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          const done = () => settle({ ok: false, statusCode: status, error: describe(status, Buffer.concat(chunks).toString('utf8')) });
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk.subarray(0, EXCERPT_BYTES - size));
            size += chunk.length;
            if (size >= EXCERPT_BYTES) done();
          });
          res.on('end', done);
          res.on('close', done);
        },
      );
      const timer = setTimeout(
        () => settle({ ok: false, statusCode: null, error: `no answer within ${this.options.timeoutMs} ms` }),
        this.options.timeoutMs,
      );
      req.on('error', (err: Error) => settle({ ok: false, statusCode: null, error: err.message || err.name }));
      req.end(body);
    });
  }
}
