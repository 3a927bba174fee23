// The reversals worker process (`node dist/apps/reversals/src/main.js`).
import 'reflect-metadata';
import { startFailureLine } from '@app/jobs';
import { runWorkerProcess } from '@app/workers';
import { createReversalsApp, REVERSALS_DEFAULT_PORT } from './reversals.app';

runWorkerProcess(REVERSALS_DEFAULT_PORT, () => createReversalsApp()).catch((err: unknown) => {
  process.stderr.write(`${startFailureLine('reversals worker', err)}\n`);
  process.exit(1);
});
