// The README's configuration table and the config schema name the same variables.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema, loadConfig } from './config';

/** The variables named in the first column of the README's table under `## Configuration`. */
function readmeVariables(): { names: Set<string>; prefixes: string[] } {
  const readme = readFileSync(join(__dirname, '..', '..', '..', 'README.md'), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const line of section.split('\n').filter((l) => l.startsWith('| `'))) {
    for (const [, name] of line.split('|')[1].matchAll(/`([A-Z][A-Z0-9_]*\*?)`/g)) {
      if (name.endsWith('*')) prefixes.push(name.slice(0, -1));
      else names.add(name);
    }
  }
  return { names, prefixes };
}

describe('configuration', () => {
  const { names, prefixes } = readmeVariables();
  const schema = Object.keys(configSchema.shape);

  it('documents every variable of the schema in the README table', () => {
    expect(names.size).toBeGreaterThan(20);
    expect(schema.filter((key) => !names.has(key) && !prefixes.some((p) => key.startsWith(p)))).toEqual([]);
  });

  it('documents in the README table only variables that the schema reads', () => {
    // WEBHOOK_* (apps/webhooks) and SANDBOX_* (apps/sandbox) have their own schemas and docs.
    expect([...names].filter((name) => !schema.includes(name) && !prefixes.some((p) => name.startsWith(p)))).toEqual([]);
    expect(prefixes.sort()).toEqual(['SANDBOX_', 'WEBHOOK_']);
  });

  it('starts from defaults that need nothing set', () => {
    expect(loadConfig({})).toMatchObject({ PORT: 3000, HOST: '0.0.0.0', LOG_LEVEL: 'info' });
  });
});
