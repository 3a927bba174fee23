import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { basic, PAYMENTS, sleep, withSandbox, type ErrorBody, type SandboxHttp } from './sandbox-http';

const TOKEN = '/v1/oauth/accesstoken';
const LIVENESS = '/v1/paystore_terminals/terminal_payments/health/liveness';

interface TokenBody {
  token_type: string;
  access_token: string;
  expires_in: string;
  scope: string;
}

describe('sandbox OAuth', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox({ tokenTtlSeconds: 1 }));
  });
  afterAll(() => sandbox.close());

  it('issues a bearer token on GET with Basic client credentials', async () => {
    const result = await http.raw('GET', TOKEN, { query: { grant_type: 'client_credentials' }, headers: { authorization: basic() } });
    expect(result.status).toBe(200);
    const body = result.body as TokenBody;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: '1', scope: 'paystore_terminals' });
    expect(body.access_token.length).toBeGreaterThan(10);
  });

  it('issues a token on POST with a JSON body and with a form body', async () => {
    const json = await http.raw('POST', TOKEN, { body: { grant_type: 'client_credentials' }, headers: { authorization: basic() } });
    expect(json.status).toBe(200);
    const form = await http.raw('POST', TOKEN, {
      rawBody: 'grant_type=client_credentials',
      headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    expect((form.body as TokenBody).access_token).not.toBe((json.body as TokenBody).access_token);
  });

  it('answers 401 invalid_client for a wrong secret, an unknown client or no credentials', async () => {
    for (const authorization of [basic('ecr-bridge-sandbox', 'wrong'), basic('someone', 'sandbox-secret'), undefined]) {
      const result = await http.raw('GET', TOKEN, {
        query: { grant_type: 'client_credentials' },
        headers: authorization === undefined ? {} : { authorization },
      });
      expect(result.status).toBe(401);
      expect((result.body as ErrorBody).errors[0]).toMatchObject({ status: '401', code: 'invalid_client' });
    }
  });

  it('answers 400 when the grant type is missing or not client_credentials', async () => {
    const missing = await http.raw('GET', TOKEN, { headers: { authorization: basic() } });
    expect(missing.status).toBe(400);
    const other = await http.raw('POST', TOKEN, { body: { grant_type: 'password' }, headers: { authorization: basic() } });
    expect(other.status).toBe(400);
    expect((other.body as ErrorBody).errors[0].title).toContain('grant_type');
  });

  it('answers liveness UP with a valid token and 401 invalid_token without one or with an unknown one', async () => {
    const ok = await http.api('GET', LIVENESS, { cuit: null, subnet: false });
    expect(ok).toEqual({ status: 200, body: { status: 'UP' } });
    const none = await http.raw('GET', LIVENESS);
    expect(none.status).toBe(401);
    expect((none.body as ErrorBody).errors[0]).toMatchObject({ status: '401', code: 'invalid_token' });
    const unknown = await http.raw('GET', `${PAYMENTS}/x`, { headers: { authorization: 'Bearer not-a-token' } });
    expect(unknown.status).toBe(401);
  });

  it('answers 401 invalid_token once the token has expired', async () => {
    const token = await http.fetchToken();
    const fresh = await http.raw('GET', LIVENESS, { headers: { authorization: `Bearer ${token}` } });
    expect(fresh.status).toBe(200);
    await sleep(1_100);
    const stale = await http.raw('GET', LIVENESS, { headers: { authorization: `Bearer ${token}` } });
    expect(stale.status).toBe(401);
    expect((stale.body as ErrorBody).errors[0].code).toBe('invalid_token');
  });
});
