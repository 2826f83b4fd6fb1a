import { readFileSync } from 'fs';
import { dirname, relative } from 'path';
import { DocumentCache } from './document-cache';
import { parseManifest } from './load';
import { Severity } from './types';
import { validateManifests } from './validate';
import { defaultParsedDocumentCacheDir, defaultValidatorCacheDir } from './schema';
import { previousFromDirectory, previousFromGit, PreviousOutput } from './upgrade';

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
  /** Keep compiled validators and parsed documents between synths. @default true (in ~/.cache/cdk8s-wordpress-eks/) */
  readonly validatorCache?: boolean;
  /**
   * The output currently applied, which the upgrade gate compares the new synth with; `false`
   * turns the gate off. @default - the synth's own output directory (`output:` of cdk8s.yaml), as committed at `previousRevision`
   */
  readonly previous?: string | false;
  /**
   * Git revision to read `previous` at; `false` reads it from disk instead (it must then be
   * another directory than the output: `cdk8s synth` empties that before the app runs).
   * @default 'HEAD' (the committed output)
   */
  readonly previousRevision?: string | false;
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
    const { validatorCache, previous: previousDir, previousRevision, ...options } = this.properties;
    // In memory at least: the previous output's documents are mostly the new output's.
    const documents = new DocumentCache(validatorCache === false ? undefined : defaultParsedDocumentCacheDir());
    const sources = context.manifests.map((file) => ({ file, objects: parseManifest(readFileSync(file, 'utf8'), file, documents) }));
    const outputDir = context.manifests.length ? relative(process.cwd(), dirname(context.manifests[0])) || '.' : 'dist';
    const previous = this.previousOutput(previousDir, previousRevision, outputDir, documents);
    if (previous?.note) context.logger.log(`note: ${previous.note}`);
    const report = validateManifests(sources, {
      ...options, validatorCacheDir: validatorCache === false ? undefined : defaultValidatorCacheDir(),
      previous: previous?.sources, applyPath: `${outputDir}/`,
    });
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
        fix: [findings[0].fix, ...findings.flatMap((f) => (f.migration ? [f.migration] : []))].join('\n'),
        violatingResources: findings.map((f) => ({
          resourceName: `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`,
          locations: [f.path || '(object)'],
          manifestPath: f.file ?? '',
        })),
      });
    }
    context.report.submit(report.errorCount > 0 ? 'failure' : 'success', {
      upgradeGate: previous?.sources ? 'checked' : 'skipped',
      objects: String(report.objectCount), errors: String(report.errorCount), warnings: String(report.warningCount),
    });
  }

  /** The previous output, read before anything compares it (cdk8s synth already emptied the output directory). */
  private previousOutput(dir: string | false | undefined, revision: string | false | undefined, outputDir: string, documents: DocumentCache): PreviousOutput | undefined {
    if (dir === false) return undefined;
    if (revision === false) return previousFromDirectory(dir ?? outputDir, documents);
    return previousFromGit(dir ?? outputDir, revision ?? 'HEAD', process.cwd(), documents);
  }
}
