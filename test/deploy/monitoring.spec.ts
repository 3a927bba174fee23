// The alert rules and the Grafana dashboard under k8s/monitoring: every query parses as PromQL,
// names only metrics and labels that the apps export (or are listed below as still to come),
// and every alert leads to its section of docs/operations.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { K8S_DIR, REPO_ROOT, byKind, rendered } from './deploy-files';
import { Json, JsonObject, readYamlDocuments } from './kustomize.renderer';

/**
 * Metrics the rules and dashboard use that the source scan below may not find (declared without
 * `labelNames`, or not exported yet), with their labels. Those missing from the sources must be
 * named in the operations guide.
 */
const PLANNED_METRICS: Record<string, string[]> = {
  // Declared by the gateway (apps/gateway/src/health/http.metrics.ts).
  http_request_duration_seconds: ['method', 'route', 'status_code'],
  // Declared without labels by the workers (libs/workers/src/worker.metrics.ts).
  ecr_outbox_unpublished_events: [],
  ecr_outbox_oldest_unpublished_seconds: [],
  ecr_queue_jobs: ['queue', 'state'],
  // Declared without labels by the webhooks app (apps/webhooks/src/webhook.metrics.ts).
  ecr_webhook_subscriptions_disabled_total: [],
  ecr_webhook_deliveries_pending: [],
};
/** Labels Prometheus adds to every scraped series (see the header of prometheus-rules.yaml). */
const TARGET_LABELS = ['namespace', 'pod', 'container', 'job', 'instance'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return entry === 'node_modules' ? [] : sourceFiles(path);
    return /\.ts$/.test(entry) && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(entry) ? [path] : [];
  });
}

/** Metric name → label names, for every prom-client metric our sources declare. */
function declaredMetrics(): Map<string, Set<string>> {
  const metrics = new Map<string, Set<string>>();
  const declaration = /name:\s*'([a-zA-Z_:][a-zA-Z0-9_:]*)',[^}]*?labelNames:\s*\[([^\]]*)\]/g;
  for (const file of [...sourceFiles(join(REPO_ROOT, 'apps')), ...sourceFiles(join(REPO_ROOT, 'libs'))]) {
    for (const m of readFileSync(file, 'utf8').matchAll(declaration)) {
      metrics.set(m[1], new Set([...m[2].matchAll(/'([^']+)'/g)].map((l) => l[1])));
    }
  }
  return metrics;
}

/** Declared metrics, prom-client's defaults, Prometheus's `up` and the planned metrics. */
function knownMetrics(declared: Map<string, Set<string>>): Map<string, Set<string>> {
  const metrics = new Map(declared);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const metric of registry.getMetricsAsArray()) {
    const labels = (metric as unknown as { labelNames?: string[] }).labelNames ?? [];
    metrics.set((metric as unknown as { name: string }).name, new Set(labels));
  }
  metrics.set('up', new Set());
  for (const [name, labels] of Object.entries(PLANNED_METRICS)) if (!metrics.has(name)) metrics.set(name, new Set(labels));
  return metrics;
}

interface Selector {
  metric: string;
  labels: string[];
}

/** Parse errors and the metric selectors of one PromQL expression. */
function analyse(expr: string): { errors: string[]; selectors: Selector[] } {
  const tree = parser.parse(expr);
  const errors: string[] = [];
  const selectors: Selector[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) errors.push(`syntax error at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`);
      if (node.name === 'VectorSelector') {
        const id = node.node.getChild('Identifier');
        const labels: string[] = [];
        node.node.getChild('LabelMatchers')?.cursor().iterate((n) => {
          if (n.name === 'LabelName') labels.push(expr.slice(n.from, n.to));
        });
        if (id) selectors.push({ metric: expr.slice(id.from, id.to), labels });
      }
    },
  });
  return { errors, selectors };
}

/** What a selector's name and labels may be, given the histogram and counter suffixes. */
function unknownNames(selector: Selector, metrics: Map<string, Set<string>>): string[] {
  const base = [selector.metric, selector.metric.replace(/_(bucket|count|sum)$/, '')].find((n) => metrics.has(n));
  if (!base) return [`metric ${selector.metric}`];
  const allowed = new Set([...(metrics.get(base) ?? []), ...TARGET_LABELS, ...(selector.metric.endsWith('_bucket') ? ['le'] : [])]);
  return selector.labels.filter((l) => !allowed.has(l)).map((l) => `label ${l} of ${selector.metric}`);
}

/** Grafana substitutes these before Prometheus sees the query. */
function withGrafanaVariables(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '5m').replace(/\$\{?(\w+)\}?/g, 'x');
}

const rulesFile = readYamlDocuments(join(K8S_DIR, 'monitoring', 'prometheus-rules.yaml'))[0] as JsonObject;
const rules = (rulesFile.groups as JsonObject[]).flatMap((g) => g.rules as JsonObject[]);
const dashboard = JSON.parse(readFileSync(join(K8S_DIR, 'monitoring', 'grafana-dashboard.json'), 'utf8')) as JsonObject;
const panels = dashboard.panels as JsonObject[];
const targets = panels.flatMap((p) => ((p.targets as JsonObject[] | undefined) ?? []).map((t) => ({ panel: String(p.title), expr: String(t.expr) })));
const operations = readFileSync(join(REPO_ROOT, 'docs', 'operations.md'), 'utf8');
const declared = declaredMetrics();
const metrics = knownMetrics(declared);

describe('the metric inventory these checks rely on', () => {
  it('finds the metrics the workers declare in their sources', () => {
    expect([...declared.keys()]).toEqual(expect.arrayContaining(['ecr_job_step_seconds', 'ecr_provider_breaker_open', 'ecr_operations_final_total', 'ecr_sweeper_requeued_total']));
  });
});

