// The pagoUno part of the sandbox configuration: the one pagoUno account's keys. pagoUno takes
// the raw key in `Authorization`: the private key charges and adjusts, the public key tokenizes
// and reads.

export interface PagounoSandboxOptions {
  privateKey: string;
  publicKey: string;
}

export const DEFAULT_PAGOUNO_SANDBOX_OPTIONS: Readonly<PagounoSandboxOptions> = Object.freeze<PagounoSandboxOptions>({
  privateKey: 'pagouno-sandbox-private-key',
  publicKey: 'pagouno-sandbox-public-key',
});

export function readPagounoOptionsFromEnv(env: NodeJS.ProcessEnv): PagounoSandboxOptions {
  const d = DEFAULT_PAGOUNO_SANDBOX_OPTIONS;
  const pick = (name: string, fallback: string) => (env[name] === undefined || env[name] === '' ? fallback : (env[name] as string));
  return {
    privateKey: pick('SANDBOX_PAGOUNO_PRIVATE_KEY', d.privateKey),
    publicKey: pick('SANDBOX_PAGOUNO_PUBLIC_KEY', d.publicKey),
  };
}
