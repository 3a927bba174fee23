// The Dockerfile, read as its instructions (no Docker engine here): stages, pinned bases, what the
// runtime image contains and who it runs as; and the .dockerignore that shapes the build context.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_PORTS, REPO_ROOT } from './deploy-files';

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  from: string;
  name?: string;
  instructions: Instruction[];
}

function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [, op, rest] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { op: op.toUpperCase(), args: rest.replace(/\s+/g, ' ').trim() };
    if (instruction.op === 'FROM') {
      const [, image, name] = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args) ?? [];
      stages.push({ from: image, name, instructions: [] });
    } else if (stages.length === 0 && instruction.op === 'ARG') {
      const [key, value] = instruction.args.split('=');
      args[key] = value ?? '';
    } else {
      stages[stages.length - 1]?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const runtime = dockerfile.stages[dockerfile.stages.length - 1];
const stageNamed = (name: string) => dockerfile.stages.find((s) => s.name === name);
const expand = (image: string) => image.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string, b: string) => dockerfile.args[a ?? b] ?? '');
const ops = (stage: Stage, op: string) => stage.instructions.filter((i) => i.op === op).map((i) => i.args);
const execForm = (args: string) => JSON.parse(args) as string[];

describe('the Dockerfile', () => {
  it('builds in stages from a Node LTS image pinned to a full version', () => {
    expect(dockerfile.stages.length).toBeGreaterThanOrEqual(3);
    for (const stage of dockerfile.stages) {
      const image = expand(stage.from);
      if (dockerfile.stages.some((s) => s.name === stage.from)) continue;
      const [, major] = /^node:(\d+)\.\d+\.\d+(-[a-z]+)*(@sha256:[0-9a-f]{64})?$/.exec(image) ?? [];
      expect({ image, major: major !== undefined }).toEqual({ image, major: true });
      expect(Number(major) % 2).toBe(0);
      expect(Number(major)).toBeGreaterThanOrEqual(22);
    }
  });

  it('runs as a numeric non-root user', () => {
    const users = ops(runtime, 'USER');
    expect(users.length).toBeGreaterThan(0);
    const [uid] = users[users.length - 1].split(':');
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
  });

  it('ships production dependencies only, installed from the lock file', () => {
    const copies = ops(runtime, 'COPY');
    const nodeModules = copies.find((c) => /\/node_modules\s+\S*node_modules$/.test(c));
    const [, source] = /--from=(\S+)/.exec(nodeModules ?? '') ?? [];
    expect(source).toBeDefined();
    const installs = ops(stageNamed(source) as Stage, 'RUN').filter((r) => /\bnpm (ci|install|i)\b/.test(r));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/\bnpm ci\b.*--omit=dev\b/);
  });

  it('copies only the compiled output, the production modules and package.json into the runtime image', () => {
    const sources = ops(runtime, 'COPY').map((c) => c.replace(/--\S+\s+/g, '').split(' ')[0]);
    expect(sources.sort()).toEqual(['/app/dist', '/app/node_modules', 'package.json']);
    expect(ops(runtime, 'RUN')).toEqual([]);
    expect(ops(runtime, 'ENV').join(' ')).toMatch(/NODE_ENV=production/);
  });

  it('starts node directly, so SIGTERM reaches the app, with the gateway as the default app', () => {
    expect(execForm(ops(runtime, 'ENTRYPOINT')[0])).toEqual(['node']);
    const [entry] = execForm(ops(runtime, 'CMD')[0]);
    expect(entry).toBe('dist/apps/gateway/src/main.js');
    expect(existsSync(join(REPO_ROOT, 'apps', 'gateway', 'src'))).toBe(true);
  });

  it('exposes the port of every app in the image, and no other', () => {
    const projects = (JSON.parse(readFileSync(join(REPO_ROOT, 'nest-cli.json'), 'utf8')) as { projects: Record<string, { type: string }> }).projects;
    const apps = Object.entries(projects)
      .filter(([, p]) => p.type === 'application')
      .map(([name]) => name);
    expect(apps.filter((app) => APP_PORTS[app] === undefined)).toEqual([]);
    const exposed = ops(runtime, 'EXPOSE')
      .flatMap((e) => e.split(' '))
      .map((p) => Number(p.replace(/\/tcp$/, '')));
    expect(exposed.sort((a, b) => a - b)).toEqual(apps.map((app) => APP_PORTS[app]).sort((a, b) => a - b));
  });

  it('compiles with the same build script that the project uses', () => {
    const build = stageNamed('build') as Stage;
    expect(ops(build, 'RUN')).toContain('npm run build');
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toMatch(/tsconfig\.build\.json/);
  });
});

describe('the .dockerignore', () => {
  const patterns = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const included = new Set(patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1).replace(/\/$/, '')));

  it('starts from nothing and lets in every path the build copies from the context', () => {
    expect(patterns[0]).toBe('*');
    for (const stage of dockerfile.stages) {
      for (const copy of ops(stage, 'COPY').filter((c) => !c.includes('--from='))) {
        const parts = copy.replace(/--\S+\s+/g, '').split(' ');
        for (const source of parts.slice(0, -1)) expect({ source, included: included.has(source.replace(/\/$/, '')) }).toEqual({ source, included: true });
      }
    }
  });

  it('keeps environment files and installed modules out of the context', () => {
    expect(patterns).toEqual(expect.arrayContaining(['**/.env', '**/node_modules']));
    expect(included.has('.env')).toBe(false);
  });
});
