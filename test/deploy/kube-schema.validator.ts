// Checks rendered Kubernetes objects two ways, both from the kubernetes-models package:
//  - its JSON-schema validators (from the Kubernetes OpenAPI document): types, required fields,
//    enums and formats;
//  - its TypeScript interfaces, by type-checking each object as an object literal, which rejects
//    unknown (misspelt) fields the JSON schemas let through, as `kubectl --validate=strict` would.
import ts from 'typescript';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { KubeObject } from './kustomize.renderer';

interface Validatable {
  validate(): void;
}

interface KindSchema {
  /** Module and interface that declare the kind's TypeScript shape. */
  module: string;
  type: string;
  create: (data: KubeObject) => Validatable;
}

// ModelData's constructor type is stricter than plain parsed YAML; the validators are what judge it.
type AnyModel = new (data: never) => Validatable;
const model = (ctor: AnyModel) => (data: KubeObject) => new ctor(data as never);

export const KIND_SCHEMAS: Record<string, KindSchema> = {
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', type: 'IConfigMap', create: model(ConfigMap) },
  'v1/Namespace': { module: 'kubernetes-models/v1/Namespace', type: 'INamespace', create: model(Namespace) },
  'v1/Secret': { module: 'kubernetes-models/v1/Secret', type: 'ISecret', create: model(Secret) },
  'v1/Service': { module: 'kubernetes-models/v1/Service', type: 'IService', create: model(Service) },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment', create: model(Deployment) },
  'batch/v1/Job': { module: 'kubernetes-models/batch/v1/Job', type: 'IJob', create: model(Job) },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    type: 'IHorizontalPodAutoscaler',
    create: model(HorizontalPodAutoscaler),
  },
  'policy/v1/PodDisruptionBudget': {
    module: 'kubernetes-models/policy/v1/PodDisruptionBudget',
    type: 'IPodDisruptionBudget',
    create: model(PodDisruptionBudget),
  },
  'networking.k8s.io/v1/NetworkPolicy': {
    module: 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy',
    type: 'INetworkPolicy',
    create: model(NetworkPolicy),
  },
};

function label(o: KubeObject): string {
  return `${o.kind}/${o.metadata.name}`;
}

/** Schema errors, one line per object that fails (empty when all are valid). */
export function schemaErrors(objects: KubeObject[]): string[] {
  const errors: string[] = [];
  for (const o of objects) {
    const schema = KIND_SCHEMAS[`${o.apiVersion}/${o.kind}`];
    if (!schema) {
      errors.push(`${label(o)}: no schema known for ${o.apiVersion} ${o.kind}`);
      continue;
    }
    try {
      schema.create(o).validate();
    } catch (err) {
      errors.push(`${label(o)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return errors;
}

/** Type errors of the objects against the Kubernetes API interfaces (unknown fields, wrong types). */
export function typeErrors(objects: KubeObject[]): string[] {
  const fileName = `${process.cwd()}/__kube_objects__.ts`;
  const kinds = [...new Set(objects.map((o) => `${o.apiVersion}/${o.kind}`))];
  const imports = kinds
    .filter((k) => KIND_SCHEMAS[k])
    .map((k) => `import type { ${KIND_SCHEMAS[k].type} } from '${KIND_SCHEMAS[k].module}';`);
  const consts = objects
    .filter((o) => KIND_SCHEMAS[`${o.apiVersion}/${o.kind}`])
    .map((o, i) => `// ${label(o)}\nexport const o${i}: ${KIND_SCHEMAS[`${o.apiVersion}/${o.kind}`].type} = ${JSON.stringify(o, null, 1)};`);
  const source = [...imports, ...consts].join('\n');

  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === fileName ? source : readFile(f));
  host.fileExists = ((exists) => (f: string) => f === fileName || exists(f))(host.fileExists.bind(host));
  host.getSourceFile = (f, lang, onError, create) =>
    f === fileName ? ts.createSourceFile(f, source, lang) : getSourceFile(f, lang, onError, create);
  const program = ts.createProgram([fileName], options, host);
  const file = program.getSourceFile(fileName);
  if (!file) throw new Error('could not load the generated type check file');
  const lines = source.split('\n');
  return ts.getPreEmitDiagnostics(program, file).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.start === undefined) return text;
    const { line } = file.getLineAndCharacterOfPosition(d.start);
    let owner = line;
    while (owner > 0 && !lines[owner].startsWith('// ')) owner--;
    return `${lines[owner].slice(3)}: ${text.split('\n').slice(-1)[0]} (${lines[line].trim()})`;
  });
}
