import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { gunzipSync } from 'zlib';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { FindingSink, pathFromPointer } from './findings';
import { LocatedObject } from './located-object';
import { SkippedObject } from './types';

/** Where the Kubernetes definitions come from. */
export interface SchemaSource {
  /** Directory holding `vX.Y.Z/_definitions.json` or `_definitions.json.gz`. */
  readonly dir: string;
  /** URL template with `{version}` (e.g. `v1.30.0`) to download missing versions into `dir`. @default - offline */
  readonly urlTemplate?: string;
}

/** The definitions this package ships (Kubernetes 1.28.0 and 1.36.0), found beside the compiled or source files. */
export function bundledSchemaDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'schemas', 'k8s');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('The bundled Kubernetes definitions (schemas/k8s) are missing from this installation.');
}

/** Versions present in a schema directory, oldest first. */
export function availableVersions(dir: string): string[] {
  return readdirSync(dir).filter((d) => /^v\d+\.\d+\.\d+$/.test(d)).map((d) => d.slice(1))
    .sort((a, b) => a.split('.').map(Number).reduce((c, n, i) => c || n - Number(b.split('.')[i]), 0));
}

interface CompiledVersion {
  readonly ajv: Ajv;
  readonly byGroupVersionKind: Map<string, string>;
  readonly compiled: Map<string, ValidateFunction>;
}

const loaded = new Map<string, CompiledVersion>();

function readDefinitions(source: SchemaSource, version: string): Record<string, any> {
  const base = join(source.dir, `v${version}`);
  const plain = join(base, '_definitions.json');
  const gzipped = `${plain}.gz`;
  if (!existsSync(plain) && !existsSync(gzipped) && source.urlTemplate) {
    download(source.urlTemplate.replace('{version}', `v${version}`), plain);
  }
  if (existsSync(plain)) return JSON.parse(readFileSync(plain, 'utf8')).definitions;
  if (existsSync(gzipped)) return JSON.parse(gunzipSync(readFileSync(gzipped)).toString('utf8')).definitions;
  throw new Error(`No Kubernetes definitions for ${version} in ${source.dir} (expected v${version}/_definitions.json)`);
}

/** Downloads once into the cache; a child process keeps the validation API synchronous. */
function download(url: string, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const script = 'fetch(process.argv[1]).then(async (r) => { if (!r.ok) throw new Error(`HTTP ${r.status}`); require("fs").writeFileSync(process.argv[2], Buffer.from(await r.arrayBuffer())); })'
    + '.catch((e) => { console.error(e.message); process.exit(1); })';
  execFileSync(process.execPath, ['-e', script, url, file], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function load(source: SchemaSource, version: string): CompiledVersion {
  const key = `${resolve(source.dir)}@${version}`;
  let compiled = loaded.get(key);
  if (!compiled) {
    const definitions = readDefinitions(source, version);
    const byGroupVersionKind = new Map<string, string>();
    for (const [name, definition] of Object.entries(definitions)) {
      // Strict, as `kubeconform -strict`: a field the schema does not name is an error.
      if (definition.properties && definition.additionalProperties === undefined) definition.additionalProperties = false;
      for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
        byGroupVersionKind.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
      }
    }
    // ajv is loaded only when a schema is checked, so a plain synth never pays for it.
    const AjvClass = require('ajv').default as typeof Ajv;
    const ajv = new AjvClass({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'k8s', definitions });
    compiled = { ajv, byGroupVersionKind, compiled: new Map() };
    loaded.set(key, compiled);
  }
  return compiled;
}

/** The API server decodes an explicit null as an absent field. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

/** Custom resource schemas from CRDs: `group/version/Kind` -> compiled validator. */
export function crdValidators(crds: any[]): Map<string, ValidateFunction> {
  const validators = new Map<string, ValidateFunction>();
  if (crds.length === 0) return validators;
  const AjvClass = require('ajv').default as typeof Ajv;
  const ajv = new AjvClass({ strict: false, allErrors: true, validateFormats: false });
  for (const crd of crds) {
    for (const version of crd?.spec?.versions ?? []) {
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) continue;
      // apiVersion, kind and metadata are implied for every custom resource.
      const full = { ...schema, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...schema.properties } };
      validators.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, ajv.compile(full));
    }
  }
  return validators;
}

/** Checks every object against each version's definitions; custom resources against their CRDs. */
export function checkSchemas(objects: LocatedObject[], versions: string[], source: SchemaSource, crds: Map<string, ValidateFunction>,
  strict: boolean, sink: FindingSink, skipped: SkippedObject[]): void {
  const compiledVersions = versions.map((version) => ({ version, compiled: load(source, version) }));
  for (const { object, file } of objects) {
    const gvk = `${object.apiVersion}/${object.kind}`;
    const crd = crds.get(gvk);
    if (crd) {
      report(crd, object, file, undefined, sink);
      continue;
    }
    const served = compiledVersions.some(({ compiled }) => compiled.byGroupVersionKind.has(gvk));
    if (!served && !isBuiltInGroup(gvk)) {
      if (strict) sink.add('schema.unknown-kind', object, 'kind', `${gvk} has no schema: no built-in kind and no CRD supplied`, file);
      else skipped.push({ ...(file ? { file } : {}), apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name, reason: 'custom resource without a CRD schema' });
      continue;
    }
    for (const { version, compiled } of compiledVersions) {
      const definition = compiled.byGroupVersionKind.get(gvk);
      if (!definition) {
        sink.add('schema.unserved-api', object, 'apiVersion', `${object.apiVersion} ${object.kind} is not served by Kubernetes ${version}`, file, version);
        continue;
      }
      let validate = compiled.compiled.get(definition);
      if (!validate) {
        validate = compiled.ajv.getSchema(`k8s#/definitions/${definition}`)!;
        compiled.compiled.set(definition, validate);
      }
      report(validate, object, file, version, sink);
    }
  }
}

function report(validate: ValidateFunction, object: any, file: string | undefined, version: string | undefined, sink: FindingSink): void {
  if (validate(withoutNulls(object))) return;
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'additionalProperties') {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      const path = pathFromPointer(`${error.instancePath}/${field}`);
      sink.add('schema.unknown-field', object, path, `unknown field "${field}"${version ? ` for Kubernetes ${version}` : ''}`, file, version);
    } else if (error.keyword !== 'oneOf') {
      sink.add('schema.invalid', object, pathFromPointer(error.instancePath), `${error.message}${version ? ` (Kubernetes ${version})` : ''}`, file, version);
    }
  }
}

const BUILT_IN_GROUPS = /^(v1\/|[a-z.]+\.k8s\.io\/|apps\/|batch\/|policy\/|autoscaling\/|extensions\/)/;

function isBuiltInGroup(gvk: string): boolean {
  return BUILT_IN_GROUPS.test(gvk);
}
