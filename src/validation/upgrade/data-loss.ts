import { CREATES_ANNOTATION } from '../../common/annotations';
import { LocatedObject, namespaceOf, podSpecOf } from '../located-object';
import { UpgradeContext } from './context';
import { MIGRATIONS } from './migrations';
import { describeObject, groupOf } from './objects';
import { mysqlContainers } from './mysql-version';

/** Kinds whose removal leaves data behind (or deletes it, with `kubectl apply --prune`). */
const DATA_KINDS = new Set(['Namespace', 'PersistentVolumeClaim', 'PersistentVolume', 'StatefulSet']);

/**
 * Changes `kubectl apply` accepts that orphan or lose data: a data-holding object removed or
 * renamed (a rename is a removal plus an addition), a claim template removed or renamed, and the
 * credentials Secret a workload reads renamed.
 */
export function checkDataLoss(ctx: UpgradeContext): void {
  checkRemovedObjects(ctx);
  checkRemovedClaimTemplates(ctx);
  checkCredentials(ctx);
}

function holdsData(object: any): boolean {
  if (!DATA_KINDS.has(object.kind)) return false;
  return object.kind !== 'StatefulSet' || (object.spec?.volumeClaimTemplates ?? []).length > 0;
}

function checkRemovedObjects({ diff, sink, out }: UpgradeContext): void {
  const removedNamespaces = new Set(diff.removed.filter(({ object }) => object.kind === 'Namespace').map(({ object }) => object.metadata?.name));
  for (const { object, file } of diff.removed) {
    if (!holdsData(object)) continue;
    const ns = namespaceOf(object);
    // Objects of a removed namespace are reported once, with the namespace.
    if (ns && removedNamespaces.has(ns)) continue;
    const successor = successorOf(object, diff.added);
    const renamed = successor ? `; the new output has ${describeObject(successor.object)} instead (a rename is a new, empty object)` : '';
    const contents = object.kind === 'Namespace' ? namespaceContents(diff.previous, object.metadata?.name) : '';
    const mysql = object.kind === 'Namespace' ? firstMysql(diff.previous, object.metadata?.name) : object.kind === 'StatefulSet' ? firstMysql([{ object }], ns) : undefined;
    sink.add('upgrade.data-removed', object, '',
      `${describeObject(object)}${contents} is no longer in the output${renamed}; kubectl apply leaves the old one and its data behind (kubectl apply --prune deletes it)`,
      file, undefined, MIGRATIONS.moveSite(describeObject(object), mysql, successor ? describeObject(successor.object) : undefined, out));
  }
}

/** The added object of the same kind that most likely replaces `object`: same namespace, or same name elsewhere. */
function successorOf(object: any, added: LocatedObject[]): LocatedObject | undefined {
  const sameKind = added.filter((a) => a.object.kind === object.kind && groupOf(a.object.apiVersion) === groupOf(object.apiVersion));
  return sameKind.find((a) => a.object.metadata?.name === object.metadata?.name)
    ?? sameKind.find((a) => namespaceOf(a.object) === namespaceOf(object))
    ?? (sameKind.length === 1 ? sameKind[0] : undefined);
}

function namespaceContents(objects: LocatedObject[], ns: string): string {
  const held = objects.filter(({ object }) => object.kind !== 'Namespace' && namespaceOf(object) === ns && holdsData(object)).map(({ object }) => describeObject(object));
  return held.length ? ` (with ${held.join(', ')})` : '';
}

function firstMysql(objects: LocatedObject[], ns: string): { ns: string; name: string; container: string } | undefined {
  for (const { object } of objects) {
    if (object.kind !== 'StatefulSet' || namespaceOf(object) !== ns) continue;
    const container = mysqlContainers(object)[0];
    if (container) return { ns, name: object.metadata.name, container: container.container.name };
  }
  return undefined;
}

