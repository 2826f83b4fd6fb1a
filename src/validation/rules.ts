import { Severity } from './types';

/** A rule of the engine. */
export interface Rule {
  readonly id: string;
  readonly severity: Severity;
  readonly description: string;
  readonly fix: string;
}

const rule = (id: string, severity: Severity, description: string, fix: string): Rule => ({ id, severity, description, fix });

/** Every rule, with its default severity and fix hint. docs/validation.md lists the same (a test checks). */
export const RULES: readonly Rule[] = [
  rule('schema.invalid', 'error', 'The object does not match the Kubernetes schema (type, enum, required field).', 'Correct the field to the type and values the API accepts.'),
  rule('schema.unknown-field', 'error', 'A field the Kubernetes schema does not define (the API server would drop or reject it).', 'Remove the field or fix its spelling and nesting.'),
  rule('schema.unserved-api', 'error', 'The apiVersion/kind is not served by this Kubernetes version.', 'Move to a served apiVersion (e.g. policy/v1 for PodDisruptionBudget).'),
  rule('schema.unknown-kind', 'error', 'A kind with no built-in schema and no CRD (reported only in strict mode; skipped otherwise).', 'Supply the CRD (--crd) or drop strict mode.'),
  rule('semantic.name', 'error', 'The name is not a valid DNS-1123 subdomain (or label, for Namespaces and Services).', 'Use lower-case letters, digits, "-" (and "." where allowed), at most 63/253 characters.'),
  rule('semantic.label', 'error', 'A label key or value has invalid syntax.', 'Keys: [prefix/]name of at most 63 characters; values: at most 63 alphanumerics, "-", "_", ".".'),
  rule('semantic.duplicate', 'error', 'Two objects share kind, namespace and name.', 'Rename or remove one of them.'),
  rule('semantic.selector-mismatch', 'error', 'A workload\'s selector does not match its pod template labels.', 'Make spec.selector.matchLabels a subset of the template labels.'),
  rule('semantic.headless-service', 'error', 'A StatefulSet\'s serviceName is not a headless Service in the output.', 'Add a Service with clusterIP: None and that name.'),
  rule('semantic.service-selects-nothing', 'error', 'A Service selects no pod template in its namespace.', 'Fix the Service selector to match pod template labels.'),
  rule('semantic.service-port', 'error', 'A Service targetPort names no container port of the selected pods.', 'Name the container port, or target it by number.'),
  rule('semantic.probe-port', 'error', 'A probe names a port the container does not declare.', 'Use a declared container port name or a number.'),
  rule('semantic.volume-mount', 'error', 'A volumeMount names no volume or claim template.', 'Add the volume or fix the mount name.'),
  rule('semantic.missing-reference', 'error', 'A Secret, ConfigMap, PVC or ServiceAccount reference names nothing in the output and is not declared external.', 'Add the object, or declare it with --external or the cdk8s-wordpress-eks/external-refs annotation.'),
  rule('semantic.ingress-backend', 'error', 'An Ingress backend names a Service or port that does not exist.', 'Point the backend at an existing Service and one of its ports.'),
  rule('semantic.scale-target', 'error', 'An HPA scale target is not in the output.', 'Point scaleTargetRef at an existing workload.'),
  rule('semantic.selector-matches-nothing', 'error', 'A PodDisruptionBudget or NetworkPolicy selector matches no pod template.', 'Fix the selector labels.'),
  rule('semantic.rbac-reference', 'error', 'A RoleBinding/ClusterRoleBinding names a missing role or ServiceAccount.', 'Add the Role/ClusterRole or ServiceAccount, or fix the names.'),
  rule('semantic.requests-exceed-limits', 'error', 'A container requests more than its limit.', 'Lower the request or raise the limit.'),
  rule('policy.pod-security', 'error', 'A pod template violates the Pod Security level of its namespace (enforce label; baseline when unlabelled).', 'Change the pod, or label the namespace with the level it needs.'),
  rule('policy.credential-value', 'error', 'A credential value is written in the manifest: Secret data, a ConfigMap key or a setting in a ConfigMap file, an env literal, a --flag=value argument.', 'Reference a Secret created outside git (generator, sealed-secrets, external secrets).'),
  rule('policy.image-pinned', 'error', 'An image has no tag, or `latest`, and no digest.', 'Pin a version tag or a sha256 digest.'),
  rule('policy.host-path', 'error', 'A hostPath volume in a namespace not labelled privileged.', 'Avoid hostPath, or run the agent in a namespace enforcing privileged.'),
  rule('policy.resources', 'warning', 'A container has no requests or no memory limit.', 'Set cpu/memory requests and a memory limit.'),
  rule('policy.probes', 'warning', 'A long-running container has no readiness or liveness probe.', 'Add readiness and liveness probes.'),
  rule('policy.automount-token', 'warning', 'A pod that is not bound to any role mounts a ServiceAccount token.', 'Set automountServiceAccountToken: false.'),
  rule('policy.rbac-wildcard', 'warning', 'An RBAC rule uses "*" for verbs, resources or API groups.', 'List the verbs and resources explicitly.'),
  // The upgrade gate (`--previous`): each finding also carries the migration commands for its case.
  rule('upgrade.statefulset-immutable', 'error', 'A StatefulSet spec field other than replicas, ordinals, template, updateStrategy, persistentVolumeClaimRetentionPolicy and minReadySeconds changed: the API server rejects the update (ValidateStatefulSetUpdate).', 'Revert the change, or follow the printed migration (orphan-delete the StatefulSet, then apply).'),
  rule('upgrade.claim-immutable', 'error', 'A PersistentVolumeClaim spec changed other than by growing resources.requests.storage: the API server rejects the update (ValidatePersistentVolumeClaimUpdate).', 'Revert the change, or copy the data into a new claim as printed.'),
  rule('upgrade.immutable-field', 'error', 'A field the API server keeps immutable changed: a Deployment, DaemonSet, ReplicaSet or Job selector, a Job template, a Service clusterIP, a StorageClass provisioner/parameters/reclaimPolicy/volumeBindingMode, the data of an immutable Secret or ConfigMap, a RoleBinding roleRef.', 'Revert the change, or delete and recreate the object as printed.'),
  rule('upgrade.data-removed', 'error', 'A Namespace, a StatefulSet with claim templates, a claim template, a PersistentVolumeClaim or a PersistentVolume is removed or renamed: apply accepts it, and the existing data is orphaned (or deleted with --prune).', 'Keep the name, or move the data to the new object as printed.'),
  rule('upgrade.credentials-renamed', 'error', 'A workload reads its credentials from a Secret of another name than before: the existing database was initialised with the old Secret\'s passwords.', 'Keep the Secret name, or copy the old Secret to the new name before applying.'),
  rule('upgrade.mysql-major-version', 'error', 'The MySQL image changes major version (e.g. 8.4 to 9.x) or goes back to an older series: the data directory needs a dump and restore.', 'Keep the series, or dump, apply on an empty volume and restore as printed.'),
  rule('upgrade.storage-class-change', 'error', 'The storage class of a claim or claim template with existing data changes: the API server rejects it, and existing volumes never move by themselves.', 'Keep the class, or copy the data into claims of the new class as printed.'),
  rule('upgrade.volume-layout', 'error', 'A persistent volume is mounted at another mountPath or subPath than before: the data already in the volume is laid out for the old mount.', 'Move the data inside the volume to the new layout as printed, or keep the mount.'),
];

/** Rules by id. */
export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));
