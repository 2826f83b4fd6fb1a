import { FindingSink } from './findings';
import { containersOf, LocatedObject, namespaceOf, podSpecOf } from './located-object';
import { podSecurityViolations, PodSecurityLevel } from './pod-security';

const CREDENTIAL_NAME = /(PASSWORD|PASSWD|PASSPHRASE|(^|[_.-])PASS([_.-]|$)|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|_KEY$|SALT|CREDENTIAL)/i;
/** Variables that carry a path or a name of something secret, not the secret itself. */
const REFERENCE_SUFFIX = /(_FILE|_PATH|_DIR|_NAME|_REF|_ARN)$/i;
/** `name = value`, `name: value` or `"name": "value"` on one line of a configuration file. */
const SETTING_LINE = /^\s*["']?([A-Za-z0-9_.-]+)["']?\s*[=:]\s*["']?([^"'\s,]+)/;
/** `--name=value` in a container's command or args. */
const FLAG_WITH_VALUE = /^--?([A-Za-z0-9_.-]+)=(.+)$/;
const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);
const LEVELS: PodSecurityLevel[] = ['privileged', 'baseline', 'restricted'];

/** Policy rules: Pod Security per namespace, credentials in manifests, pinned images, host paths, hygiene. */
export function checkPolicy(objects: LocatedObject[], sink: FindingSink): void {
  const namespaces = new Map(objects.filter(({ object }) => object.kind === 'Namespace').map(({ object }) => [object.metadata?.name, object]));
  const levelOf = (ns: string): PodSecurityLevel => {
    const label = namespaces.get(ns)?.metadata?.labels?.['pod-security.kubernetes.io/enforce'];
    return LEVELS.includes(label) ? label : 'baseline';
  };
  const bound = new Set<string>();
  for (const { object: o } of objects) {
    if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
      for (const s of o.subjects ?? []) if (s.kind === 'ServiceAccount') bound.add(`${s.namespace ?? namespaceOf(o)}/${s.name}`);
    }
  }
  const serviceAccounts = new Map(objects.filter(({ object }) => object.kind === 'ServiceAccount').map(({ object }) => [`${namespaceOf(object)}/${object.metadata?.name}`, object]));

  for (const { object: o, file } of objects) {
    const ns = namespaceOf(o);
    if (o.kind === 'Secret') {
      for (const field of ['data', 'stringData']) {
        for (const [k, v] of Object.entries(o[field] ?? {})) {
          if (v !== null && v !== '') sink.add('policy.credential-value', o, `${field}.${k}`, `Secret value "${k}" is written in the manifest`, file);
        }
      }
    }
    if (o.kind === 'ConfigMap') {
      for (const field of ['data', 'binaryData']) {
        for (const [k, v] of Object.entries(o[field] ?? {})) {
          if (isCredential(k, v)) sink.add('policy.credential-value', o, `${field}.${k}`, `ConfigMap key "${k}" looks like a credential`, file);
          else if (typeof v === 'string') {
            // A configuration file: a credential setting with a literal value on any line
            for (const name of v.split('\n').flatMap((line) => { const m = SETTING_LINE.exec(line); return m && isCredential(m[1], m[2]) ? [m[1]] : []; })) {
              sink.add('policy.credential-value', o, `${field}.${k}`, `ConfigMap file "${k}" sets ${name} to a literal value`, file);
            }
          }
        }
      }
    }
    if (o.kind === 'Role' || o.kind === 'ClusterRole') {
      (o.rules ?? []).forEach((rule: any, i: number) => {
        for (const field of ['verbs', 'resources', 'apiGroups']) {
          if ((rule[field] ?? []).includes('*')) sink.add('policy.rbac-wildcard', o, `rules[${i}].${field}`, `"*" in ${field}`, file);
        }
      });
    }
    const pod = podSpecOf(o);
    if (!pod) continue;
    const level = levelOf(ns);
    if (level !== 'privileged') {
      const annotations = o.kind === 'Pod' ? o.metadata?.annotations : o.spec?.template?.metadata?.annotations ?? o.spec?.jobTemplate?.spec?.template?.metadata?.annotations;
      for (const violation of podSecurityViolations(pod.spec, pod.path, annotations ?? {})) {
        if (violation.level === 'baseline' || level === 'restricted') {
          sink.add('policy.pod-security', o, violation.path, `${violation.message}: not allowed by Pod Security "${level}" of namespace ${ns}`, file);
        }
      }
      (pod.spec.volumes ?? []).forEach((v: any, i: number) => {
        if (v.hostPath) sink.add('policy.host-path', o, `${pod.path}.volumes[${i}].hostPath`, `hostPath ${v.hostPath.path} in namespace ${ns}, which is not labelled privileged`, file);
      });
    }
    for (const { container: c, path } of containersOf(pod)) {
      if (!isPinned(c.image)) sink.add('policy.image-pinned', o, `${path}.image`, `image "${c.image}" is not pinned to a version tag or digest`, file);
      (c.env ?? []).forEach((e: any, i: number) => {
        if (isCredential(e.name, e.value)) sink.add('policy.credential-value', o, `${path}.env[${i}].value`, `env ${e.name} holds a literal value`, file);
      });
      for (const field of ['command', 'args']) {
        (Array.isArray(c[field]) ? c[field] : []).forEach((arg: unknown, i: number) => {
          const flag = typeof arg === 'string' ? FLAG_WITH_VALUE.exec(arg) : null;
          if (flag && isCredential(flag[1], flag[2])) sink.add('policy.credential-value', o, `${path}.${field}[${i}]`, `--${flag[1]} is given a literal value`, file);
        });
      }
      if (!path.includes('ephemeralContainers')) {
        const r = c.resources ?? {};
        if (!r.requests?.cpu || !r.requests?.memory || !r.limits?.memory) sink.add('policy.resources', o, `${path}.resources`, `container ${c.name} lacks cpu/memory requests or a memory limit`, file);
      }
      if (LONG_RUNNING.has(o.kind) && path.includes('.containers[') && (!c.readinessProbe || !c.livenessProbe)) {
        sink.add('policy.probes', o, path, `container ${c.name} lacks a ${!c.readinessProbe ? 'readiness' : 'liveness'} probe`, file);
      }
    }
    const saName = pod.spec.serviceAccountName ?? 'default';
    const sa = serviceAccounts.get(`${ns}/${saName}`);
    const mounts = pod.spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
    if (mounts && !bound.has(`${ns}/${saName}`)) {
      sink.add('policy.automount-token', o, `${pod.path}.automountServiceAccountToken`, `mounts a token for ServiceAccount ${saName}, which no binding in the output grants anything`, file);
    }
  }
}

/**
 * A credential written in the manifest: a name that says credential (not one that only names or
 * locates one) with a literal, non-empty value (`$(VAR)` and `${VAR}` are expanded from elsewhere).
 */
function isCredential(name: unknown, value: unknown): boolean {
  return typeof name === 'string' && CREDENTIAL_NAME.test(name) && !REFERENCE_SUFFIX.test(name)
    && typeof value === 'string' && value !== '' && !/^\$[({]/.test(value);
}

/** A tag other than `latest`, or a digest. */
export function isPinned(image: unknown): boolean {
  if (typeof image !== 'string' || image === '') return false;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon > 0 && lastSegment.slice(colon + 1) !== 'latest' && lastSegment.slice(colon + 1) !== '';
}
