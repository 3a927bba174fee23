// Where the deployment files are, and each rendered Kustomize target, rendered once per test file.
import { join } from 'node:path';
import { KubeObject, renderKustomization } from './kustomize.renderer';

export const REPO_ROOT = join(__dirname, '..', '..');
export const K8S_DIR = join(REPO_ROOT, 'k8s');
export const OVERLAYS = ['sandbox', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export const KUSTOMIZE_TARGETS = {
  sandbox: join(K8S_DIR, 'overlays', 'sandbox'),
  production: join(K8S_DIR, 'overlays', 'production'),
  monitoring: join(K8S_DIR, 'monitoring'),
} as const;

/** The apps every environment runs; the sandbox overlay adds the simulator. */
export const CORE_APPS = ['gateway', 'payments', 'reversals', 'settlements', 'webhooks'] as const;
export const WORKERS = ['payments', 'reversals', 'settlements', 'webhooks'] as const;
export const APP_PORTS: Record<string, number> = { gateway: 3000, payments: 3001, reversals: 3002, settlements: 3003, webhooks: 3004, sandbox: 4010 };

const cache = new Map<string, KubeObject[]>();

/** A fresh copy of a target's rendered objects (tests may not share mutations). */
export function rendered(target: keyof typeof KUSTOMIZE_TARGETS): KubeObject[] {
  let objects = cache.get(target);
  if (!objects) {
    objects = renderKustomization(KUSTOMIZE_TARGETS[target]);
    cache.set(target, objects);
  }
  return structuredClone(objects);
}

export function resourceId(o: KubeObject): string {
  return `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export function byKind<K extends string>(objects: KubeObject[], kind: K): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}
