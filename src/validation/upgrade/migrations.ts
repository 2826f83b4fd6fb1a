import { namespaceOf } from '../located-object';

/**
 * The commands printed with each upgrade finding. `out` is what the user applies (the new
 * output); every command names the real namespace and objects of the finding. docs/upgrades.md
 * explains each procedure.
 */
export const MIGRATIONS = {
  /** Claim template storage grown: expand each claim, then replace the StatefulSet object only. */
  growClaimTemplate(sts: any, template: string, size: string, out: string): string {
    const ns = namespaceOf(sts);
    const name = sts.metadata.name;
    return [
      '# expand each existing claim (its StorageClass must have allowVolumeExpansion: true)',
      `for pvc in $(kubectl -n ${ns} get pvc -o name | grep '^persistentvolumeclaim/${template}-${name}-[0-9]*$'); do`,
      `  kubectl -n ${ns} patch "$pvc" -p '{"spec":{"resources":{"requests":{"storage":"${size}"}}}}'`,
      'done',
      '# replace the StatefulSet object only: its pods keep running and its claims stay',
      `kubectl -n ${ns} delete statefulset ${name} --cascade=orphan`,
      `kubectl apply -f ${out}`,
    ].join('\n');
  },

  /** Any other StatefulSet spec change: replace the object; pods are recreated when they no longer match. */
  replaceStatefulSet(sts: any, selectorChanged: boolean, out: string): string {
    const ns = namespaceOf(sts);
    const name = sts.metadata.name;
    if (selectorChanged) {
      return [
        '# the new selector would not adopt the running pods: delete them with the StatefulSet (downtime);',
        '# the claims stay and are mounted again by the new pods (claim templates keep their names)',
        `kubectl -n ${ns} delete statefulset ${name}`,
        `kubectl apply -f ${out}`,
      ].join('\n');
    }
    return [
      '# replace the StatefulSet object only: its pods keep running and its claims stay',
      `kubectl -n ${ns} delete statefulset ${name} --cascade=orphan`,
      `kubectl apply -f ${out}`,
      `kubectl -n ${ns} rollout restart statefulset ${name}`,
    ].join('\n');
  },

  /** A claim whose spec must change: copy its data into a new claim (docs/upgrades.md, "Copy a claim"). */
  copyClaim(claim: string, ns: string, what: string, out: string): string {
    return [
      `# ${what}: existing volumes never change, the data has to move to a new claim`,
      `# 1. stop the workloads that mount ${claim}; 2. create the new claim under a temporary name (e.g. ${claim}-new)`,
      `# 3. copy: kubectl -n ${ns} run copy-${claim} --rm -i --restart=Never --image=busybox:1.37 --overrides='<pod mounting ${claim} at /from and ${claim}-new at /to>' -- cp -a /from/. /to/`,
      `# 4. point the output at the new claim (or delete ${claim} and rename), then`,
      `kubectl apply -f ${out}`,
    ].join('\n');
  },

  /** Objects that are replaced by deleting and creating them again. */
  recreate(object: any, out: string, note: string): string {
    const ns = namespaceOf(object);
    const kind = String(object.kind).toLowerCase();
    return [
      `# ${note}`,
      `kubectl ${ns ? `-n ${ns} ` : ''}delete ${kind} ${object.metadata.name}`,
      `kubectl apply -f ${out}`,
    ].join('\n');
  },

  /** A site moving to another namespace or name: back up, apply, restore, then delete the old one. */
  moveSite(what: string, mysql: { ns: string; name: string; container: string } | undefined, target: string | undefined, out: string): string {
    const lines = [`# ${what} keeps its data until it is deleted (kubectl apply --prune or kubectl delete would delete it)`];
    if (mysql) {
      lines.push(
        '# 1. back up the database of the old site',
        `kubectl -n ${mysql.ns} exec statefulset/${mysql.name} -c ${mysql.container} -- sh -c 'mysqldump --single-transaction --routines --all-databases -uroot -p"$(cat "$MYSQL_ROOT_PASSWORD_FILE")"' > backup.sql`,
      );
    } else {
      lines.push('# 1. take a backup of the data it holds');
    }
    lines.push('# 2. create the new one', `kubectl apply -f ${out}`);
    lines.push(target
      ? `# 3. restore the latest backup into the new site (${target}): docs/upgrades.md, "Restore into the new site"`
      : '# 3. restore the latest backup into the new site: docs/upgrades.md, "Restore into the new site"');
    lines.push('# 4. only after checking the new site, delete the old object (this deletes its volumes)');
    return lines.join('\n');
  },

  /** Credentials that must stay the same: copy the old Secret to the new name before applying. */
  copySecret(ns: string, from: string, to: string, out: string): string {
    return [
      `# the database was initialised with the passwords in ${from}: carry them over to ${to}`,
      `kubectl -n ${ns} get secret ${from} -o json | jq '{apiVersion, kind, type, data, metadata: {name: "${to}", namespace: "${ns}"}}' | kubectl apply -f -`,
      `kubectl apply -f ${out}`,
    ].join('\n');
  },

  /** A MySQL major version change: dump with the old server, start the new one on an empty volume, restore. */
  mysqlDumpRestore(sts: any, container: string, from: string, to: string, out: string): string {
    const ns = namespaceOf(sts);
    const name = sts.metadata.name;
    return [
      `# MySQL ${from} -> ${to}: dump with the old server, restore into the new one on an empty volume`,
      `kubectl -n ${ns} exec statefulset/${name} -c ${container} -- sh -c 'mysqldump --single-transaction --routines --events --all-databases -uroot -p"$(cat "$MYSQL_ROOT_PASSWORD_FILE")"' > backup.sql`,
      `kubectl -n ${ns} scale statefulset ${name} --replicas=0`,
      `# keep the old claims (snapshot them) until the restore is checked, then delete them so the new server starts on empty volumes:`,
      `kubectl -n ${ns} get pvc -o name | grep -- '-${name}-[0-9]*$' | xargs kubectl -n ${ns} delete`,
      `kubectl apply -f ${out}`,
      `kubectl -n ${ns} exec -i statefulset/${name} -c ${container} -- sh -c 'mysql -uroot -p"$(cat "$MYSQL_ROOT_PASSWORD_FILE")"' < backup.sql`,
    ].join('\n');
  },

  /** A persistent volume mounted differently: move the files inside the volume to where the new mount expects them. */
  moveInVolume(workload: any, claim: string, from: string, to: string, narrowed: boolean, out: string): string {
    const ns = namespaceOf(workload);
    if (narrowed) {
      return [
        `# the files the new mount shows are already where it expects them: back up ${claim} (docs/upgrades.md, "Volume layout"), then`,
        `kubectl apply -f ${out}`,
        `# once the site works, what the volume holds outside the new subPath is unused: remove it from a pod mounting ${claim} at /volume`,
      ].join('\n');
    }
    return [
      `# the new mount expects the data at ${to}, the volume holds it as mounted at ${from}: docs/upgrades.md, "Volume layout"`,
      `kubectl -n ${ns} scale ${String(workload.kind).toLowerCase()} ${workload.metadata.name} --replicas=0`,
      `# with a pod mounting ${claim} at /volume (no subPath), move the files to the new layout, then`,
      `kubectl apply -f ${out}`,
    ].join('\n');
  },
};
