// `npm run migrate`: the one party that changes the schema. Safe to run again and concurrently
// (an advisory lock lets one runner at a time apply them).
import { loadConfig } from '@app/common';
import { runMigrations } from './data-source';

async function main(): Promise<void> {
  const config = loadConfig();
  const ran = await runMigrations(config.DATABASE_URL);
  process.stdout.write(ran.length ? `migrations applied: ${ran.join(', ')}\n` : 'schema is up to date\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
