import { CUIT, PAYMENTS, withSandbox } from './sandbox-http';

describe('sandbox shutdown', () => {
  it('closes promptly while lost answers and injected latency hold requests open', async () => {
    const { sandbox, http } = await withSandbox({ terminals: [{ terminalId: '38110001', cuit: CUIT }] });
    await http.fetchToken();
    await http.control('POST', '/sandbox/faults', { match: { path: '/health/liveness' }, latencyMs: 60_000 });
    const held = [
      http.api('POST', PAYMENTS, { body: http.paymentBody('1509', ['38110001']), subnet: false }),
      http.api('POST', PAYMENTS, { body: http.paymentBody('2509', ['38110001']), subnet: false }),
      http.api('GET', '/v1/paystore_terminals/terminal_payments/health/liveness', { cuit: null, subnet: false }),
    ].map((request) => request.then(() => 'answered', () => 'connection closed'));
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = Date.now();
    await sandbox.close();
    const closedIn = Date.now() - started;
    expect(closedIn).toBeLessThan(2_000);
    expect(await Promise.all(held)).toEqual(['connection closed', 'connection closed', 'connection closed']);
  });

  it('starts on a random free port when asked for port 0, and two sandboxes run side by side', async () => {
    const first = await withSandbox();
    const second = await withSandbox();
    try {
      expect(first.sandbox.port).toBeGreaterThan(0);
      expect(first.sandbox.port).not.toBe(second.sandbox.port);
      expect(first.sandbox.url).toBe(`http://127.0.0.1:${first.sandbox.port}`);
      await first.http.terminal('38110002');
      const list = await second.http.control<{ data: unknown[] }>('GET', '/sandbox/terminals');
      expect(list.body.data).toEqual([]);
    } finally {
      await first.sandbox.close();
      await second.sandbox.close();
    }
  });
});
