import { FindingSink } from '../findings';
import { LocatedObject } from '../located-object';
import { ManifestSource, Severity, ValidationReport } from '../types';
import { checkDataLoss } from './data-loss';
import { checkImmutableFields } from './immutable-fields';
import { checkMysqlVersion } from './mysql-version';
import { diffOutputs } from './objects';
import { checkVolumeLayout } from './volume-layout';

/** Options of {@link checkUpgrade}. */
export interface UpgradeOptions {
  /** Severity per rule id, or `off`. @default - each rule's default */
  readonly rules?: Record<string, Severity | 'off'>;
  /** What the printed migrations apply, as in `kubectl apply -f OUT`. @default 'dist/' */
  readonly applyPath?: string;
}

function located(sources: ManifestSource[]): LocatedObject[] {
  return sources.flatMap((source) => source.objects
    .filter((object: any) => object && typeof object === 'object' && typeof object.kind === 'string')
    .map((object) => ({ object, ...(source.file ? { file: source.file } : {}) })));
}

/**
 * The upgrade gate: compares the output currently applied (`previous`) with the new one and
 * reports every change `kubectl apply` would have the API server reject, and every change it
 * accepts that orphans or loses data, each with the commands of its migration.
 */
export function checkUpgrade(previous: ManifestSource[], current: ManifestSource[], options: UpgradeOptions = {}): ValidationReport {
  const sink = new FindingSink(options.rules);
  const ctx = { diff: diffOutputs(located(previous), located(current)), sink, out: options.applyPath ?? 'dist/' };
  checkImmutableFields(ctx);
  checkDataLoss(ctx);
  checkMysqlVersion(ctx);
  checkVolumeLayout(ctx);
  const findings = sink.findings;
  return {
    findings,
    errorCount: findings.filter((f) => f.severity === 'error').length,
    warningCount: findings.filter((f) => f.severity === 'warning').length,
    skipped: [],
    objectCount: ctx.diff.current.length,
  };
}
