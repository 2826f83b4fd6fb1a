import { readFileSync } from 'fs';
import { join, resolve } from 'path';
import Ajv, { ValidateFunction } from 'ajv';

/** The official definitions beside the project (tests and CI only; users never need them). */
export const SCHEMA_DIR = resolve(__dirname, '../../../shared/k8s-schemas');
/** The oldest and newest Kubernetes minors the output must be valid for. */
export const VERSIONS = ['v1.28.0', 'v1.36.0'];

interface VersionSchemas {
  readonly ajv: Ajv;
  readonly byGroupVersionKind: Map<string, string>;
  readonly compiled: Map<string, ValidateFunction>;
}

const cache = new Map<string, VersionSchemas>();

function load(version: string): VersionSchemas {
  let schemas = cache.get(version);
  if (!schemas) {
    const definitions: Record<string, any> = JSON.parse(readFileSync(join(SCHEMA_DIR, version, '_definitions.json'), 'utf8')).definitions;
    const byGroupVersionKind = new Map<string, string>();
    for (const [name, definition] of Object.entries(definitions)) {
      // Strict, as `kubeconform -strict`: a field the schema does not name is an error.
      if (definition.properties && definition.additionalProperties === undefined) definition.additionalProperties = false;
      for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
        byGroupVersionKind.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
      }
    }
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'k8s', definitions });
    schemas = { ajv, byGroupVersionKind, compiled: new Map() };
    cache.set(version, schemas);
  }
  return schemas;
}

/** The API server decodes an explicit null as an absent field. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
  }
  return value;
}

/** Every schema problem of the objects for each version, as readable lines; empty when valid. */
export function strictSchemaProblems(objects: any[], versions: string[] = VERSIONS): string[] {
  const problems: string[] = [];
  for (const version of versions) {
    const schemas = load(version);
    for (const object of objects) {
      const id = `${version} ${object.kind}/${object.metadata?.namespace ?? ''}/${object.metadata?.name}`;
      const definition = schemas.byGroupVersionKind.get(`${object.apiVersion}/${object.kind}`);
      if (!definition) {
        problems.push(`${id}: ${object.apiVersion} ${object.kind} is not served`);
        continue;
      }
      let validate = schemas.compiled.get(definition);
      if (!validate) {
        validate = schemas.ajv.getSchema(`k8s#/definitions/${definition}`)!;
        schemas.compiled.set(definition, validate);
      }
      if (!validate(withoutNulls(object))) {
        for (const error of validate.errors ?? []) {
          const detail = error.keyword === 'additionalProperties' ? ` (${(error.params as any).additionalProperty})` : '';
          problems.push(`${id}: ${error.instancePath || '/'} ${error.message}${detail}`);
        }
      }
    }
  }
  return problems;
}
