import { CREATES_ANNOTATION, EXTERNAL_REFS_ANNOTATION } from '../common/annotations';
import { quantityToNumber } from '../common/checks';
import { FindingSink } from './findings';
import { containersOf, LocatedObject, namespaceOf, podSpecOf, selectorMatches, WORKLOAD_KINDS } from './located-object';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_LABEL_NAMED = new Set(['Namespace', 'Service']);

/** What the API server and its controllers would reject or never start, beyond the schema. */
export function checkSemantics(objects: LocatedObject[], external: string[], sink: FindingSink): void {
  const key = (kind: string, ns: string, name: string) => `${kind}/${ns}/${name}`;
  const present = new Map<string, LocatedObject>();
  const declared = new Set(external.map((ref) => { const [kind, ns, name] = ref.split('/'); return key(kind, ns, name); }));
  for (const located of objects) {
    const o = located.object;
    const k = key(o.kind, namespaceOf(o), o.metadata?.name);
    if (present.has(k)) sink.add('semantic.duplicate', o, 'metadata.name', `${k} is defined twice`, located.file);
    present.set(k, located);
    for (const created of (o.metadata?.annotations?.[CREATES_ANNOTATION] ?? '').split(',').filter(Boolean)) {
      const [kind, name] = created.split('/');
      declared.add(key(kind, namespaceOf(o), name));
    }
  }
  const exists = (o: any, kind: string, name: string, ns = namespaceOf(o)) => {
    const externalRefs = (o.metadata?.annotations?.[EXTERNAL_REFS_ANNOTATION] ?? '').split(',');
    return present.has(key(kind, ns, name)) || declared.has(key(kind, ns, name)) || externalRefs.includes(`${kind}/${name}`)
      || (kind === 'ServiceAccount' && name === 'default');
  };
  const workloads = objects.filter(({ object }) => WORKLOAD_KINDS.has(object.kind) && podSpecOf(object));
  const podsIn = (ns: string) => workloads.filter(({ object }) => namespaceOf(object) === ns);
  const missing = (o: any, path: string, kind: string, name: string, file?: string) => sink.add('semantic.missing-reference', o, path,
    `${kind} ${namespaceOf(o)}/${name} is neither in the output nor declared external`, file);

  for (const { object: o, file } of objects) {
    const name: string = o.metadata?.name ?? '';
    const validName = DNS_LABEL_NAMED.has(o.kind) ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
    if (!validName && !o.kind?.endsWith('List')) sink.add('semantic.name', o, 'metadata.name', `"${name}" is not a valid ${DNS_LABEL_NAMED.has(o.kind) ? 'DNS-1123 label' : 'DNS-1123 subdomain'}`, file);
    const pod = podSpecOf(o);
    for (const [where, labels] of [['metadata.labels', o.metadata?.labels], [pod ? `${pod.path.replace(/\.spec$/, '')}.metadata.labels` : '', pod?.labels]] as [string, Record<string, string> | undefined][]) {
      for (const [k, v] of Object.entries(labels ?? {})) {
        if (!LABEL_KEY.test(k)) sink.add('semantic.label', o, `${where}.${k}`, `label key "${k}" is invalid`, file);
        if (!LABEL_VALUE.test(String(v)) || String(v).length > 63) sink.add('semantic.label', o, `${where}.${k}`, `label value "${v}" is invalid`, file);
      }
    }
    if (pod && o.kind !== 'Pod' && o.kind !== 'CronJob' && o.spec?.selector && !selectorMatches(o.spec.selector, pod.labels)) {
      sink.add('semantic.selector-mismatch', o, 'spec.selector', 'the selector does not match the pod template labels', file);
    }
    if (pod) {
      const volumes = new Set([...(pod.spec.volumes ?? []).map((v: any) => v.name), ...(o.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name)]);
      for (const { container: c, path } of containersOf(pod)) {
        const ports = new Set((c.ports ?? []).map((p: any) => p.name));
        (c.volumeMounts ?? []).forEach((m: any, i: number) => {
          if (!volumes.has(m.name)) sink.add('semantic.volume-mount', o, `${path}.volumeMounts[${i}].name`, `mount "${m.name}" names no volume or claim template`, file);
        });
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
          const handler = c[probe]?.tcpSocket ? 'tcpSocket' : c[probe]?.httpGet ? 'httpGet' : c[probe]?.grpc ? undefined : undefined;
          const port = handler ? c[probe][handler].port : undefined;
          if (typeof port === 'string' && !ports.has(port)) sink.add('semantic.probe-port', o, `${path}.${probe}.${handler}.port`, `probe port "${port}" is not a declared container port`, file);
        }
        for (const [resource, limit] of Object.entries(c.resources?.limits ?? {})) {
          const request = c.resources?.requests?.[resource];
          if (request !== undefined && safeQuantity(request) > safeQuantity(limit)) {
            sink.add('semantic.requests-exceed-limits', o, `${path}.resources.requests.${resource}`, `requests ${request} exceed the limit ${limit}`, file);
          }
        }
        (c.env ?? []).forEach((e: any, i: number) => {
          const secret = e.valueFrom?.secretKeyRef?.name;
          const configMap = e.valueFrom?.configMapKeyRef?.name;
          if (secret && !e.valueFrom.secretKeyRef.optional && !exists(o, 'Secret', secret)) missing(o, `${path}.env[${i}].valueFrom.secretKeyRef.name`, 'Secret', secret, file);
          if (configMap && !e.valueFrom.configMapKeyRef.optional && !exists(o, 'ConfigMap', configMap)) missing(o, `${path}.env[${i}].valueFrom.configMapKeyRef.name`, 'ConfigMap', configMap, file);
        });
        (c.envFrom ?? []).forEach((e: any, i: number) => {
          if (e.secretRef && !e.secretRef.optional && !exists(o, 'Secret', e.secretRef.name)) missing(o, `${path}.envFrom[${i}].secretRef.name`, 'Secret', e.secretRef.name, file);
          if (e.configMapRef && !e.configMapRef.optional && !exists(o, 'ConfigMap', e.configMapRef.name)) missing(o, `${path}.envFrom[${i}].configMapRef.name`, 'ConfigMap', e.configMapRef.name, file);
        });
      }
      (pod.spec.volumes ?? []).forEach((v: any, i: number) => {
        const at = `${pod.path}.volumes[${i}]`;
        if (v.secret && !v.secret.optional && !exists(o, 'Secret', v.secret.secretName)) missing(o, `${at}.secret.secretName`, 'Secret', v.secret.secretName, file);
        if (v.configMap && !v.configMap.optional && !exists(o, 'ConfigMap', v.configMap.name)) missing(o, `${at}.configMap.name`, 'ConfigMap', v.configMap.name, file);
        if (v.persistentVolumeClaim && !exists(o, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName)) missing(o, `${at}.persistentVolumeClaim.claimName`, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName, file);
      });
      if (pod.spec.serviceAccountName && !exists(o, 'ServiceAccount', pod.spec.serviceAccountName)) missing(o, `${pod.path}.serviceAccountName`, 'ServiceAccount', pod.spec.serviceAccountName, file);
    }
    if (o.kind === 'StatefulSet' && o.spec?.serviceName) {
      const governing = present.get(key('Service', namespaceOf(o), o.spec.serviceName))?.object;
      if (governing?.spec?.clusterIP !== 'None') sink.add('semantic.headless-service', o, 'spec.serviceName', `"${o.spec.serviceName}" is not a headless Service in the output`, file);
    }
    if (o.kind === 'Service' && o.spec?.selector && Object.keys(o.spec.selector).length > 0) {
      const selected = podsIn(namespaceOf(o)).filter(({ object }) => selectorMatches(o.spec.selector, podSpecOf(object)!.labels));
      if (selected.length === 0) sink.add('semantic.service-selects-nothing', o, 'spec.selector', 'the selector matches no pod template in the namespace', file);
      (o.spec.ports ?? []).forEach((port: any, i: number) => {
        if (typeof port.targetPort !== 'string' || selected.length === 0) return;
        const declares = ({ object }: LocatedObject) => containersOf(podSpecOf(object)!).some(({ container }) => (container.ports ?? []).some((p: any) => p.name === port.targetPort));
        if (!selected.every(declares)) sink.add('semantic.service-port', o, `spec.ports[${i}].targetPort`, `targetPort "${port.targetPort}" is not a container port of every selected pod`, file);
      });
    }
    if (o.kind === 'Ingress') {
      const backends: [string, any][] = [];
      if (o.spec?.defaultBackend?.service) backends.push(['spec.defaultBackend.service', o.spec.defaultBackend.service]);
      (o.spec?.rules ?? []).forEach((rule: any, r: number) => (rule.http?.paths ?? []).forEach((p: any, i: number) => {
        if (p.backend?.service) backends.push([`spec.rules[${r}].http.paths[${i}].backend.service`, p.backend.service]);
      }));
      for (const [path, backend] of backends) {
        const service = present.get(key('Service', namespaceOf(o), backend.name))?.object;
        if (!service) sink.add('semantic.ingress-backend', o, `${path}.name`, `Service "${backend.name}" is not in the output`, file);
        else if (!(service.spec?.ports ?? []).some((p: any) => (backend.port?.name ? p.name === backend.port.name : p.port === backend.port?.number))) {
          sink.add('semantic.ingress-backend', o, `${path}.port`, `Service "${backend.name}" has no port ${backend.port?.name ?? backend.port?.number}`, file);
        }
      }
    }
    if (o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef && !exists(o, o.spec.scaleTargetRef.kind, o.spec.scaleTargetRef.name)) {
      sink.add('semantic.scale-target', o, 'spec.scaleTargetRef', `${o.spec.scaleTargetRef.kind} "${o.spec.scaleTargetRef.name}" is not in the output`, file);
    }
    const policySelector = o.kind === 'PodDisruptionBudget' ? ['spec.selector', o.spec?.selector] : o.kind === 'NetworkPolicy' ? ['spec.podSelector', o.spec?.podSelector] : undefined;
    if (policySelector && Object.keys(policySelector[1]?.matchLabels ?? {}).length + (policySelector[1]?.matchExpressions ?? []).length > 0) {
      if (!podsIn(namespaceOf(o)).some(({ object }) => selectorMatches(policySelector[1], podSpecOf(object)!.labels))) {
        sink.add('semantic.selector-matches-nothing', o, policySelector[0] as string, 'the selector matches no pod template in the namespace', file);
      }
    }
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
      const roleNs = o.roleRef?.kind === 'Role' ? namespaceOf(o) : '';
      if (o.roleRef && !o.roleRef.name?.startsWith('system:') && !exists(o, o.roleRef.kind, o.roleRef.name, roleNs)) {
        sink.add('semantic.rbac-reference', o, 'roleRef.name', `${o.roleRef.kind} "${o.roleRef.name}" is not in the output`, file);
      }
      (o.subjects ?? []).forEach((s: any, i: number) => {
        if (s.kind === 'ServiceAccount' && !exists(o, 'ServiceAccount', s.name, s.namespace ?? namespaceOf(o))) {
          sink.add('semantic.rbac-reference', o, `subjects[${i}].name`, `ServiceAccount ${s.namespace}/${s.name} is not in the output`, file);
        }
      });
    }
  }
}

function safeQuantity(value: unknown): number {
  try {
    return quantityToNumber(String(value));
  } catch {
    return NaN;
  }
}
