import { RULES_BY_ID } from './rules';
import { Finding, ObjectRef, Severity } from './types';

/** Collects findings, applying the caller's re-levelling and switching rules off. */
export class FindingSink {
  public readonly findings: Finding[] = [];

  constructor(private readonly levels: Record<string, Severity | 'off'> = {}) {
    for (const id of Object.keys(levels)) {
      if (!RULES_BY_ID.has(id)) throw new Error(`Unknown rule "${id}". Known rules: ${[...RULES_BY_ID.keys()].join(', ')}`);
    }
  }

  /** Records a finding of `ruleId` unless the rule is off. */
  public add(ruleId: string, object: any, path: string, message: string, file?: string, kubernetesVersion?: string, migration?: string): void {
    const rule = RULES_BY_ID.get(ruleId);
    if (!rule) throw new Error(`internal: unknown rule ${ruleId}`);
    const severity = this.levels[ruleId] ?? rule.severity;
    if (severity === 'off') return;
    this.findings.push({
      rule: ruleId, severity, message, fix: rule.fix, path, object: refOf(object),
      ...(file !== undefined ? { file } : {}),
      ...(kubernetesVersion !== undefined ? { kubernetesVersion } : {}),
      ...(migration !== undefined ? { migration } : {}),
    });
  }
}

/** The identifying fields of an object. */
export function refOf(object: any): ObjectRef {
  return {
    apiVersion: object?.apiVersion,
    kind: object?.kind,
    ...(object?.metadata?.namespace !== undefined ? { namespace: object.metadata.namespace } : {}),
    name: object?.metadata?.name,
  };
}

/** A JSON path from ajv's instancePath (`/spec/containers/0/image` -> `spec.containers[0].image`). */
export function pathFromPointer(pointer: string): string {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}
