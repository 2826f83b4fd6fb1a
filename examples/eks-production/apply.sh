#!/bin/sh
# Written by the synth. Applies the output folder, then deletes the objects the code no longer emits,
# but never a Namespace, PersistentVolumeClaim, PersistentVolume or Secret: those kinds are not in
# the allowlist and never carry the prune label. Extra arguments go to kubectl (e.g. --dry-run=server).
set -eu
cd "$(dirname "$0")"
kubectl apply -f dist/ "$@"
kubectl apply --prune -l 'cdk8s-wordpress-eks/prune-set in (observability,shop)' \
  --prune-allowlist=core/v1/ConfigMap \
  --prune-allowlist=core/v1/LimitRange \
  --prune-allowlist=core/v1/ResourceQuota \
  --prune-allowlist=core/v1/Service \
  --prune-allowlist=core/v1/ServiceAccount \
  --prune-allowlist=apps/v1/DaemonSet \
  --prune-allowlist=apps/v1/Deployment \
  --prune-allowlist=apps/v1/StatefulSet \
  --prune-allowlist=autoscaling/v2/HorizontalPodAutoscaler \
  --prune-allowlist=batch/v1/CronJob \
  --prune-allowlist=batch/v1/Job \
  --prune-allowlist=networking.k8s.io/v1/Ingress \
  --prune-allowlist=networking.k8s.io/v1/NetworkPolicy \
  --prune-allowlist=policy/v1/PodDisruptionBudget \
  --prune-allowlist=rbac.authorization.k8s.io/v1/ClusterRole \
  --prune-allowlist=rbac.authorization.k8s.io/v1/ClusterRoleBinding \
  --prune-allowlist=rbac.authorization.k8s.io/v1/Role \
  --prune-allowlist=rbac.authorization.k8s.io/v1/RoleBinding \
  --prune-allowlist=storage.k8s.io/v1/StorageClass \
  --prune-allowlist=monitoring.coreos.com/v1/PodMonitor \
  --prune-allowlist=monitoring.coreos.com/v1/PrometheusRule \
  -f dist/ "$@"
