import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUSTOMIZE_TARGETS, resourceId } from './deploy-files';
import { findKubectl, KubeObject, renderKustomization, renderWithKubectl, splitImage, strategicMerge } from './kustomize.renderer';

const kubectl = findKubectl();
const withKubectl = kubectl ? it : it.skip;

function byId(objects: KubeObject[]): Record<string, KubeObject> {
  return Object.fromEntries(objects.map((o) => [resourceId(o), o]));
}

describe('the Kustomize renderer used by the deployment checks', () => {
  describe.each(Object.keys(KUSTOMIZE_TARGETS) as (keyof typeof KUSTOMIZE_TARGETS)[])('for k8s target %s', (target) => {
    withKubectl('renders exactly what `kubectl kustomize` renders', () => {
      const ours = byId(renderKustomization(KUSTOMIZE_TARGETS[target]));
      const theirs = byId(renderWithKubectl(kubectl as string, KUSTOMIZE_TARGETS[target]));
      expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
      for (const id of Object.keys(theirs)) expect({ id, object: ours[id] }).toEqual({ id, object: theirs[id] });
    });
  });

  it('merges containers and env by name, patch items first, and replaces other lists', () => {
    const base = { containers: [{ name: 'a', args: ['x'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }] };
    const patch = { containers: [{ name: 'a', args: ['y'], env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }] };
    expect(strategicMerge(base, patch, 'test')).toEqual({
      containers: [{ name: 'a', args: ['y'], env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }, { name: 'A', value: '1' }] }],
    });
  });

  it('deletes a field that the patch sets to null', () => {
    expect(strategicMerge({ a: 1, b: 2 }, { b: null }, 'test')).toEqual({ a: 1 });
  });

  it('splits image references with registry ports, tags and digests', () => {
    expect(splitImage('registry:5000/team/app:1.2.3')).toEqual({ name: 'registry:5000/team/app', tag: '1.2.3', digest: undefined });
    expect(splitImage('app@sha256:abc')).toEqual({ name: 'app', digest: 'sha256:abc' });
    expect(splitImage('registry:5000/app')).toEqual({ name: 'registry:5000/app', digest: undefined });
  });

  it('refuses a kustomization field it does not implement instead of ignoring it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-'));
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x', 'kustomization.yaml'), 'resources: []\nnamePrefix: p-\n');
    expect(() => renderKustomization(join(dir, 'x'))).toThrow(/namePrefix/);
  });

  it('refuses a patch that matches no resource', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kustomize-'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [cm.yaml]\npatches:\n  - path: p.yaml\n');
    writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n');
    writeFileSync(join(dir, 'p.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: y}\n');
    expect(() => renderKustomization(dir)).toThrow(/matches 0 resources/);
  });
});
