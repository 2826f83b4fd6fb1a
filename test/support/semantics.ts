import { quantityToNumber } from '../../src/common/checks';
import { CREATES_ANNOTATION, EXTERNAL_REFS_ANNOTATION } from '../../src/common/annotations';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass', 'CustomResourceDefinition', 'IngressClass', 'PersistentVolume']);
const DNS_LABEL_NAMED = new Set(['Namespace', 'Service']);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet']);

function podSpecOf(o: any): any { return o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec; }
function podLabelsOf(o: any): Record<string, string> { return o.spec?.template?.metadata?.labels ?? o.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {}; }
function matches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}
function containersOf(pod: any): any[] { return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]; }

/**
 * What an API server and its controllers would reject or never start, beyond the schema:
 * names, selectors, ports, mounts and references. Returns readable problems; empty when sound.
 */
export function semanticProblems(objects: any[]): string[] {
  const problems: string[] = [];
  const nsOf = (o: any) => (CLUSTER_SCOPED.has(o.kind) ? '' : o.metadata?.namespace ?? 'default');
  const key = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;
  const present = new Set<string>();
  for (const o of objects) {
    const k = key(o.kind, nsOf(o), o.metadata?.name);
    if (present.has(k)) problems.push(`${k}: duplicate object`);
    present.add(k);
    for (const created of (o.metadata?.annotations?.[CREATES_ANNOTATION] ?? '').split(',').filter(Boolean)) {
      const [kind, name] = created.split('/');
      present.add(key(kind, nsOf(o), name));
    }
  }
  const exists = (o: any, kind: string, name: string) => {
    const external = (o.metadata?.annotations?.[EXTERNAL_REFS_ANNOTATION] ?? '').split(',');
    return present.has(key(kind, nsOf(o), name)) || external.includes(`${kind}/${name}`) || (kind === 'ServiceAccount' && name === 'default');
  };
  const templates = objects.filter((o) => WORKLOADS.has(o.kind));
  const podsIn = (ns: string) => templates.filter((w) => nsOf(w) === ns);

  for (const o of objects) {
    const id = key(o.kind, nsOf(o), o.metadata?.name);
    const name: string = o.metadata?.name ?? '';
    if (!(DNS_LABEL_NAMED.has(o.kind) ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253)) problems.push(`${id}: invalid name`);
    for (const labels of [o.metadata?.labels ?? {}, podLabelsOf(o)]) {
      for (const [k, v] of Object.entries(labels)) {
        if (!LABEL_NAME.test(k) || !LABEL_VALUE.test(String(v)) || String(v).length > 63) problems.push(`${id}: invalid label ${k}=${v}`);
      }
    }
    if (WORKLOADS.has(o.kind) && o.kind !== 'Job' && o.kind !== 'CronJob' && !matches(o.spec.selector?.matchLabels, podLabelsOf(o))) {
      problems.push(`${id}: selector does not match the pod template`);
    }
    const pod = podSpecOf(o);
    if (pod) {
      const volumes = new Set([...(pod.volumes ?? []).map((v: any) => v.name), ...(o.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata.name)]);
      for (const c of containersOf(pod)) {
        const ports = new Set((c.ports ?? []).map((p: any) => p.name));
        for (const m of c.volumeMounts ?? []) if (!volumes.has(m.name)) problems.push(`${id}: container ${c.name} mounts unknown volume ${m.name}`);
        for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe].filter(Boolean)) {
          const port = probe.tcpSocket?.port ?? probe.httpGet?.port;
          if (typeof port === 'string' && !ports.has(port)) problems.push(`${id}: probe names unknown port ${port}`);
        }
        for (const [resource, limit] of Object.entries(c.resources?.limits ?? {})) {
          const request = c.resources?.requests?.[resource];
          if (request !== undefined && quantityToNumber(String(request)) > quantityToNumber(String(limit))) problems.push(`${id}: ${c.name} requests more ${resource} than its limit`);
        }
        for (const e of c.env ?? []) {
          if (e.valueFrom?.secretKeyRef && !exists(o, 'Secret', e.valueFrom.secretKeyRef.name)) problems.push(`${id}: env refers to missing Secret ${e.valueFrom.secretKeyRef.name}`);
          if (e.valueFrom?.configMapKeyRef && !exists(o, 'ConfigMap', e.valueFrom.configMapKeyRef.name)) problems.push(`${id}: env refers to missing ConfigMap ${e.valueFrom.configMapKeyRef.name}`);
        }
      }
      for (const v of pod.volumes ?? []) {
        if (v.secret && !exists(o, 'Secret', v.secret.secretName)) problems.push(`${id}: volume ${v.name} refers to missing Secret ${v.secret.secretName}`);
        if (v.configMap && !exists(o, 'ConfigMap', v.configMap.name)) problems.push(`${id}: volume ${v.name} refers to missing ConfigMap ${v.configMap.name}`);
        if (v.persistentVolumeClaim && !exists(o, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName)) problems.push(`${id}: volume ${v.name} refers to missing PVC ${v.persistentVolumeClaim.claimName}`);
      }
      if (pod.serviceAccountName && !exists(o, 'ServiceAccount', pod.serviceAccountName)) problems.push(`${id}: missing ServiceAccount ${pod.serviceAccountName}`);
    }
    if (o.kind === 'StatefulSet') {
      const governing = objects.find((s) => s.kind === 'Service' && nsOf(s) === nsOf(o) && s.metadata.name === o.spec.serviceName);
      if (governing?.spec?.clusterIP !== 'None') problems.push(`${id}: serviceName ${o.spec.serviceName} is not a headless Service in the output`);
    }
    if (o.kind === 'Service' && o.spec?.selector) {
      const selected = podsIn(nsOf(o)).filter((w) => matches(o.spec.selector, podLabelsOf(w)));
      if (selected.length === 0) problems.push(`${id}: selects no pod template`);
      for (const port of o.spec.ports ?? []) {
        if (typeof port.targetPort === 'string' && !selected.every((w) => containersOf(podSpecOf(w)).some((c) => (c.ports ?? []).some((p: any) => p.name === port.targetPort)))) {
          problems.push(`${id}: targetPort ${port.targetPort} is not a container port of the selected pods`);
        }
      }
    }
    if (o.kind === 'Ingress') {
      for (const rule of o.spec?.rules ?? []) {
        for (const path of rule.http?.paths ?? []) {
          const backend = path.backend?.service;
          const service = objects.find((s) => s.kind === 'Service' && nsOf(s) === nsOf(o) && s.metadata.name === backend?.name);
          if (!service) problems.push(`${id}: backend Service ${backend?.name} is not in the output`);
          else if (!(service.spec.ports ?? []).some((p: any) => (backend.port.name ? p.name === backend.port.name : p.port === backend.port.number))) problems.push(`${id}: Service ${backend.name} has no port ${backend.port.name ?? backend.port.number}`);
        }
      }
    }
    if (o.kind === 'HorizontalPodAutoscaler' && !exists(o, o.spec.scaleTargetRef.kind, o.spec.scaleTargetRef.name)) problems.push(`${id}: scale target is not in the output`);
    if ((o.kind === 'PodDisruptionBudget' || o.kind === 'NetworkPolicy') && Object.keys(o.spec?.selector?.matchLabels ?? o.spec?.podSelector?.matchLabels ?? {}).length > 0) {
      const selector = o.spec.selector?.matchLabels ?? o.spec.podSelector?.matchLabels;
      if (!podsIn(nsOf(o)).some((w) => matches(selector, podLabelsOf(w)))) problems.push(`${id}: selector matches no pod template`);
    }
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
      const roleNs = o.roleRef.kind === 'Role' ? nsOf(o) : '';
      if (!present.has(key(o.roleRef.kind, roleNs, o.roleRef.name)) && !o.roleRef.name.startsWith('system:')) problems.push(`${id}: roleRef ${o.roleRef.kind}/${o.roleRef.name} is not in the output`);
      for (const s of o.subjects ?? []) {
        if (s.kind === 'ServiceAccount' && !present.has(key('ServiceAccount', s.namespace, s.name))) problems.push(`${id}: subject ServiceAccount ${s.namespace}/${s.name} is not in the output`);
      }
    }
  }
  return problems;
}
