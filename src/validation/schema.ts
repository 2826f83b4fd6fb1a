import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'fs';
import { dirname, join, resolve } from 'path';
import { gunzipSync } from 'zlib';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { writeCacheEntry } from './cache-limit';
import { CrdSchemas } from './crd-schemas';
import { isJsonExact } from './document-cache';
import { FindingSink, pathFromPointer } from './findings';
import { LocatedObject } from './located-object';
import { SkippedObject } from './types';

/** Where the Kubernetes definitions come from. */
export interface SchemaSource {
  /** Directory holding `vX.Y.Z/_definitions.json` or `_definitions.json.gz`. */
  readonly dir: string;
  /** URL template with `{version}` (e.g. `v1.30.0`) to download missing versions into `dir`. @default - offline */
  readonly urlTemplate?: string;
  /** Where compiled validators are kept between processes. @default - none: compile in every process */
  readonly cacheDir?: string;
}

/** The definitions this package ships (every Kubernetes minor from 1.28.0 to 1.36.0), found beside the compiled or source files. */
export function bundledSchemaDir(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'schemas', 'k8s');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('The bundled Kubernetes definitions (schemas/k8s) are missing from this installation.');
}

/** The per-user cache of compiled validators the CLI and the cdk8s plugin use. */
export function defaultValidatorCacheDir(): string {
  return join(userCacheDir(), 'validators');
}

/** The per-user cache of parsed manifest documents the cdk8s plugin uses. */
export function defaultParsedDocumentCacheDir(): string {
  return join(userCacheDir(), 'documents');
}

function userCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(process.env.HOME || '.', '.cache');
  return join(base, 'cdk8s-wordpress-eks');
}

/** Versions present in a schema directory, oldest first. */
export function availableVersions(dir: string): string[] {
  return readdirSync(dir).filter((d) => /^v\d+\.\d+\.\d+$/.test(d)).map((d) => d.slice(1))
    .sort((a, b) => a.split('.').map(Number).reduce((c, n, i) => c || n - Number(b.split('.')[i]), 0));
}

const loaded = new Map<string, VersionValidators>();

/** The definitions file as stored (JSON, or gzipped JSON), downloading it first when a URL is given. */
function readRawDefinitions(source: SchemaSource, version: string): Buffer {
  const plain = join(source.dir, `v${version}`, '_definitions.json');
  const gzipped = `${plain}.gz`;
  if (!existsSync(plain) && !existsSync(gzipped) && source.urlTemplate) {
    download(source.urlTemplate.replace('{version}', `v${version}`), plain);
  }
  if (existsSync(plain)) return readFileSync(plain);
  if (existsSync(gzipped)) return readFileSync(gzipped);
  throw new Error(`No Kubernetes definitions for ${version} in ${source.dir} (expected v${version}/_definitions.json)`);
}

function readDefinitions(source: SchemaSource, version: string): Record<string, any> {
  const raw = readRawDefinitions(source, version);
  // gzip magic number
  const text = raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
  return JSON.parse(text).definitions;
}

