import { quantityToNumber } from '../../common/checks';
import { namespaceOf } from '../located-object';
import { UpgradeContext } from './context';
import { MIGRATIONS } from './migrations';
import { changedKeys, ObjectPair, sameValue, show } from './objects';

// The API server's own update validation (kubernetes/kubernetes pkg/apis/*/validation), quoted in findings.
const STS_RULE = 'apps/v1 ValidateStatefulSetUpdate: "updates to statefulset spec for fields other than \'replicas\', \'ordinals\', \'template\', '
  + '\'updateStrategy\', \'persistentVolumeClaimRetentionPolicy\' and \'minReadySeconds\' are forbidden"';
const PVC_RULE = 'core/v1 ValidatePersistentVolumeClaimUpdate: "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"';
const PVC_SHRINK_RULE = 'core/v1 ValidatePersistentVolumeClaimUpdate: resources.requests.storage may not be less than the volume\'s size (volumes only grow)';
const SELECTOR_RULE = (kind: string) => `${kind === 'Job' ? 'batch/v1 ValidateJobUpdate' : `apps/v1 Validate${kind}Update`}: spec.selector "field is immutable"`;
const JOB_TEMPLATE_RULE = 'batch/v1 ValidateJobUpdate: spec.template "field is immutable"';
const SERVICE_RULE = 'core/v1 ValidateServiceUpdate: spec.clusterIP/clusterIPs "may not change once set"; the primary ipFamily may not change';
const STORAGE_CLASS_RULE = (field: string) => field === 'volumeBindingMode'
  ? 'storage/v1 ValidateStorageClassUpdate: volumeBindingMode "field is immutable"'
  : `storage/v1 ValidateStorageClassUpdate: "updates to ${field} are forbidden."`;
const IMMUTABLE_DATA_RULE = (kind: string) => `core/v1 Validate${kind}Update: "field is immutable when \`immutable\` is set"`;
const ROLE_REF_RULE = 'rbac/v1 ValidateRoleBindingUpdate: roleRef "cannot change roleRef"';

const STS_MUTABLE = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'volumeClaimTemplates']);
// Server defaults, so that writing a default explicitly (or dropping it) is not a change.
const STS_DEFAULTS: Record<string, unknown> = { podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10 };
const SELECTOR_KINDS = new Set(['Deployment', 'DaemonSet', 'ReplicaSet', 'Job']);

/** Changes of fields that `kubectl apply` would have the API server reject. */
export function checkImmutableFields(ctx: UpgradeContext): void {
  for (const pair of ctx.diff.pairs) {
    const kind = pair.current.object.kind;
    if (kind === 'StatefulSet') checkStatefulSet(ctx, pair);
    if (kind === 'PersistentVolumeClaim') checkClaim(ctx, pair);
    if (SELECTOR_KINDS.has(kind)) checkSelector(ctx, pair);
    if (kind === 'Job') checkJobTemplate(ctx, pair);
    if (kind === 'Service') checkService(ctx, pair);
    if (kind === 'StorageClass') checkStorageClass(ctx, pair);
    if (kind === 'Secret' || kind === 'ConfigMap') checkImmutableData(ctx, pair);
    if (kind === 'RoleBinding' || kind === 'ClusterRoleBinding') checkRoleRef(ctx, pair);
  }
}

function withDefaults(spec: any, defaults: Record<string, unknown>): any {
  const out = { ...(spec ?? {}) };
  for (const [k, v] of Object.entries(defaults)) if (out[k] === undefined || out[k] === null) out[k] = v;
  return out;
}

