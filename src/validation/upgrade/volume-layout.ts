import { containersOf, podSpecOf } from '../located-object';
import { UpgradeContext } from './context';
import { MIGRATIONS } from './migrations';

interface Mount { readonly claim: string; readonly mountPath: string; readonly subPath: string; readonly path: string }

/** Mounts of persistent volumes (claims and claim templates) per container name. */
function persistentMounts(object: any): Map<string, Mount[]> {
  const pod = podSpecOf(object);
  const result = new Map<string, Mount[]>();
  if (!pod) return result;
  const claims = new Map<string, string>();
  for (const v of pod.spec.volumes ?? []) if (v.persistentVolumeClaim?.claimName) claims.set(v.name, v.persistentVolumeClaim.claimName);
  for (const t of object.spec?.volumeClaimTemplates ?? []) claims.set(t.metadata?.name, `${t.metadata?.name}-${object.metadata?.name}-N`);
  for (const { container, path } of containersOf(pod)) {
    const mounts = (container.volumeMounts ?? []).flatMap((m: any, i: number) => claims.has(m.name)
      ? [{ claim: claims.get(m.name)!, mountPath: m.mountPath, subPath: m.subPath ?? m.subPathExpr ?? '', path: `${path}.volumeMounts[${i}]` }]
      : []);
    result.set(container.name, mounts);
  }
  return result;
}

const describe = (m: Mount) => `${m.mountPath}${m.subPath ? ` (subPath ${m.subPath})` : ' (volume root)'}`;

/**
 * A persistent volume mounted at another mountPath or subPath: the files already in the volume
 * are laid out for the old mount, so the application finds them elsewhere (or not at all).
 */
export function checkVolumeLayout({ diff, sink, out }: UpgradeContext): void {
  for (const { previous, current } of diff.pairs) {
    const before = persistentMounts(previous.object);
    for (const [container, mounts] of persistentMounts(current.object)) {
      const old = before.get(container) ?? [];
      for (const mount of mounts) {
        const oldOfClaim = old.filter((m) => m.claim === mount.claim);
        if (oldOfClaim.length === 0 || oldOfClaim.some((m) => m.mountPath === mount.mountPath && m.subPath === mount.subPath)) continue;
        const was = oldOfClaim.map(describe).join(', ');
        const narrowed = narrowing(oldOfClaim, mount);
        sink.add('upgrade.volume-layout', current.object, mount.path,
          `container "${container}" mounts claim ${mount.claim} at ${describe(mount)}; the previous output mounted it at ${was}${narrowed}`,
          current.file, undefined, MIGRATIONS.moveInVolume(current.object, mount.claim, was, describe(mount), narrowed !== '', out));
      }
    }
  }
}

/** When the new mount shows a subdirectory of what an old mount showed at the same place, say what stays and what goes. */
function narrowing(old: Mount[], mount: Mount): string {
  for (const m of old) {
    if (!mount.mountPath.startsWith(`${m.mountPath.replace(/\/$/, '')}/`)) continue;
    const relative = mount.mountPath.slice(m.mountPath.replace(/\/$/, '').length + 1);
    const expected = m.subPath ? `${m.subPath.replace(/\/$/, '')}/${relative}` : relative;
    if (expected === mount.subPath) {
      return `: the files under ${mount.mountPath} stay where they were, everything else the volume holds (outside ${mount.subPath}/) is no longer mounted`;
    }
  }
  return '';
}
