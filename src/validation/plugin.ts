import { readFileSync } from 'fs';
import { parseManifest } from './load';
import { Severity } from './types';
import { validateManifests } from './validate';
import { defaultValidatorCacheDir } from './schema';

/** Properties of the plugin, from `validations[].properties` in cdk8s.yaml. */
export interface ValidationPluginProperties {
  /** Kubernetes versions, any of 1.28.0 to 1.36.0 (shipped with this package) or of `schemaDir`. @default ['1.28.0', '1.36.0'] */
  readonly kubernetesVersions?: string[];
  /** Directory of definitions. @default - the definitions shipped with this package (every minor from 1.28.0 to 1.36.0) */
  readonly schemaDir?: string;
  /** Rule levels. @default - each rule's default */
  readonly rules?: Record<string, Severity | 'off'>;
  /** Objects managed elsewhere, `Kind/namespace/name`. @default - none */
  readonly external?: string[];
  /** Unknown kinds are errors. @default false */
  readonly strict?: boolean;
  /** Validate this package's custom resources against the CRDs it ships in crds/. @default true */
  readonly bundledCrds?: boolean;
  /** Keep compiled validators between synths. @default true (in ~/.cache/cdk8s-wordpress-eks/validators) */
  readonly validatorCache?: boolean;
}

/** The parts of cdk8s-cli's ValidationContext the plugin uses (cdk8s-cli stays a dev dependency). */
interface ValidationContextLike {
  readonly manifests: readonly string[];
  readonly report: {
    addViolation(violation: { ruleName: string; recommendation: string; fix: string; violatingResources: { resourceName: string; locations: string[]; manifestPath: string }[] }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
  readonly logger: { log(message: string): void };
}

/**
 * The validation engine as a cdk8s validation plugin: `cdk8s synth` runs it on what it wrote and
 * fails on any error-level finding. List it under `validations:` in cdk8s.yaml (a local path
 * package is loaded without any install).
 */
export class WordPressEksValidation {
  constructor(private readonly properties: ValidationPluginProperties = {}) {}

  public async validate(context: ValidationContextLike): Promise<void> {
    const sources = context.manifests.map((file) => ({ file, objects: parseManifest(readFileSync(file, 'utf8'), file) }));
    const { validatorCache, ...options } = this.properties;
    const report = validateManifests(sources, { ...options, validatorCacheDir: validatorCache === false ? undefined : defaultValidatorCacheDir() });
    const byRule = new Map<string, typeof report.findings>();
    for (const finding of report.findings) {
      if (finding.severity === 'warning') {
        context.logger.log(`warning [${finding.rule}] ${finding.object.kind}/${finding.object.name} ${finding.path}: ${finding.message}`);
        continue;
      }
      byRule.set(finding.rule, [...(byRule.get(finding.rule) ?? []), finding]);
    }
    for (const [rule, findings] of byRule) {
      context.report.addViolation({
        ruleName: rule,
        recommendation: [...new Set(findings.map((f) => f.message))].join('; '),
        fix: findings[0].fix,
        violatingResources: findings.map((f) => ({
          resourceName: `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`,
          locations: [f.path || '(object)'],
          manifestPath: f.file ?? '',
        })),
      });
    }
    context.report.submit(report.errorCount > 0 ? 'failure' : 'success', {
      objects: String(report.objectCount), errors: String(report.errorCount), warnings: String(report.warningCount),
    });
  }
}