function checkStatefulSet({ sink, out }: UpgradeContext, { previous, current }: ObjectPair): void {
  const sts = current.object;
  const before = withDefaults(previous.object.spec, STS_DEFAULTS);
  const after = withDefaults(sts.spec, STS_DEFAULTS);
  const selectorChanged = !sameValue(before.selector, after.selector);
  const replace = MIGRATIONS.replaceStatefulSet(sts, selectorChanged, out);
  for (const key of changedKeys(before, after, STS_MUTABLE)) {
    sink.add('upgrade.statefulset-immutable', sts, `spec.${key}`,
      `spec.${key} changes from ${show(before[key])} to ${show(after[key])}; ${STS_RULE}`, current.file, undefined, replace);
  }
  const oldTemplates = new Map<string, any>((before.volumeClaimTemplates ?? []).map((t: any) => [t.metadata?.name, t]));
  (after.volumeClaimTemplates ?? []).forEach((template: any, i: number) => {
    const name = template.metadata?.name;
    const path = `spec.volumeClaimTemplates[${i}]`;
    const old = oldTemplates.get(name);
    if (!old) {
      sink.add('upgrade.statefulset-immutable', sts, path, `claim template "${name}" is added; ${STS_RULE}`, current.file, undefined, replace);
      return;
    }
    for (const key of changedKeys(old.metadata, template.metadata, new Set(['name', 'namespace', 'creationTimestamp']))) {
      sink.add('upgrade.statefulset-immutable', sts, `${path}.metadata.${key}`,
        `claim template "${name}" metadata.${key} changes; ${STS_RULE}`, current.file, undefined, replace);
    }
    for (const key of changedKeys(old.spec, template.spec, new Set(['resources']))) {
      const where = `${path}.spec.${key}`;
      if (key === 'storageClassName') {
        sink.add('upgrade.storage-class-change', sts, where,
          `claim template "${name}" changes storage class from ${show(old.spec?.[key])} to ${show(template.spec?.[key])}; `
          + `the existing claims keep their volumes of the old class (${STS_RULE})`, current.file, undefined,
          MIGRATIONS.copyClaim(`${name}-${sts.metadata.name}-0`, namespaceOf(sts), `storage class ${show(old.spec?.[key])} -> ${show(template.spec?.[key])}`, out));
      } else {
        sink.add('upgrade.statefulset-immutable', sts, where,
          `claim template "${name}" spec.${key} changes from ${show(old.spec?.[key])} to ${show(template.spec?.[key])}; existing claims would keep the old value (${STS_RULE})`,
          current.file, undefined, replace);
      }
    }
    checkResources(old.spec?.resources, template.spec?.resources, `${path}.spec.resources`, (field, message, grows) => sink.add('upgrade.statefulset-immutable', sts, field,
      `claim template "${name}" ${message}; ${STS_RULE}`, current.file, undefined,
      grows ? MIGRATIONS.growClaimTemplate(sts, name, template.spec.resources.requests.storage, out)
        : MIGRATIONS.copyClaim(`${name}-${sts.metadata.name}-0`, namespaceOf(sts), 'volumes cannot shrink', out)));
  });
}

/** Compares claim resources: storage requests (growth or shrink) and anything else. */
function checkResources(before: any, after: any, path: string, report: (path: string, message: string, grows: boolean) => void): void {
  const oldSize = before?.requests?.storage;
  const newSize = after?.requests?.storage;
  if (!sameValue(oldSize, newSize)) {
    const grows = oldSize !== undefined && newSize !== undefined && bytes(newSize) > bytes(oldSize);
    report(`${path}.requests.storage`, `storage request ${grows ? 'grows' : 'changes'} from ${show(oldSize)} to ${show(newSize)}`, grows);
  }
  const rest = (r: any) => ({ ...(r ?? {}), requests: { ...(r?.requests ?? {}), storage: undefined } });
  for (const key of changedKeys(rest(before), rest(after))) {
    report(`${path}.${key}`, `resources.${key} changes from ${show(before?.[key])} to ${show(after?.[key])}`, false);
  }
}

/** A quantity in bytes; NaN for a malformed one (the schema check reports it), which never counts as growth. */
function bytes(quantity: unknown): number {
  try {
    return quantityToNumber(String(quantity));
  } catch {
    return NaN;
  }
}

function checkClaim({ sink, out }: UpgradeContext, { previous, current }: ObjectPair): void {
  const pvc = current.object;
  const name = pvc.metadata.name;
  const ns = namespaceOf(pvc);
  for (const key of changedKeys(previous.object.spec, pvc.spec, new Set(['resources', 'volumeAttributesClassName']))) {
    const from = show(previous.object.spec?.[key]);
    const to = show(pvc.spec?.[key]);
    if (key === 'storageClassName') {
      sink.add('upgrade.storage-class-change', pvc, `spec.${key}`, `storage class changes from ${from} to ${to} under existing data; ${PVC_RULE}`,
        current.file, undefined, MIGRATIONS.copyClaim(name, ns, `storage class ${from} -> ${to}`, out));
    } else {
      sink.add('upgrade.claim-immutable', pvc, `spec.${key}`, `spec.${key} changes from ${from} to ${to}; ${PVC_RULE}`,
        current.file, undefined, MIGRATIONS.copyClaim(name, ns, `spec.${key} ${from} -> ${to}`, out));
    }
  }
  checkResources(previous.object.spec?.resources, pvc.spec?.resources, 'spec.resources', (field, message, grows) => {
    if (grows && field === 'spec.resources.requests.storage') return; // expansion is the one allowed change
    sink.add('upgrade.claim-immutable', pvc, field, `${message}; ${field.endsWith('storage') ? PVC_SHRINK_RULE : PVC_RULE}`,
      current.file, undefined, MIGRATIONS.copyClaim(name, ns, message, out));
  });
}

