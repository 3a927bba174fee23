// Renders the subset of Kustomize that k8s/ uses, so the manifests can be checked where no
// `kubectl` is installed: resources (files and directories), namespace, labels (metadata only),
// strategic-merge patches targeted by kind and name, replicas, images and configMapGenerator
// without name hashes. Anything else in a kustomization.yaml is refused rather than half-rendered.
// kustomize.renderer.spec.ts compares the result with `kubectl kustomize` wherever that exists.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface KubeObject extends JsonObject {
  apiVersion: string;
  kind: string;
  metadata: JsonObject & { name: string; namespace?: string; labels?: Record<string, string> };
}

const SUPPORTED_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'patches',
  'replicas',
  'images',
  'configMapGenerator',
  'generatorOptions',
]);

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
]);

const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

/** List fields merged item by item (by this key) in a strategic merge; other lists are replaced. */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  imagePullSecrets: 'name',
};

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every document of a YAML file that is not empty, as plain data. */
export function readYamlDocuments(file: string): Json[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'), { merge: true });
  const out: Json[] = [];
  for (const doc of docs) {
    if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value = doc.toJS({ maxAliasCount: 100 }) as Json;
    if (value !== null && value !== undefined) out.push(value);
  }
  return out;
}

function asKubeObject(value: Json, where: string): KubeObject {
  if (!isObject(value) || typeof value.apiVersion !== 'string' || typeof value.kind !== 'string') {
    throw new Error(`${where}: not a Kubernetes object (apiVersion and kind are required)`);
  }
  if (!isObject(value.metadata) || typeof value.metadata.name !== 'string') {
    throw new Error(`${where}: ${value.kind} has no metadata.name`);
  }
  return value as KubeObject;
}

export function renderKustomization(dir: string): KubeObject[] {
  const root = resolve(dir);
  const file = join(root, 'kustomization.yaml');
  const [raw] = readYamlDocuments(file);
  if (!isObject(raw)) throw new Error(`${file}: empty`);
  for (const key of Object.keys(raw)) {
    if (!SUPPORTED_FIELDS.has(key)) throw new Error(`${file}: "${key}" is not supported by this renderer`);
  }

  const objects: KubeObject[] = [];
  for (const entry of stringList(raw.resources, `${file} resources`)) {
    const path = join(root, entry);
    if (statSync(path).isDirectory()) objects.push(...renderKustomization(path));
    else objects.push(...readYamlDocuments(path).map((d) => asKubeObject(d, path)));
  }
  objects.push(...generateConfigMaps(root, raw));

  for (const patch of list(raw.patches, `${file} patches`)) {
    if (!isObject(patch) || typeof patch.path !== 'string' || patch.target !== undefined || patch.patch !== undefined) {
      throw new Error(`${file}: only patches given by path, targeted by their own kind and name, are supported`);
    }
    const patchFile = join(root, patch.path);
    for (const doc of readYamlDocuments(patchFile)) applyStrategicPatch(objects, asKubeObject(doc, patchFile), patchFile);
  }

  if (raw.namespace !== undefined) {
    if (typeof raw.namespace !== 'string') throw new Error(`${file}: namespace must be a string`);
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = raw.namespace;
  }

  for (const entry of list(raw.labels, `${file} labels`)) {
    if (!isObject(entry) || !isObject(entry.pairs) || entry.includeSelectors === true || entry.includeTemplates === true) {
      throw new Error(`${file}: only labels with pairs on metadata (no selectors, no templates) are supported`);
    }
    for (const o of objects) o.metadata.labels = { ...(o.metadata.labels ?? {}), ...(entry.pairs as Record<string, string>) };
  }

  for (const entry of list(raw.replicas, `${file} replicas`)) {
    if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.count !== 'number') {
      throw new Error(`${file}: replicas entries need name and count`);
    }
    const targets = objects.filter((o) => SCALABLE.has(o.kind) && o.metadata.name === entry.name);
    if (targets.length === 0) throw new Error(`${file}: replicas names ${entry.name}, which is not rendered`);
    for (const o of targets) (o.spec as JsonObject).replicas = entry.count;
  }

  for (const entry of list(raw.images, `${file} images`)) {
    if (!isObject(entry) || typeof entry.name !== 'string') throw new Error(`${file}: images entries need a name`);
    for (const o of objects) rewriteImages(o, entry);
  }
  return objects;
}

function list(value: Json | undefined, where: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error(`${where}: must be a list`);
  return value;
}

function stringList(value: Json | undefined, where: string): string[] {
  return list(value, where).map((v) => {
    if (typeof v !== 'string') throw new Error(`${where}: entries must be strings`);
    return v;
  });
}