describe('the Prometheus alert rules', () => {
  it('name every alert once and give it a severity, a summary and a wait before firing', () => {
    const names = rules.map((r) => r.alert);
    expect(names.length).toBeGreaterThan(5);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of rules) {
      expect({ alert: rule.alert, severity: (rule.labels as JsonObject).severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect(String((rule.annotations as JsonObject).summary).length).toBeGreaterThan(10);
      expect(String(rule.for)).toMatch(/^\d+[smh]$/);
    }
  });

  it('are valid PromQL', () => {
    for (const rule of rules) expect({ alert: rule.alert, errors: analyse(String(rule.expr)).errors }).toEqual({ alert: rule.alert, errors: [] });
  });

  it('use only metrics and labels the apps export, or ones listed as planned', () => {
    for (const rule of rules) {
      const unknown = analyse(String(rule.expr)).selectors.flatMap((s) => unknownNames(s, metrics));
      expect({ alert: rule.alert, unknown }).toEqual({ alert: rule.alert, unknown: [] });
    }
  });

  it('alert on the outbox by the age of its oldest unpublished event, a metric the workers declare', () => {
    const outbox = rules.find((r) => r.alert === 'EcrBridgeOutboxBacklog');
    expect(analyse(String(outbox?.expr)).selectors.map((s) => s.metric)).toEqual(['ecr_outbox_oldest_unpublished_seconds']);
    const workerMetrics = readFileSync(join(REPO_ROOT, 'libs', 'workers', 'src', 'worker.metrics.ts'), 'utf8');
    expect(workerMetrics).toContain("name: 'ecr_outbox_oldest_unpublished_seconds'");
  });

  it('cover webhook deliveries: a high failure ratio for 15 minutes, and a webhook disabled', () => {
    const using = (metric: string) => rules.filter((r) => analyse(String(r.expr)).selectors.some((s) => s.metric === metric));
    const failing = using('ecr_webhook_attempts_total').find((r) => /result="failed"/.test(String(r.expr)));
    expect(failing).toMatchObject({ alert: 'EcrBridgeWebhookDeliveriesFailing', for: '15m' });
    expect(String(failing?.expr)).toMatch(/\/\s*sum by \(namespace\) \(rate\(ecr_webhook_attempts_total\[15m\]\)\)/);
    expect(using('ecr_webhook_subscriptions_disabled_total').map((r) => r.alert)).toEqual(['EcrBridgeWebhookDisabled']);
    // Both metrics are the webhooks app's own.
    const source = readFileSync(join(REPO_ROOT, 'apps', 'webhooks', 'src', 'webhook.metrics.ts'), 'utf8');
    for (const metric of ['ecr_webhook_attempts_total', 'ecr_webhook_subscriptions_disabled_total']) expect(source).toContain(`name: '${metric}'`);
  });

  it('link each alert to a section of docs/operations.md named after it', () => {
    for (const rule of rules) {
      const alert = String(rule.alert);
      expect((rule.annotations as JsonObject).runbook).toBe(`docs/operations.md#${alert.toLowerCase()}`);
      expect({ alert, documented: new RegExp(`^#{2,4} ${alert}$`, 'm').test(operations) }).toEqual({ alert, documented: true });
    }
  });
});

describe('the Grafana dashboard', () => {
  it('has uniquely numbered panels that query Prometheus through the chosen data source', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(targets.length).toBeGreaterThan(10);
    for (const p of panels.filter((x) => x.type !== 'row')) expect((p.datasource as JsonObject).uid).toBe('${datasource}');
  });

  it('asks only valid PromQL', () => {
    for (const t of targets) expect({ ...t, errors: analyse(withGrafanaVariables(t.expr)).errors }).toEqual({ ...t, errors: [] });
  });

  it('uses only metrics and labels the apps export, or ones listed as planned', () => {
    for (const t of targets) {
      const unknown = analyse(withGrafanaVariables(t.expr)).selectors.flatMap((s) => unknownNames(s, metrics));
      expect({ panel: t.panel, unknown }).toEqual({ panel: t.panel, unknown: [] });
    }
  });

  it('shows every metric the workers export', () => {
    const shown = new Set(targets.flatMap((t) => analyse(withGrafanaVariables(t.expr)).selectors.map((s) => s.metric.replace(/_(bucket|count|sum)$/, ''))));
    for (const metric of [...metrics.keys()].filter((m) => m.startsWith('ecr_'))) expect({ metric, shown: shown.has(metric) }).toEqual({ metric, shown: true });
  });
});

describe('the monitoring kustomization', () => {
  it('ships the rules and the dashboard unchanged, the dashboard labelled for the Grafana sidecar', () => {
    const objects = byKind(rendered('monitoring'), 'ConfigMap');
    const data = (name: string) => (objects.find((o) => o.metadata.name === name)?.data ?? {}) as Record<string, Json>;
    expect(data('ecr-bridge-prometheus-rules')['prometheus-rules.yaml']).toBe(readFileSync(join(K8S_DIR, 'monitoring', 'prometheus-rules.yaml'), 'utf8'));
    expect(JSON.parse(String(data('ecr-bridge-grafana-dashboard')['ecr-bridge.json']))).toEqual(dashboard);
    const labels = objects.find((o) => o.metadata.name === 'ecr-bridge-grafana-dashboard')?.metadata.labels ?? {};
    expect(labels.grafana_dashboard).toBe('1');
    expect(objects.every((o) => o.metadata.namespace === 'monitoring')).toBe(true);
  });

  it('lists the planned metrics in the operations guide, so nobody mistakes them for live ones', () => {
    const missing = Object.keys(PLANNED_METRICS).filter((m) => !declared.has(m));
    for (const metric of missing) expect(operations).toContain(metric);
  });
});
