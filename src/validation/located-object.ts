/** An object of the input with the file it came from. */
export interface LocatedObject {
  readonly object: any;
  readonly file?: string;
}

const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass',
  'CustomResourceDefinition', 'IngressClass', 'CSIDriver', 'RuntimeClass', 'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration', 'APIService', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'VolumeAttachment',
]);

/** The namespace an object lands in: '' for cluster-scoped kinds, `default` when unset. */
export function namespaceOf(object: any): string {
  return CLUSTER_SCOPED.has(object?.kind) ? '' : object?.metadata?.namespace ?? 'default';
}

/** Workload kinds with a pod template. */
export const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'ReplicationController', 'Pod']);

/** The pod spec of a workload (or Pod) and its JSON path. */
export function podSpecOf(object: any): { spec: any; path: string; labels: Record<string, string> } | undefined {
  if (object?.kind === 'Pod') return object.spec ? { spec: object.spec, path: 'spec', labels: object.metadata?.labels ?? {} } : undefined;
  if (object?.kind === 'CronJob') {
    const template = object.spec?.jobTemplate?.spec?.template;
    return template?.spec ? { spec: template.spec, path: 'spec.jobTemplate.spec.template.spec', labels: template.metadata?.labels ?? {} } : undefined;
  }
  const template = object?.spec?.template;
  return WORKLOAD_KINDS.has(object?.kind) && template?.spec ? { spec: template.spec, path: 'spec.template.spec', labels: template.metadata?.labels ?? {} } : undefined;
}

/** Containers of a pod spec with their paths (init and ephemeral containers included). */
export function containersOf(pod: { spec: any; path: string }): { container: any; path: string }[] {
  return ['initContainers', 'containers', 'ephemeralContainers'].flatMap((field) =>
    (pod.spec?.[field] ?? []).map((container: any, i: number) => ({ container, path: `${pod.path}.${field}[${i}]` })));
}

/** Whether labels satisfy a label selector (matchLabels and matchExpressions). */
export function selectorMatches(selector: any, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const matchLabels = selector.matchLabels ?? (selector.matchExpressions ? {} : selector);
  const okLabels = Object.entries(matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const okExpressions = (selector.matchExpressions ?? []).every((e: any) => {
    switch (e.operator) {
      case 'In': return e.values?.includes(labels[e.key]);
      case 'NotIn': return !e.values?.includes(labels[e.key]);
      case 'Exists': return e.key in labels;
      case 'DoesNotExist': return !(e.key in labels);
      default: return false;
    }
  });
  return okLabels && okExpressions;
}