function checkRemovedClaimTemplates({ diff, sink, out }: UpgradeContext): void {
  for (const { previous, current } of diff.pairs) {
    if (current.object.kind !== 'StatefulSet') continue;
    const kept = new Set((current.object.spec?.volumeClaimTemplates ?? []).map((t: any) => t.metadata?.name));
    (previous.object.spec?.volumeClaimTemplates ?? []).forEach((template: any, i: number) => {
      const name = template.metadata?.name;
      if (kept.has(name)) return;
      const sts = current.object;
      sink.add('upgrade.data-removed', sts, `spec.volumeClaimTemplates[${i}]`,
        `claim template "${name}" is removed or renamed: the claims ${name}-${sts.metadata.name}-N and their data would no longer be mounted`,
        current.file, undefined, MIGRATIONS.copyClaim(`${name}-${sts.metadata.name}-0`, namespaceOf(sts), `claim template "${name}" renamed`, out));
    });
  }
}

/** The Secrets a workload reads, with where (volumes, projected volumes, env, envFrom). */
function secretReads(object: any): { name: string; path: string }[] {
  const pod = podSpecOf(object);
  if (!pod) return [];
  const reads: { name: string; path: string }[] = [];
  (pod.spec.volumes ?? []).forEach((v: any, i: number) => {
    if (v.secret?.secretName) reads.push({ name: v.secret.secretName, path: `${pod.path}.volumes[${i}].secret.secretName` });
    (v.projected?.sources ?? []).forEach((s: any, j: number) => {
      if (s.secret?.name) reads.push({ name: s.secret.name, path: `${pod.path}.volumes[${i}].projected.sources[${j}].secret.name` });
    });
  });
  for (const field of ['initContainers', 'containers']) {
    (pod.spec[field] ?? []).forEach((c: any, i: number) => {
      (c.env ?? []).forEach((e: any, j: number) => {
        if (e.valueFrom?.secretKeyRef?.name) reads.push({ name: e.valueFrom.secretKeyRef.name, path: `${pod.path}.${field}[${i}].env[${j}].valueFrom.secretKeyRef.name` });
      });
      (c.envFrom ?? []).forEach((e: any, j: number) => {
        if (e.secretRef?.name) reads.push({ name: e.secretRef.name, path: `${pod.path}.${field}[${i}].envFrom[${j}].secretRef.name` });
      });
    });
  }
  return reads;
}

/**
 * Credentials Secrets of a namespace: the Secrets workloads read that the output does not define
 * (generated in the cluster, like this library's credentials Job declares with its
 * `cdk8s-wordpress-eks/creates` annotation, or managed outside), plus every declared one.
 * Their content exists only in the cluster, so a new name starts from nothing.
 */
function credentialSecrets(objects: LocatedObject[]): Set<string> {
  const defined = new Set(objects.filter(({ object }) => object.kind === 'Secret').map(({ object }) => `${namespaceOf(object)}/${object.metadata?.name}`));
  const names = new Set<string>();
  for (const { object } of objects) {
    for (const created of String(object.metadata?.annotations?.[CREATES_ANNOTATION] ?? '').split(',').filter((c) => c.startsWith('Secret/'))) {
      names.add(`${namespaceOf(object)}/${created.slice('Secret/'.length)}`);
    }
    for (const read of secretReads(object)) {
      const key = `${namespaceOf(object)}/${read.name}`;
      if (!defined.has(key)) names.add(key);
    }
  }
  return names;
}

function checkCredentials({ diff, sink, out }: UpgradeContext): void {
  const before = credentialSecrets(diff.previous);
  for (const { previous, current } of diff.pairs) {
    const ns = namespaceOf(current.object);
    const oldReads = secretReads(previous.object).filter((r) => before.has(`${ns}/${r.name}`));
    if (oldReads.length === 0) continue;
    const newReads = secretReads(current.object);
    const newNames = new Set(newReads.map((r) => r.name));
    for (const read of oldReads) {
      if (newNames.has(read.name)) continue;
      // The same place in the new template names the replacement, when the layout is unchanged.
      const replacement = newReads.find((r) => r.path === read.path)?.name;
      sink.add('upgrade.credentials-renamed', current.object, read.path,
        `reads Secret ${replacement ?? '(none)'} where the previous output read ${read.name}, which holds the credentials the existing data was initialised with`,
        current.file, undefined, MIGRATIONS.copySecret(ns, read.name, replacement ?? '<new name>', out));
    }
  }
}
