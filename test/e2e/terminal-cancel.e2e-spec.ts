// A payment the person at the terminal cancels: the sandbox's terminal undoes it (UNDONE) with no
// cancel from us, and the register sees it end cancelled through the gateway, with events in order.
import { waitFor } from '@app/testing';
import { registerFor, startGatewayFor, StartedGateway } from '../support/e2e';
import { startSystem, System } from '../support/system';

describe('a payment cancelled on the terminal, end to end', () => {
  let sys: System;
  let gw: StartedGateway;

  beforeAll(async () => {
    sys = await startSystem();
    gw = await startGatewayFor(sys);
  });
  afterAll(async () => sys.stop());

  it.each([
    ['after taking it', true],
    ['before anyone took it', false],
  ])('ends cancelled when the person cancels %s, with no cancellation sent by us', async (_when, taken) => {
    const reg = await registerFor(sys, gw, 1, 'manual');
    const terminal = reg.terminals[0];
    const id = String((await reg.pay({ amount: 151000 })).body.id);
    const providerId = await waitFor(
      async () => {
        const { body } = await reg.get(id);
        return body.status === 'pending' && typeof body.providerId === 'string' ? body.providerId : undefined;
      },
      { what: 'pending at the provider' },
    );
    if (taken) {
      await sys.sandboxCall('POST', `/sandbox/terminals/${terminal}/take`, { paymentId: providerId });
      await waitFor(async () => ((await reg.get(id)).body.status === 'in_progress' ? true : undefined), { what: 'in_progress' });
    }
    await sys.sandboxCall('POST', `/sandbox/terminals/${terminal}/cancel`, { paymentId: providerId });

    expect(await reg.final(id)).toMatchObject({ status: 'cancelled', providerId, terminalId: taken ? terminal : null });
    // No `cancelling`: that is our own cancel under way.
    expect(await sys.events(id)).toEqual(['payment.accepted', 'payment.pending', ...(taken ? ['payment.in_progress'] : []), 'payment.cancelled']);
    expect((await sys.providerRequests('/cancellations')).filter((r) => r.path.includes(providerId))).toEqual([]);
    expect(await sys.createsFor(id)).toBe(1);
    // The register's cancel of a payment already cancelled changes nothing.
    await reg.cancel(id);
    expect((await reg.get(id)).body.status).toBe('cancelled');
    expect((await sys.providerRequests('/cancellations')).filter((r) => r.path.includes(providerId))).toEqual([]);
  });
});