function generateConfigMaps(root: string, k: JsonObject): KubeObject[] {
  const generators = list(k.configMapGenerator, 'configMapGenerator');
  if (generators.length === 0) return [];
  const options = isObject(k.generatorOptions) ? k.generatorOptions : {};
  if (options.disableNameSuffixHash !== true) {
    throw new Error('configMapGenerator is only supported with generatorOptions.disableNameSuffixHash: true');
  }
  return generators.map((g) => {
    if (!isObject(g) || typeof g.name !== 'string') throw new Error('configMapGenerator entries need a name');
    const data: Record<string, string> = {};
    for (const spec of stringList(g.files, `configMapGenerator ${g.name} files`)) {
      const eq = spec.indexOf('=');
      const key = eq >= 0 ? spec.slice(0, eq) : basename(spec);
      data[key] = readFileSync(join(root, eq >= 0 ? spec.slice(eq + 1) : spec), 'utf8');
    }
    for (const literal of stringList(g.literals, `configMapGenerator ${g.name} literals`)) {
      const eq = literal.indexOf('=');
      data[literal.slice(0, eq)] = literal.slice(eq + 1);
    }
    const labels = { ...((options.labels as Record<string, string>) ?? {}), ...(((g.options as JsonObject)?.labels as Record<string, string>) ?? {}) };
    const metadata: KubeObject['metadata'] = { name: g.name };
    if (Object.keys(labels).length > 0) metadata.labels = labels;
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
  });
}

function applyStrategicPatch(objects: KubeObject[], patch: KubeObject, where: string): void {
  const targets = objects.filter(
    (o) =>
      o.kind === patch.kind &&
      o.metadata.name === patch.metadata.name &&
      (patch.metadata.namespace === undefined || o.metadata.namespace === patch.metadata.namespace),
  );
  if (targets.length !== 1) {
    throw new Error(`${where}: patch for ${patch.kind}/${patch.metadata.name} matches ${targets.length} resources`);
  }
  const merged = strategicMerge(targets[0], patch, where) as KubeObject;
  objects[objects.indexOf(targets[0])] = merged;
}

/** Strategic merge as Kubernetes defines it, for maps and the list fields in MERGE_KEYS. */
export function strategicMerge(base: Json, patch: Json, where: string, field = ''): Json {
  if (isObject(patch) && isObject(base)) {
    const out: JsonObject = { ...base };
    for (const [key, value] of Object.entries(patch)) {
      if (key.startsWith('$')) throw new Error(`${where}: patch directive ${key} is not supported`);
      if (value === null) delete out[key];
      else out[key] = key in base ? strategicMerge(base[key], value, where, key) : value;
    }
    return out;
  }
  if (Array.isArray(patch) && Array.isArray(base)) {
    const mergeKey = field === 'ports' ? portKey(base) : MERGE_KEYS[field];
    if (!mergeKey) return patch;
    // Kustomize puts the patch's items first, in the patch's order, then the untouched ones.
    const keyOf = (item: Json) => (isObject(item) ? item[mergeKey] : undefined);
    const patched = patch.map((item) => {
      const original = base.find((b) => keyOf(b) !== undefined && keyOf(b) === keyOf(item));
      return original === undefined ? item : strategicMerge(original, item, where);
    });
    const patchKeys = new Set(patch.map(keyOf));
    return [...patched, ...base.filter((b) => !patchKeys.has(keyOf(b)))];
  }
  return patch;
}

function portKey(items: Json[]): string {
  return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
}

function rewriteImages(node: Json, entry: JsonObject): void {
  if (Array.isArray(node)) {
    for (const item of node) rewriteImages(item, entry);
    return;
  }
  if (!isObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const c of value) {
        if (isObject(c) && typeof c.image === 'string') c.image = rewriteImage(c.image, entry);
      }
    } else {
      rewriteImages(value, entry);
    }
  }
}

/** Splits `registry:5000/repo/name:tag@sha256:…` into name, tag and digest. */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  const digest = at >= 0 ? image.slice(at + 1) : undefined;
  const rest = at >= 0 ? image.slice(0, at) : image;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { name: rest, digest };
}

function rewriteImage(image: string, entry: JsonObject): string {
  const current = splitImage(image);
  if (current.name !== entry.name) return image;
  const name = typeof entry.newName === 'string' ? entry.newName : current.name;
  if (typeof entry.digest === 'string') return `${name}@${entry.digest}`;
  if (typeof entry.newTag === 'string') return `${name}:${entry.newTag}`;
  return `${name}${current.tag ? `:${current.tag}` : ''}${current.digest ? `@${current.digest}` : ''}`;
}

/** The path of a working `kubectl` with Kustomize built in, or null. */
export function findKubectl(): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const candidate = join(dir, 'kubectl');
    if (dir && existsSync(candidate)) {
      try {
        execFileSync(candidate, ['kustomize', '--help'], { stdio: 'ignore', timeout: 20_000 });
        return candidate;
      } catch {
        return null;
      }
    }
  }
  return null;
}

export function renderWithKubectl(kubectl: string, dir: string): KubeObject[] {
  const out = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  return parseAllDocuments(out)
    .map((d) => d.toJS() as Json)
    .filter((d) => d !== null)
    .map((d) => asKubeObject(d, `kubectl kustomize ${dir}`));
}
