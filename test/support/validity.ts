import { bundledSchemaDir, Finding, validateManifests } from '../../src/validation';
import { availableVersions } from '../../src/validation/schema';

/** The Kubernetes minors the project claims: 1.28 to 1.36. */
export const SUPPORTED_MINORS = Array.from({ length: 9 }, (_, i) => `1.${28 + i}`);

/**
 * The shipped definitions the tests validate against: the package's own `schemas/k8s`, exactly what a
 * user's clone and the published package hold (never anything beside the checkout).
 */
export const SCHEMA_DIR = bundledSchemaDir();

/** Every shipped version, oldest first. */
export const SHIPPED_VERSIONS = availableVersions(SCHEMA_DIR);

/**
 * Error-level findings of the project's engine, as readable lines: strict schema for every shipped
 * Kubernetes version (1.28 to 1.36; loading one costs about 0.4 s per test file), semantics, policy.
 */
export function validationErrors(objects: unknown[], kubernetesVersions: string[] = SHIPPED_VERSIONS): string[] {
  const report = validateManifests([{ objects }], { schemaDir: SCHEMA_DIR, kubernetesVersions });
  return report.findings.filter((f: Finding) => f.severity === 'error')
    .map((f) => `${f.rule}${f.kubernetesVersion ? ` (${f.kubernetesVersion})` : ''} ${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name} ${f.path}: ${f.message}`);
}