function checkSelector({ sink, out }: UpgradeContext, { previous, current }: ObjectPair): void {
  const o = current.object;
  if (sameValue(previous.object.spec?.selector, o.spec?.selector)) return;
  sink.add('upgrade.immutable-field', o, 'spec.selector',
    `spec.selector changes from ${show(previous.object.spec?.selector)} to ${show(o.spec?.selector)}; ${SELECTOR_RULE(o.kind)}`, current.file, undefined,
    MIGRATIONS.recreate(o, out, `a selector cannot change: delete the ${o.kind} (its pods go with it) and create it again`));
}

function checkJobTemplate({ sink, out }: UpgradeContext, { previous, current }: ObjectPair): void {
  const o = current.object;
  if (sameValue(previous.object.spec?.template, o.spec?.template)) return;
  const fields = changedKeys(previous.object.spec?.template?.spec, o.spec?.template?.spec).map((k) => `spec.${k}`);
  sink.add('upgrade.immutable-field', o, 'spec.template', `the pod template changes (${fields.join(', ') || 'metadata'}); ${JOB_TEMPLATE_RULE}`, current.file, undefined,
    MIGRATIONS.recreate(o, out, 'a Job runs one template: delete it and create it again (or name Jobs after a hash of their template, as this library does)'));
}

function checkService({ sink, out }: UpgradeContext, { previous, current }: ObjectPair): void {
  const o = current.object;
  const before = previous.object.spec ?? {};
  const after = o.spec ?? {};
  const checks: [string, unknown, unknown][] = [
    ['spec.clusterIP', before.clusterIP, after.clusterIP],
    ['spec.clusterIPs[0]', before.clusterIPs?.[0], after.clusterIPs?.[0]],
    ['spec.ipFamilies[0]', before.ipFamilies?.[0], after.ipFamilies?.[0]],
  ];
  // An unset value keeps the allocated one (the server copies it over), so only two set values can conflict.
  for (const [path, from, to] of checks) {
    if (from === undefined || to === undefined || from === to) continue;
    sink.add('upgrade.immutable-field', o, path, `${path} changes from ${show(from)} to ${show(to)}; ${SERVICE_RULE}`, current.file, undefined,
      MIGRATIONS.recreate(o, out, 'the cluster IP is fixed for the life of the Service: delete it and create it again (clients resolve it by DNS name)'));
  }
}

function checkStorageClass({ sink, out }: UpgradeContext, { previous, current }: ObjectPair): void {
  const o = current.object;
  const defaults = { parameters: {}, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' };
  const before = withDefaults(previous.object, defaults);
  const after = withDefaults(o, defaults);
  for (const field of ['provisioner', 'parameters', 'reclaimPolicy', 'volumeBindingMode']) {
    if (sameValue(before[field], after[field])) continue;
    sink.add('upgrade.immutable-field', o, field, `${field} changes from ${show(before[field])} to ${show(after[field])}; ${STORAGE_CLASS_RULE(field)}`, current.file, undefined,
      MIGRATIONS.recreate(o, out, 'existing volumes keep what they were provisioned with; the class only shapes new ones: delete it and create it again'));
  }
}

function checkImmutableData({ sink, out }: UpgradeContext, { previous, current }: ObjectPair): void {
  const o = current.object;
  if (previous.object.immutable !== true) return;
  for (const field of ['immutable', 'data', 'binaryData', 'stringData']) {
    if (sameValue(previous.object[field], o[field])) continue;
    sink.add('upgrade.immutable-field', o, field, `${field} of an immutable ${o.kind} changes; ${IMMUTABLE_DATA_RULE(o.kind)}`, current.file, undefined,
      MIGRATIONS.recreate(o, out, `an immutable ${o.kind} never changes: give the new content a new name (pods roll to it), or delete and recreate it`));
  }
}

function checkRoleRef({ sink, out }: UpgradeContext, { previous, current }: ObjectPair): void {
  const o = current.object;
  if (sameValue(previous.object.roleRef, o.roleRef)) return;
  sink.add('upgrade.immutable-field', o, 'roleRef', `roleRef changes from ${show(previous.object.roleRef)} to ${show(o.roleRef)}; ${ROLE_REF_RULE}`, current.file, undefined,
    MIGRATIONS.recreate(o, out, 'a binding is tied to its role: delete it and create it again'));
}
