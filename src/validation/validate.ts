import { FindingSink } from './findings';
import { LocatedObject } from './located-object';
import { checkPolicy } from './policy';
import { bundledCrdDir, CrdSchemas } from './crd-schemas';
import { availableVersions, bundledSchemaDir, checkSchemas, SchemaSource } from './schema';
import { checkSemantics } from './semantics';
import { ManifestSource, SkippedObject, ValidationOptions, ValidationReport } from './types';

/**
 * Validates manifests the way a cluster would judge them: strict schema for each Kubernetes
 * version, API-server semantics across objects, and policy. Synchronous; schemas are loaded and
 * compiled once per version and definition, on first use.
 */
export function validateManifests(input: ManifestSource[], options: ValidationOptions = {}): ValidationReport {
  const sink = new FindingSink(options.rules);
  const objects: LocatedObject[] = input.flatMap((source) => source.objects.map((object) => ({ object, ...(source.file ? { file: source.file } : {}) })));
  const notObjects = objects.filter(({ object }) => !object || typeof object !== 'object' || typeof (object as any).kind !== 'string' || typeof (object as any).apiVersion !== 'string');
  for (const { object, file } of notObjects) sink.add('schema.invalid', object, '', 'not a Kubernetes object: apiVersion and kind are required', file);
  const valid = objects.filter((o) => !notObjects.includes(o));

  const dir = options.schemaDir ?? bundledSchemaDir();
  const source: SchemaSource = {
    dir,
    ...(options.schemaUrlTemplate ? { urlTemplate: options.schemaUrlTemplate } : {}),
    ...(options.validatorCacheDir ? { cacheDir: options.validatorCacheDir } : {}),
  };
  const versions = options.kubernetesVersions ?? defaultVersions(dir);
  if (versions.length === 0) throw new Error(`No Kubernetes definitions found in ${dir}`);
  const crds = [...(options.crds ?? []), ...valid.filter(({ object }) => object.kind === 'CustomResourceDefinition').map(({ object }) => object)];
  const skipped: SkippedObject[] = [];
  const crdSchemas = new CrdSchemas(crds, options.bundledCrds === false ? undefined : bundledCrdDir());
  checkSchemas(valid, versions, source, crdSchemas, options.strict ?? false, sink, skipped);
  checkSemantics(valid, options.external ?? [], sink);
  checkPolicy(valid, sink);

  const findings = sink.findings;
  return {
    findings,
    errorCount: findings.filter((f) => f.severity === 'error').length,
    warningCount: findings.filter((f) => f.severity === 'warning').length,
    skipped,
    objectCount: objects.length,
  };
}

/** 1.28 (the oldest supported) and the newest available. */
function defaultVersions(dir: string): string[] {
  const versions = availableVersions(dir);
  const newest = versions[versions.length - 1];
  return [...new Set(['1.28.0', newest].filter((v) => versions.includes(v)))];
}
