// Stops the containers global-setup.ts started, if it started any.
type Stoppable = { stop(): Promise<unknown> };

async function globalTeardown(): Promise<void> {
  const holder = globalThis as unknown as { __ecrContainers?: Stoppable[] };
  await Promise.all((holder.__ecrContainers ?? []).map((c) => c.stop()));
}

export = globalTeardown;
