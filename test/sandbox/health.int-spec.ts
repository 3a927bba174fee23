// The sandbox's own health and metrics routes, on the paths every app serves them: they answer
// without a token, whatever faults are injected, and never show up in the request log.
import type { RunningSandbox } from '../../apps/sandbox/src/sandbox.app';
import { withSandbox, type SandboxHttp } from './sandbox-http';

describe('sandbox health and metrics', () => {
  let sandbox: RunningSandbox;
  let http: SandboxHttp;

  beforeAll(async () => {
    ({ sandbox, http } = await withSandbox());
  });
  afterAll(() => sandbox.close());

  it('answers liveness and readiness without a token', async () => {
    expect(await http.raw('GET', '/health/live')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await http.raw('GET', '/health/ready')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('serves Prometheus metrics: the process defaults and the provider requests it answered', async () => {
    await http.fetchToken();
    const response = await fetch(`${sandbox.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(text).toContain('process_cpu_user_seconds_total');
    // The token request only: the health GETs before it are not provider requests.
    expect(text).toContain('sandbox_provider_requests_total{method="GET",status="200"} 1');
  });

  it('keeps answering while every provider route is faulted, and stays out of the request log', async () => {
    await http.control('DELETE', '/sandbox/requests');
    expect((await http.control('POST', '/sandbox/faults', { errorRate: 1 })).status).toBe(200);
    try {
      expect((await http.raw('GET', '/v1/oauth/accesstoken', { query: { grant_type: 'client_credentials' } })).status).toBe(503);
      expect((await http.raw('GET', '/health/live')).status).toBe(200);
      expect((await http.raw('GET', '/health/ready')).status).toBe(200);
      expect((await http.raw('GET', '/metrics')).status).toBe(200);
      const logged = (await http.control<{ data: { path: string }[] }>('GET', '/sandbox/requests')).body.data;
      expect(logged.map((r) => r.path)).toEqual(['/v1/oauth/accesstoken']);
    } finally {
      await http.control('DELETE', '/sandbox/faults');
    }
  });
});
