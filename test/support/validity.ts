import { resolve } from 'path';
import { Finding, validateManifests } from '../../src/validation';

/** The official definitions beside the project (tests and CI only; users never need them). */
export const SCHEMA_DIR = resolve(__dirname, '../../../shared/k8s-schemas');

/** Error-level findings of the project's engine for Kubernetes 1.28 and 1.36, as readable lines. */
export function validationErrors(objects: unknown[]): string[] {
  const report = validateManifests([{ objects }], { schemaDir: SCHEMA_DIR, kubernetesVersions: ['1.28.0', '1.36.0'] });
  return report.findings.filter((f: Finding) => f.severity === 'error')
    .map((f) => `${f.rule} ${f.object.kind}/${f.object.namespace ?? ''}/${f.object.name} ${f.path}: ${f.message}`);
}
