// Runs the sandbox as a process: configuration from SANDBOX_* environment variables.
import { Logger } from '@nestjs/common';
import { startSandbox } from './sandbox.app';
import { readSandboxOptionsFromEnv } from './sandbox.options';

async function main(): Promise<void> {
  const logger = new Logger('Sandbox');
  const options = readSandboxOptionsFromEnv(process.env);
  const sandbox = await startSandbox(options);
  logger.log(`Provider sandbox (PayStore, Klio SmartPos, pagoUno) listening on ${sandbox.url} (virtual POS at ${sandbox.url}/sandbox/pos)`);
  if (!options.control) logger.log('Control routes (faults, reset, POS actions) are off; SANDBOX_CONTROL=true turns them on');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received, closing`);
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(error instanceof Error ? error.message : String(error));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  new Logger('Sandbox').error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
