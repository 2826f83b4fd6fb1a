import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import type Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';

/**
 * The CRDs this package ships (crds/, the ones its charts' custom resources need, at pinned upstream
 * versions), found beside the compiled or source files.
 */
export function bundledCrdDir(): string | undefined {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'crds');
    if (existsSync(join(candidate, 'README.md'))) return candidate;
    dir = dirname(dir);
  }
  return undefined;
}

/** What the CRDs say about one `apiVersion` + `kind`. */
export type CrdLookup =
  | { readonly validate: ValidateFunction }
  | { readonly unserved: readonly string[] }
  | undefined;

/** Bundled files parsed once per process: the largest (ESO's SecretStore) takes about a second. */
const parsedFiles = new Map<string, any[]>();

/**
 * Custom resource schemas from CRDs, compiled on first use of each kind. Files of the bundled
 * directory are named `<group>_<plural>.yaml`, so only the files of a group an object uses are read.
 */
export class CrdSchemas {
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly loadedGroups = new Set<string>();
  private readonly crds: any[];
  private ajv?: Ajv;

  constructor(explicit: readonly unknown[], private readonly bundledDir?: string) {
    this.crds = [...explicit];
  }

  public lookup(apiVersion: string, kind: string): CrdLookup {
    const slash = apiVersion.lastIndexOf('/');
    if (slash < 0) return undefined;
    const group = apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const crd = this.find(group, kind) ?? (this.loadBundled(group), this.find(group, kind));
    if (!crd) return undefined;
    const served = (crd.spec.versions ?? []).filter((v: any) => v.served !== false);
    const entry = served.find((v: any) => v.name === version);
    if (!entry) return { unserved: served.map((v: any) => v.name) };
    const key = `${apiVersion}/${kind}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.compiler().compile(strictCrdSchema(entry.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }));
      this.compiled.set(key, validate);
    }
    return { validate };
  }

  private find(group: string, kind: string): any {
    // The last one given wins, as a later apply of a CRD replaces the earlier.
    return [...this.crds].reverse().find((crd: any) => crd?.spec?.group === group && crd?.spec?.names?.kind === kind);
  }

  private loadBundled(group: string): void {
    if (!this.bundledDir || this.loadedGroups.has(group)) return;
    this.loadedGroups.add(group);
    for (const file of readdirSync(this.bundledDir).filter((f) => f.startsWith(`${group}_`) && f.endsWith('.yaml')).sort()) {
      const path = join(this.bundledDir, file);
      let objects = parsedFiles.get(path);
      if (!objects) {
        objects = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS()).filter(Boolean);
        parsedFiles.set(path, objects);
      }
      // Bundled CRDs come first: a CRD given explicitly or in the input replaces its bundled one.
      this.crds.unshift(...objects.filter((o: any) => o?.kind === 'CustomResourceDefinition'));
    }
  }

  private compiler(): Ajv {
    if (!this.ajv) {
      const AjvClass = require('ajv').default as typeof Ajv;
      this.ajv = new AjvClass({ strict: false, allErrors: true, validateFormats: false, code: { regExp: goPattern } });
    }
    return this.ajv;
  }
}

/**
 * A CRD `pattern` read as the API server reads it: Go (RE2) syntax, where a leading `(?i)` (or
 * `m`, `s`) sets flags for the whole expression. JavaScript has no inline flags, so they become the
 * RegExp's own (the prometheus-operator CRDs use `^(?i)(abort|warn)?$`).
 */
export const goPattern = Object.assign((pattern: string, flags: string): RegExp => {
  const inline = /^(\^?)\(\?([ims]+)\)/.exec(pattern);
  if (!inline) return new RegExp(pattern, flags);
  const all = [...new Set([...flags, ...inline[2]])].join('');
  return new RegExp(inline[1] + pattern.slice(inline[0].length), all);
}, { code: 'goPattern' });

/**
 * A CRD's schema as the API server applies it, made strict: apiVersion, kind and metadata are implied,
 * and a field no `properties` names is an error (the server would prune it silently) unless the
 * schema keeps unknown fields (`x-kubernetes-preserve-unknown-fields`) or says what extra keys hold
 * (`additionalProperties`).
 */
export function strictCrdSchema(schema: any): any {
  const root = { ...schema, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...schema.properties } };
  return strict(root);
}

function strict(node: any, inJunctor = false): any {
  if (Array.isArray(node)) return node.map((item) => strict(item, inJunctor));
  if (!node || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries(node)) {
    // CRD patterns are Go (RE2) expressions, read through goPattern (inline flags such as the `(?i)`
    // of prometheus-operator's CRDs); one that still does not compile is left unchecked rather than
    // failing the whole schema.
    if (key === 'pattern' && typeof value === 'string' && !compiles(value)) continue;
    // Property names are data, not schema keywords: each value is a schema.
    out[key] = key === 'properties' && value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([name, child]) => [name, strict(child)]))
      : strict(value, JUNCTORS.has(key) || (inJunctor && !SCHEMA_CHILDREN.has(key)));
  }
  // A branch of anyOf/oneOf/allOf only adds constraints to the fields its parent declares: closing
  // it would reject the parent's other fields.
  if (!inJunctor && out.properties && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

const JUNCTORS = new Set(['anyOf', 'oneOf', 'allOf', 'not']);
/** Keywords whose value is a schema of its own (a nested object), not a branch of the current one. */
const SCHEMA_CHILDREN = new Set(['items', 'additionalProperties']);

function compiles(pattern: string): boolean {
  try {
    goPattern(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}
