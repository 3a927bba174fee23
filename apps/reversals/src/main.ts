// The reversals worker process (`node dist/apps/reversals/src/main.js`).
import 'reflect-metadata';
import { runWorkerProcess } from '@app/workers';
import { createReversalsApp, REVERSALS_DEFAULT_PORT } from './reversals.app';

runWorkerProcess(REVERSALS_DEFAULT_PORT, () => createReversalsApp()).catch((err: unknown) => {
  process.stderr.write(`reversals worker failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
