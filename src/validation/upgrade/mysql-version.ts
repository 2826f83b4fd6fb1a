import { parseImage } from '../../images';
import { containersOf, podSpecOf } from '../located-object';
import { UpgradeContext } from './context';
import { MIGRATIONS } from './migrations';

/** Containers of a workload that run MySQL, recognised by the image's repository name. */
export function mysqlContainers(object: any): { container: any; path: string }[] {
  const pod = podSpecOf(object);
  if (!pod) return [];
  return containersOf(pod).filter(({ container }) => isMysqlImage(container.image));
}

function isMysqlImage(image: unknown): boolean {
  const repository = imageParts(image)?.repository ?? '';
  return /^mysql(-server)?$/.test(repository.split('/').pop() ?? '');
}

function imageParts(image: unknown): { repository: string; tag?: string } | undefined {
  try {
    return typeof image === 'string' ? parseImage('image', image) : undefined;
  } catch {
    return undefined; // an unpinned or malformed image: policy.image-pinned reports it
  }
}

/** `[major, minor]` of a version tag such as 8.4.11 or 9.1-oracle; undefined for `lts`, `latest` or a digest alone. */
function series(image: unknown): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(imageParts(image)?.tag ?? '');
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/**
 * A MySQL major version change (8.4 -> 9.x) or a downgrade to an older series: an in-place
 * upgrade of the data directory across majors is not supported, nor is any downgrade.
 */
export function checkMysqlVersion({ diff, sink, out }: UpgradeContext): void {
  for (const { previous, current } of diff.pairs) {
    const before = new Map(mysqlContainers(previous.object).map(({ container }) => [container.name, container.image]));
    for (const { container, path } of mysqlContainers(current.object)) {
      const from = series(before.get(container.name));
      const to = series(container.image);
      if (!from || !to) continue;
      const majorChange = from[0] !== to[0];
      const downgrade = to[0] < from[0] || (to[0] === from[0] && to[1] < from[1]);
      if (!majorChange && !downgrade) continue;
      const fromText = `${from[0]}.${from[1]}`;
      const toText = `${to[0]}.${to[1]}`;
      sink.add('upgrade.mysql-major-version', current.object, `${path}.image`,
        `MySQL ${fromText} -> ${toText} (${before.get(container.name)} -> ${container.image}): ${downgrade ? 'MySQL cannot downgrade a data directory' : 'a data directory does not move across major versions in place'}; it needs a dump and restore`,
        current.file, undefined, MIGRATIONS.mysqlDumpRestore(current.object, container.name, fromText, toText, out));
    }
  }
}