/** Downloads once into the cache; a child process keeps the validation API synchronous. */
function download(url: string, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const script = 'fetch(process.argv[1]).then(async (r) => { if (!r.ok) throw new Error(`HTTP ${r.status}`); require("fs").writeFileSync(process.argv[2], Buffer.from(await r.arrayBuffer())); })'
    + '.catch((e) => { console.error(e.message); process.exit(1); })';
  execFileSync(process.execPath, ['-e', script, url, file], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function load(source: SchemaSource, version: string): VersionValidators {
  const key = `${resolve(source.dir)}@${version}`;
  let validators = loaded.get(key);
  if (!validators) {
    validators = new VersionValidators(source, version, source.cacheDir);
    loaded.set(key, validators);
  }
  return validators;
}

/** The folder of kept schema results, beside the compiled validators. */
const RESULTS = 'results';

/** Bumped whenever the way definitions are prepared (strictness) changes, so old caches are ignored. */
const PREPARATION = 'strict-1';

/**
 * The validators of one Kubernetes version. Compiling a definition with ajv is the slow part of a
 * validation (most of a second for a typical app), so each compiled validator is also kept on disk
 * as ajv standalone code, keyed by a hash of the definitions file: later processes load it instead.
 */
class VersionValidators {
  private definitions?: Record<string, any>;
  private ajv?: Ajv;
  private gvkMap?: Map<string, string>;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly cache?: string;

  constructor(private readonly source: SchemaSource, private readonly version: string, cacheRoot?: string) {
    if (cacheRoot) {
      const hash = createHash('sha256').update(readRawDefinitions(source, version)).update(PREPARATION)
        .update(require('ajv/package.json').version).digest('hex').slice(0, 20);
      this.cache = join(cacheRoot, hash);
    }
  }

  /** `group/version/Kind` -> definition name. */
  public get byGroupVersionKind(): Map<string, string> {
    if (!this.gvkMap) {
      const cached = this.readCache('gvk.json');
      this.gvkMap = cached ? new Map(JSON.parse(cached)) : groupVersionKinds(this.prepared());
      if (!cached) this.writeCache('gvk.json', JSON.stringify([...this.gvkMap]));
    }
    return this.gvkMap;
  }

  /** The validator of one definition. */
  public validator(definition: string): ValidateFunction {
    let validate = this.compiled.get(definition);
    if (validate) return validate;
    const file = `${definition}.js`;
    const cached = this.readCache(file);
    if (cached) {
      const module = { exports: {} as any };
      // The standalone code requires ajv's runtime helpers: resolve them from this package.
      new Function('require', 'module', 'exports', cached)(require, module, module.exports);
      validate = (module.exports.default ?? module.exports) as ValidateFunction;
    } else {
      validate = this.compiler().getSchema(`k8s#/definitions/${definition}`)!;
      if (this.cache) {
        const standalone = require('ajv/dist/standalone').default as (ajv: Ajv, fn: ValidateFunction) => string;
        this.writeCache(file, standalone(this.compiler(), validate));
      }
    }
    this.compiled.set(definition, validate);
    return validate;
  }

  /**
   * The schema findings of one object. An object checked before (same JSON, same definitions, same
   * engine) gets its kept result: between two synths most objects are unchanged, and then neither
   * their validators need loading nor the objects checking.
   */
  public check(definition: string, object: unknown): SchemaIssue[] {
    const file = this.cache && isJsonExact(object)
      ? `${RESULTS}/${createHash('sha256').update(engine()).update('\0').update(definition).update('\0').update(JSON.stringify(object)).digest('hex').slice(0, 32)}.json`
      : undefined;
    const kept = file && this.readCache(file);
    if (kept) return JSON.parse(kept);
    const issues = issuesOf(this.validator(definition), object, this.version);
    if (file) this.writeCache(file, JSON.stringify(issues));
    return issues;
  }

  private prepared(): Record<string, any> {
    if (!this.definitions) {
      this.definitions = readDefinitions(this.source, this.version);
      for (const definition of Object.values(this.definitions)) {
        // Strict, as `kubeconform -strict`: a field the schema does not name is an error.
        if (definition.properties && definition.additionalProperties === undefined) definition.additionalProperties = false;
      }
    }
    return this.definitions;
  }

  private compiler(): Ajv {
    if (!this.ajv) {
      // ajv is loaded only when a schema is compiled, so a plain synth never pays for it.
      const AjvClass = require('ajv').default as typeof Ajv;
      this.ajv = new AjvClass({ strict: false, allErrors: true, validateFormats: false, code: { source: Boolean(this.cache) } });
      this.ajv.addSchema({ $id: 'k8s', definitions: this.prepared() });
    }
    return this.ajv;
  }

  private readCache(file: string): string | undefined {
    if (!this.cache) return undefined;
    try {
      return readFileSync(join(this.cache, file), 'utf8');
    } catch {
      return undefined;
    }
  }

  private writeCache(file: string, text: string): void {
    // Compiled validators are one per definition; kept results grow with every edit.
    if (this.cache) writeCacheEntry(join(this.cache, file), text, file.startsWith(`${RESULTS}/`));
  }
}

function groupVersionKinds(definitions: Record<string, any>): Map<string, string> {
  const byGroupVersionKind = new Map<string, string>();
  for (const [name, definition] of Object.entries(definitions)) {
    for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
      byGroupVersionKind.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
    }
  }
  return byGroupVersionKind;
}

/** The API server decodes an explicit null as an absent field. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

/**
 * Checks every object against each version's definitions; custom resources against their CRDs
 * (a CRD's schema is the same on every Kubernetes version).
 */
export function checkSchemas(objects: LocatedObject[], versions: string[], source: SchemaSource, crds: CrdSchemas,
  strict: boolean, sink: FindingSink, skipped: SkippedObject[]): void {
  const compiledVersions = versions.map((version) => ({ version, validators: load(source, version) }));
  for (const { object, file } of objects) {
    const gvk = `${object.apiVersion}/${object.kind}`;
    // Before the built-in groups: snapshot.storage.k8s.io is a *.k8s.io group served only by a CRD.
    const crd = crds.lookup(object.apiVersion, object.kind);
    if (crd && 'validate' in crd) {
      addIssues(sink, issuesOf(crd.validate, object, undefined), object, file, undefined);
      continue;
    }
    if (crd) {
      sink.add('schema.unserved-api', object, 'apiVersion', `${object.apiVersion} ${object.kind} is not served by its CRD (served: ${crd.unserved.join(', ') || 'none'})`, file);
      continue;
    }
    const served = compiledVersions.some(({ validators }) => validators.byGroupVersionKind.has(gvk));
    if (!served && !isBuiltInGroup(gvk)) {
      if (strict) sink.add('schema.unknown-kind', object, 'kind', `${gvk} has no schema: no built-in kind and no CRD supplied`, file);
      else skipped.push({ ...(file ? { file } : {}), apiVersion: object.apiVersion, kind: object.kind, name: object.metadata?.name, reason: 'custom resource without a CRD schema' });
      continue;
    }
    for (const { version, validators } of compiledVersions) {
      const definition = validators.byGroupVersionKind.get(gvk);
      if (!definition) {
        sink.add('schema.unserved-api', object, 'apiVersion', `${object.apiVersion} ${object.kind} is not served by Kubernetes ${version}`, file, version);
        continue;
      }
      addIssues(sink, validators.check(definition, object), object, file, version);
    }
  }
}

/** One schema finding of an object: rule, path, message (the object, file and version are the caller's). */
type SchemaIssue = [rule: string, path: string, message: string];

function addIssues(sink: FindingSink, issues: SchemaIssue[], object: any, file: string | undefined, version: string | undefined): void {
  for (const [rule, path, message] of issues) sink.add(rule, object, path, message, file, version);
}

function issuesOf(validate: ValidateFunction, object: any, version: string | undefined): SchemaIssue[] {
  if (validate(withoutNulls(object))) return [];
  const issues: SchemaIssue[] = [];
  for (const error of validate.errors ?? []) {
    if (error.keyword === 'additionalProperties') {
      const field = (error.params as { additionalProperty: string }).additionalProperty;
      const path = pathFromPointer(`${error.instancePath}/${field}`);
      issues.push(['schema.unknown-field', path, `unknown field "${field}"${version ? ` for Kubernetes ${version}` : ''}`]);
    } else if (error.keyword !== 'oneOf') {
      issues.push(['schema.invalid', pathFromPointer(error.instancePath), `${error.message}${version ? ` (Kubernetes ${version})` : ''}`]);
    }
  }
  return issues;
}

let engineHash: string | undefined;

/**
 * A hash of the code that turns a validator's verdict into findings (this file and findings'),
 * so kept results die with any change to it: definitions, their preparation and ajv's version are
 * already in the cache directory's name.
 */
function engine(): string {
  engineHash ??= createHash('sha256').update(readFileSync(__filename)).update(readFileSync(require.resolve('./findings'))).digest('hex');
  return engineHash;
}

const BUILT_IN_GROUPS = /^(v1\/|[a-z.]+\.k8s\.io\/|apps\/|batch\/|policy\/|autoscaling\/|extensions\/)/;

function isBuiltInGroup(gvk: string): boolean {
  return BUILT_IN_GROUPS.test(gvk);
}
