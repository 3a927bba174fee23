// What `kubectl kustomize` renders for each overlay, checked against the Kubernetes API schemas
// and against the rules this project deploys by: probes, resources, non-root, pinned images,
// graceful stops longer than a job step, autoscaled workers, disruption budgets and network policy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '@app/common';
import { APP_PORTS, CORE_APPS, K8S_DIR, OVERLAYS, REPO_ROOT, WORKERS, byKind, rendered } from './deploy-files';
import { isObject, Json, JsonObject, KubeObject, readYamlDocuments, splitImage } from './kustomize.renderer';
import { schemaErrors, typeErrors } from './kube-schema.validator';
import { readSandboxOptionsFromEnv } from '../../apps/sandbox/src/sandbox.options';

type Obj = JsonObject;

const obj = (value: Json | undefined): Obj => (isObject(value) ? value : {});
const arr = (value: Json | undefined): Json[] => (Array.isArray(value) ? value : []);
const labelsOf = (value: Json | undefined) => obj(value) as Record<string, string>;

function podSpec(o: KubeObject): Obj {
  return obj(obj(obj(o.spec).template).spec);
}
function podLabels(o: KubeObject): Record<string, string> {
  return labelsOf(obj(obj(obj(o.spec).template).metadata).labels);
}
function containers(o: KubeObject): Obj[] {
  return arr(podSpec(o).containers).map(obj);
}
function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
function named(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not rendered`);
  return found;
}
function configData(objects: KubeObject[]): Record<string, string> {
  return labelsOf(named(objects, 'ConfigMap', 'ecr-bridge-config').data);
}
function workloads(objects: KubeObject[]): KubeObject[] {
  return objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
}

const secretTemplate = readYamlDocuments(join(K8S_DIR, 'base', 'secret.template.yaml'))[0] as KubeObject;
const secretKeys = Object.keys(labelsOf(secretTemplate.stringData));
const CONFIG_VARIABLES = new Set(Object.keys(configSchema.shape));

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const objects = rendered(overlay);
  const deployments = byKind(objects, 'Deployment');

  it('renders only objects that pass the Kubernetes JSON schemas', () => {
    expect(schemaErrors(objects)).toEqual([]);
  });

  it('renders only fields that the Kubernetes API types declare', () => {
    expect(typeErrors(objects)).toEqual([]);
  }, 30_000);

  it('puts everything but the Namespace in the overlay namespace', () => {
    const namespace = named(objects, 'Namespace', overlay === 'production' ? 'ecr-bridge' : 'ecr-bridge-sandbox');
    for (const o of objects.filter((x) => x.kind !== 'Namespace')) {
      expect({ id: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace }).toEqual({
        id: `${o.kind}/${o.metadata.name}`,
        namespace: namespace.metadata.name,
      });
    }
  });

  it('deploys every app, each in its own Deployment running its own entry file', () => {
    const expected = overlay === 'sandbox' ? [...CORE_APPS, 'sandbox'] : [...CORE_APPS];
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...expected].sort());
    for (const d of deployments) {
      expect(containers(d).map((c) => c.args)).toEqual([[`dist/apps/${d.metadata.name}/src/main.js`]]);
    }
  });

  it('selects each Deployment by labels its pod template carries', () => {
    for (const d of deployments) {
      const selector = labelsOf(obj(obj(d.spec).selector).matchLabels);
      expect(Object.keys(selector).length).toBeGreaterThan(0);
      expect({ name: d.metadata.name, matches: matches(selector, podLabels(d)) }).toEqual({ name: d.metadata.name, matches: true });
    }
  });

  it('gives every app container startup, liveness and readiness probes on its health routes and a declared port', () => {
    for (const d of deployments) {
      for (const c of containers(d)) {
        const ports = arr(c.ports).map(obj);
        const portNames = ports.map((p) => p.name);
        const paths = { startupProbe: '/health/live', livenessProbe: '/health/live', readinessProbe: '/health/ready' };
        for (const [probe, path] of Object.entries(paths)) {
          const action = obj(obj(c[probe]).httpGet);
          expect({ app: d.metadata.name, probe, path: action.path, port: portNames.includes(action.port) }).toEqual({ app: d.metadata.name, probe, path, port: true });
        }
        expect(ports.map((p) => p.containerPort)).toEqual([APP_PORTS[d.metadata.name]]);
      }
    }
  });

  it('lets Prometheus scrape /metrics of every app on its port', () => {
    for (const d of deployments) {
      const annotations = labelsOf(obj(obj(obj(d.spec).template).metadata).annotations);
      expect({ app: d.metadata.name, annotations }).toMatchObject({
        app: d.metadata.name,
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(APP_PORTS[d.metadata.name]), 'prometheus.io/path': '/metrics' },
      });
    }
  });

  it('sets CPU and memory requests and a memory limit on every container', () => {
    for (const w of workloads(objects)) {
      for (const c of containers(w)) {
        const resources = obj(c.resources);
        expect({ container: c.name, cpu: obj(resources.requests).cpu !== undefined }).toEqual({ container: c.name, cpu: true });
        expect({ container: c.name, memory: obj(resources.requests).memory !== undefined }).toEqual({ container: c.name, memory: true });
        expect({ container: c.name, limit: obj(resources.limits).memory !== undefined }).toEqual({ container: c.name, limit: true });
      }
    }
  });

  it('runs every pod as a non-root user with a read-only root and no added privileges', () => {
    for (const w of workloads(objects)) {
      const pod = obj(podSpec(w).securityContext);
      expect({ name: w.metadata.name, runAsNonRoot: pod.runAsNonRoot }).toEqual({ name: w.metadata.name, runAsNonRoot: true });
      expect(typeof pod.runAsUser === 'number' && pod.runAsUser > 0).toBe(true);
      expect(obj(pod.seccompProfile).type).toBe('RuntimeDefault');
      expect(podSpec(w).automountServiceAccountToken).toBe(false);
      for (const c of containers(w)) {
        const sc = obj(c.securityContext);
        expect({ container: c.name, sc: { ape: sc.allowPrivilegeEscalation, ro: sc.readOnlyRootFilesystem } }).toEqual({
          container: c.name,
          sc: { ape: false, ro: true },
        });
        expect(arr(obj(sc.capabilities).drop)).toContain('ALL');
        expect(sc.privileged === true || sc.runAsUser === 0).toBe(false);
      }
    }
  });

  it('pins every image to a version, never latest', () => {
    for (const w of workloads(objects)) {
      for (const c of containers(w)) {
        const { tag, digest } = splitImage(String(c.image));
        expect({ image: c.image, pinned: Boolean(digest) || (tag !== undefined && tag !== 'latest') }).toEqual({ image: c.image, pinned: true });
      }
    }
  });

  it('gives workers longer to stop than their longest job step, and the gateway longer than its longest held request', () => {
    const stepSeconds = (2 * Number(configData(objects).PAYSTORE_TIMEOUT_MS)) / 1000;
    expect(stepSeconds).toBeGreaterThan(0);
    for (const name of WORKERS) {
      expect(podSpec(named(objects, 'Deployment', name)).terminationGracePeriodSeconds).toBeGreaterThan(2 * stepSeconds);
    }
    const gateway = named(objects, 'Deployment', 'gateway');
    const preStop = arr(obj(obj(obj(containers(gateway)[0].lifecycle).preStop).exec).command);
    const preStopSeconds = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    // `Prefer: wait=N` holds a request for up to 60 s (shared/API.md).
    expect(podSpec(gateway).terminationGracePeriodSeconds).toBeGreaterThan(60 + preStopSeconds);
  });

  it('autoscales every worker on CPU, and leaves worker replica counts to the autoscaler', () => {
    const hpas = byKind(objects, 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => obj(obj(h.spec).scaleTargetRef).name).sort()).toEqual([...WORKERS].sort());
    for (const h of hpas) {
      const spec = obj(h.spec);
      const target = named(objects, 'Deployment', String(obj(spec.scaleTargetRef).name));
      expect(obj(target.spec).replicas).toBeUndefined();
      expect(Number(spec.minReplicas)).toBeGreaterThanOrEqual(2);
      expect(Number(spec.maxReplicas)).toBeGreaterThan(Number(spec.minReplicas));
      expect(arr(spec.metrics).map((m) => obj(obj(m).resource).name)).toEqual(['cpu']);
    }
  });

  it('protects the gateway and every worker with a disruption budget that selects its pods', () => {
    for (const name of CORE_APPS) {
      const deployment = named(objects, 'Deployment', name);
      const pdbs = byKind(objects, 'PodDisruptionBudget').filter((p) =>
        matches(labelsOf(obj(obj(p.spec).selector).matchLabels), podLabels(deployment)),
      );
      expect({ name, budgets: pdbs.length }).toEqual({ name, budgets: 1 });
    }
  });

  it('has a Service per app that selects its pods on a declared port', () => {
    for (const d of deployments) {
      const services = byKind(objects, 'Service').filter((s) => matches(labelsOf(obj(s.spec).selector), podLabels(d)));
      expect({ app: d.metadata.name, services: services.length }).toEqual({ app: d.metadata.name, services: 1 });
      const portNames = containers(d).flatMap((c) => arr(c.ports).map((p) => obj(p).name));
      for (const p of arr(obj(services[0].spec).ports)) expect(portNames).toContain(obj(p).targetPort);
    }
  });

  it('runs the migrations as a one-shot Job from the migrate entry file', () => {
    const job = named(objects, 'Job', 'migrate');
    expect(containers(job).map((c) => c.args)).toEqual([['dist/libs/persistence/src/migrate.js']]);
    expect(podSpec(job).restartPolicy).toBe('Never');
  });

  it('labels the configuration and the migration Job, and nothing else, for the first step of a deploy', () => {
    // docs/operations.md applies `-l 'app.kubernetes.io/component in (config,migration)'` first.
    const first = objects.filter((o) => ['config', 'migration'].includes(String(o.metadata.labels?.['app.kubernetes.io/component'])));
    expect(first.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(['ConfigMap/ecr-bridge-config', 'Job/migrate']);
    const operations = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
    expect(operations).toContain(`-l 'app.kubernetes.io/component in (config,migration)'`);
  });

  it('only references Secret keys that the Secret template defines, and ConfigMaps that are rendered', () => {
    const configMaps = byKind(objects, 'ConfigMap').map((c) => c.metadata.name);
    for (const w of workloads(objects)) {
      for (const c of containers(w)) {
        for (const ref of arr(c.envFrom).map(obj)) expect(configMaps).toContain(obj(ref.configMapRef).name);
        for (const e of arr(c.env).map(obj)) {
          const secretRef = obj(obj(e.valueFrom).secretKeyRef);
          if (secretRef.name === undefined) continue;
          expect(secretRef.name).toBe(secretTemplate.metadata.name);
          expect(secretKeys).toContain(secretRef.key);
        }
      }
    }
  });

  it('gives the admin API key to the gateway only', () => {
    for (const w of workloads(objects)) {
      const names = containers(w).flatMap((c) => arr(c.env).map((e) => obj(e).name));
      expect({ name: w.metadata.name, admin: names.includes('ADMIN_API_KEY') }).toEqual({ name: w.metadata.name, admin: w.metadata.name === 'gateway' });
    }
  });

  it('configures the apps only with variables the config schema knows, and values it accepts', () => {
    const data = configData(objects);
    for (const key of Object.keys(data)) expect({ key, known: CONFIG_VARIABLES.has(key) }).toEqual({ key, known: true });
    for (const w of workloads(objects).filter((x) => x.metadata.name !== 'sandbox')) {
      for (const c of containers(w)) {
        for (const e of arr(c.env).map(obj)) expect({ env: e.name, known: CONFIG_VARIABLES.has(String(e.name)) }).toEqual({ env: e.name, known: true });
      }
    }
    const sampleSecrets = { DATABASE_URL: 'postgres://u:p@db:5432/x', REDIS_URL: 'redis://r:6379', ADMIN_API_KEY: 'a'.repeat(32) };
    expect(configSchema.safeParse({ ...data, ...sampleSecrets }).error?.issues ?? []).toEqual([]);
  });

  it('denies all traffic by default and opens the gateway port to everyone', () => {
    const policies = byKind(objects, 'NetworkPolicy');
    const deny = named(objects, 'NetworkPolicy', 'default-deny');
    expect(obj(deny.spec).podSelector).toEqual({});
    expect(arr(obj(deny.spec).policyTypes).sort()).toEqual(['Egress', 'Ingress']);
    expect(arr(obj(deny.spec).ingress)).toEqual([]);
    expect(arr(obj(deny.spec).egress)).toEqual([]);
    const gateway = podLabels(named(objects, 'Deployment', 'gateway'));
    const open = policies.filter(
      (p) =>
        matches(labelsOf(obj(obj(p.spec).podSelector).matchLabels), gateway) &&
        arr(obj(p.spec).ingress).some((r) => obj(r).from === undefined && arr(obj(r).ports).some((port) => obj(port).port === 3000)),
    );
    expect(open.length).toBe(1);
  });

  it('lets workers be reached only from the monitoring namespace', () => {
    for (const name of WORKERS) {
      const labels = podLabels(named(objects, 'Deployment', name));
      const rules = byKind(objects, 'NetworkPolicy')
        .filter((p) => matches(labelsOf(obj(obj(p.spec).podSelector).matchLabels), labels))
        .flatMap((p) => arr(obj(p.spec).ingress).map(obj));
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) {
        expect(arr(rule.from).map((f) => labelsOf(obj(obj(f).namespaceSelector).matchLabels))).toEqual([
          { 'kubernetes.io/metadata.name': 'monitoring' },
        ]);
      }
    }
  });

  it('lets every pod reach DNS, Postgres, Redis and HTTPS, and nothing else outside', () => {
    const allowed = new Set(['UDP/53', 'TCP/53', 'TCP/5432', 'TCP/6379', 'TCP/443', 'TCP/4010']);
    for (const w of workloads(objects)) {
      const labels = podLabels(w);
      const ports = byKind(objects, 'NetworkPolicy')
        .filter((p) => matches(labelsOf(obj(obj(p.spec).podSelector).matchLabels), labels))
        .flatMap((p) => arr(obj(p.spec).egress).flatMap((r) => arr(obj(r).ports).map((port) => `${obj(port).protocol}/${obj(port).port}`)));
      for (const needed of ['UDP/53', 'TCP/5432', 'TCP/6379', 'TCP/443']) expect({ pod: w.metadata.name, needed, open: ports.includes(needed) }).toEqual({ pod: w.metadata.name, needed, open: true });
      for (const port of ports) expect({ pod: w.metadata.name, port, allowed: allowed.has(port) }).toEqual({ pod: w.metadata.name, port, allowed: true });
    }
  });
});

describe('the sandbox overlay', () => {
  const objects = rendered('sandbox');

  it('points the apps at the simulator it deploys, which accepts the same credentials', () => {
    expect(configData(objects).PAYSTORE_BASE_URL).toBe('http://sandbox:4010');
    const sandbox = containers(named(objects, 'Deployment', 'sandbox'))[0];
    const env = Object.fromEntries(arr(sandbox.env).map((e) => [obj(e).name, obj(obj(obj(e).valueFrom).secretKeyRef).key]));
    expect(env.SANDBOX_CLIENT_ID).toBe('PAYSTORE_CLIENT_ID');
    expect(env.SANDBOX_CLIENT_SECRET).toBe('PAYSTORE_CLIENT_SECRET');
  });

  it('turns on the simulator’s control routes (POS buttons, faults, reset), which NODE_ENV=production leaves off', () => {
    const sandbox = containers(named(objects, 'Deployment', 'sandbox'))[0];
    const env = Object.fromEntries(
      arr(sandbox.env)
        .map(obj)
        .filter((e) => typeof e.value === 'string')
        .map((e) => [String(e.name), String(e.value)]),
    );
    expect(readSandboxOptionsFromEnv({ NODE_ENV: 'production', ...env }).control).toBe(true);
  });

  it('lets the apps reach the simulator port', () => {
    const payments = podLabels(named(objects, 'Deployment', 'payments'));
    const toSandbox = byKind(objects, 'NetworkPolicy')
      .filter((p) => matches(labelsOf(obj(obj(p.spec).podSelector).matchLabels), payments))
      .flatMap((p) => arr(obj(p.spec).egress).map(obj))
      .filter((r) => arr(r.ports).some((port) => obj(port).port === 4010));
    expect(toSandbox.map((r) => arr(r.to).map((t) => obj(obj(t).podSelector).matchLabels))).toEqual([[{ 'app.kubernetes.io/name': 'sandbox' }]]);
  });
});

describe('the production overlay', () => {
  const objects = rendered('production');
  const sandbox = rendered('sandbox');

  it('talks to the real PayStore API with acquirer subnet 2 and has no simulator', () => {
    expect(configData(objects).PAYSTORE_BASE_URL).toBe('https://api.prismamediosdepago.com');
    expect(configData(objects).PAYSTORE_SUBNET_ACQUIRER_ID).toBe('2');
    expect(objects.filter((o) => o.metadata.name.includes('sandbox') || JSON.stringify(o).includes('SANDBOX_'))).toEqual([]);
  });

  it('sets every provider base URL to a provider host over HTTPS, never the sandbox or this machine', () => {
    const baseUrls = [...CONFIG_VARIABLES].filter((key) => key.endsWith('_BASE_URL'));
    expect(baseUrls.length).toBeGreaterThanOrEqual(3);
    const data = configData(objects);
    const env = workloads(objects).flatMap((w) => containers(w).flatMap((c) => arr(c.env).map(obj)));
    const local = /^(localhost|127\.[\d.]+|0\.0\.0\.0|\[::1?\])$|sandbox/i;
    for (const key of baseUrls) {
      expect({ key, set: typeof data[key] === 'string' }).toEqual({ key, set: true });
      const url = new URL(data[key]);
      expect({ key, https: url.protocol, local: local.test(url.hostname) }).toEqual({ key, https: 'https:', local: false });
      expect({ key, port: url.port }).toEqual({ key, port: '' });
      // A container's own env would override the ConfigMap.
      expect(env.filter((e) => e.name === key)).toEqual([]);
    }
  });

  it('runs more gateway replicas and keeps more worker pods than the sandbox', () => {
    const replicas = (objs: KubeObject[]) => Number(obj(named(objs, 'Deployment', 'gateway').spec).replicas);
    expect(replicas(objects)).toBeGreaterThan(replicas(sandbox));
    for (const name of WORKERS) {
      const min = (objs: KubeObject[]) => Number(obj(named(objs, 'HorizontalPodAutoscaler', name).spec).minReplicas);
      expect(min(objects)).toBeGreaterThan(min(sandbox));
    }
  });
});

describe('the Secret template', () => {
  it('is a valid Secret whose every value is a placeholder', () => {
    expect(schemaErrors([secretTemplate])).toEqual([]);
    expect(secretKeys.length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(labelsOf(secretTemplate.stringData))) {
      expect({ key, placeholder: /^<REPLACE: [^>]+>$/.test(value) }).toEqual({ key, placeholder: true });
    }
    expect(secretTemplate.data).toBeUndefined();
  });

  it('is never rendered by an overlay, so applying one cannot overwrite the real Secret', () => {
    for (const overlay of OVERLAYS) expect(byKind(rendered(overlay), 'Secret')).toEqual([]);
    expect(readFileSync(join(K8S_DIR, 'base', 'kustomization.yaml'), 'utf8')).not.toMatch(/^\s*-\s*secret\.template\.yaml/m);
  });

  it('holds every key the manifests read, and no other', () => {
    const used = new Set<string>();
    for (const overlay of OVERLAYS) {
      for (const w of workloads(rendered(overlay))) {
        for (const c of containers(w)) {
          for (const e of arr(c.env)) {
            const key = obj(obj(obj(e).valueFrom).secretKeyRef).key;
            if (typeof key === 'string') used.add(key);
          }
        }
      }
    }
    expect([...used].sort()).toEqual([...secretKeys].sort());
  });
});
