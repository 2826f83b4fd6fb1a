import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { checkDnsLabel } from '../common/checks';
import { contentHash } from '../common/content-hash';
import { InvalidPropError } from '../common/errors';
import { StandardLabels } from '../common/labels';
import { WORDPRESS } from '../images';
import { BACKUP_IDENTITY, BackupPodContext, DB_SECRET_MOUNT, destinationMounts, PATHS, podBasics, podVolumes, scriptContainer } from './backup-pod';
import { RESTORE_SCRIPTS, siteEnvFile } from './scripts';

/** A one-off restore of a backup into the site. */
export interface RestoreOptions {
  /** `latest` (resolved when the Job runs) or a backup's name, its UTC time such as `20261201T031700Z`. @default 'latest' */
  readonly backup?: string;
  /** Replace a database that has tables, and the files of wp-content; without it a non-empty database is refused. @default false */
  readonly overwrite?: boolean;
  /** Release name of the site whose backups to restore (production into staging); same destination and credentials. @default - this site */
  readonly fromSite?: string;
}

/** Props of {@link SiteRestore}. */
export interface SiteRestoreProps extends RestoreOptions {
  /** Release name: prefix of the Job's name. */
  readonly release: string;
  /** Labels of the restore pod: the backup component's, so its NetworkPolicies apply. */
  readonly labels: StandardLabels;
  /** What restores share with the backups. */
  readonly podContext: BackupPodContext;
  /** The backups' ServiceAccount. */
  readonly serviceAccountName: string;
  /** Annotations of the backup workloads (external references). */
  readonly annotations: Record<string, string>;
}

const BACKUP_NAME = /^(?:latest|\d{8}T\d{6}Z)$/;

/**
 * A Job that restores one backup into the site: fetch it and check every SHA-256, load the dump
 * (refusing a non-empty database unless `overwrite`), extract wp-content into the content claim.
 * A site with an external database restores wp-content only: its database comes back from an RDS
 * snapshot or point-in-time restore, outside the cluster.
 * Its name is a hash of its inputs, so applying the same restore again does not run it again;
 * it has no TTL for the same reason. WordPress must be stopped while it runs (see the runbook).
 */
export class SiteRestore extends Construct {
  /** The Job. */
  public readonly job: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: SiteRestoreProps) {
    super(scope, id);
    const backup = props.backup ?? 'latest';
    if (typeof backup !== 'string' || !BACKUP_NAME.test(backup)) {
      throw new InvalidPropError('restore.backup', backup, "'latest' or a backup's name, its UTC time such as 20261201T031700Z");
    }
    if (props.overwrite !== undefined && typeof props.overwrite !== 'boolean') {
      throw new InvalidPropError('restore.overwrite', props.overwrite, 'true or false');
    }
    const context = props.podContext;
    const source = checkDnsLabel('restore.fromSite', props.fromSite ?? context.site, 40);
    if (source !== context.site && context.destination.kind === 'claim') {
      throw new InvalidPropError('restore.fromSite', source, `this site (${context.site}): another site's backups are on a claim in its own namespace; restore across sites from an S3 destination`);
    }
    const overwrite = String(props.overwrite ?? false);
    const scripts = new k8s.KubeConfigMap(this, 'scripts', {
      metadata: { name: `${props.release}-restore-scripts`, labels: props.labels.all },
      data: { ...RESTORE_SCRIPTS, 'site.env': siteEnvFile(context.settings) },
    });
    const restoreEnv = [{ name: 'OVERWRITE', value: overwrite }];
    const podSpec: k8s.PodSpec = {
      ...podBasics(props.serviceAccountName),
      initContainers: [
        scriptContainer(context, 'fetch', 'tools', ['fetch.sh'], destinationMounts(context.destination), [
          { name: 'SOURCE_SITE', value: source },
          { name: 'RESTORE_BACKUP', value: backup },
        ]),
        ...(context.databaseSecret ? [scriptContainer(context, 'database', 'mysql', ['load.sh'], [DB_SECRET_MOUNT], restoreEnv)] : []),
      ],
      containers: [
        // As www-data, so that WordPress owns the restored files.
        scriptContainer(context, 'content', 'tools', ['extract.sh'], [{ name: 'content', mountPath: PATHS.content }], restoreEnv,
          { uid: WORDPRESS.identity.uid, gid: BACKUP_IDENTITY.gid }),
      ],
      volumes: podVolumes(context, scripts.name, false),
    };
    // The scripts' content is part of the inputs: a changed restore procedure is a new Job.
    const inputs = { backup, overwrite, source, podSpec, scripts: RESTORE_SCRIPTS };
    this.job = new k8s.KubeJob(this, 'job', {
      metadata: { name: `${props.release}-restore-${contentHash(inputs, 8)}`, labels: props.labels.all,
        ...(Object.keys(props.annotations).length ? { annotations: props.annotations } : {}) },
      spec: {
        backoffLimit: 0,
        activeDeadlineSeconds: 10800,
        template: { metadata: { labels: props.labels.all }, spec: podSpec },
      },
    });
  }
}
