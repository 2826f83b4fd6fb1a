import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { checkInteger, checkQuantity } from '../common/checks';
import { checkedClaimSpec } from '../common/claim-spec';
import { InvalidPropError } from '../common/errors';
import { StandardLabels } from '../common/labels';
import { ResourceBudget } from '../common/resource-budget';
import { ComputeResources, resolveResources } from '../common/resources';
import { EXTERNAL_REFS_ANNOTATION } from '../common/annotations';
import { WorkloadServiceAccount } from '../identity/workload-service-account';
import { allowPodFlow, allowTraffic } from '../network/namespace-isolation';
import { ipBlocksOf, resolveInternetEgress } from '../network/internet-egress';
import { BackupDestination, ResolvedDestination } from './backup-destination';
import { BackupPodContext, DB_SECRET_MOUNT, destinationMounts, destinationSettings, podBasics, podVolumes, scriptContainer, PATHS } from './backup-pod';
import { dailyScheduleFor } from './schedule';
import { BACKUP_SCRIPTS, siteEnvFile } from './scripts';

/** How many backups to keep. A backup is kept when any rule keeps it. */
export interface BackupRetention {
  /** The newest N backups. @default 3 */
  readonly keepLast?: number;
  /** The newest backup of each of the last N days that have one. @default 7 */
  readonly keepDaily?: number;
  /** The newest backup of each of the last N ISO weeks that have one. @default 4 */
  readonly keepWeekly?: number;
}

/** What a user chooses about backups. */
export interface BackupOptions {
  /** Where backups are written. @default BackupDestination.claim() */
  readonly destination?: BackupDestination;
  /** Cron schedule. @default - daily, at a minute of the day derived from the namespace and release name */
  readonly schedule?: string;
  /** IANA time zone of the schedule (CronJob `timeZone`). @default 'Etc/UTC' */
  readonly timeZone?: string;
  /** Which backups to keep. @default - the last 3, one a day for 7 days, one a week for 4 weeks */
  readonly retention?: BackupRetention;
  /** Resources of each step's container. @default - requests 100m/256Mi, limits 1/1Gi */
  readonly resources?: ComputeResources;
  /** Size limit of the work emptyDir: at least the dump and wp-content, compressed, plus the scratch database. @default '10Gi' */
  readonly scratchSize?: string;
  /** Longest a backup may run, verification included. @default 10800 */
  readonly activeDeadlineSeconds?: number;
  /** Image with busybox `sh`, `tar` and curl (with `--aws-sigv4`) for archiving and uploading. @default - the pinned curlimages/curl */
  readonly toolsImage?: string;
}

/** Props of {@link SiteBackup}. */
export interface SiteBackupProps extends BackupOptions {
  /** Release name: prefix of object names and the site's key at the destination. */
  readonly release: string;
  /** Namespace of the site. */
  readonly namespace: string;
  /** Labels of the release; backups are its `backup` component. */
  readonly labels: StandardLabels;
  /**
   * The in-cluster MySQL Service and pods, whose database each backup dumps and verifies.
   * @default - none: the database is external (RDS, Aurora; backed up by its snapshots) and backups hold wp-content only
   */
  readonly database?: { readonly host: string; readonly port: number; readonly podSelector: Record<string, string> };
  /** The database Secret, mounted only with an in-cluster `database`. */
  readonly databaseSecret: string;
  /** The WordPress content claim. */
  readonly contentClaim: string;
  /** Its access mode: ReadWriteOnce puts the backup pod on the WordPress pod's node. */
  readonly contentAccessMode: string;
  /** Labels of the WordPress pods, for the pod affinity on ReadWriteOnce content. */
  readonly wordpressPodSelector: Record<string, string>;
  /** The site's MySQL image (already rewritten for a registry). */
  readonly mysqlImage: string;
  /** The tools image, rewritten for a registry. */
  readonly resolvedToolsImage: string;
  /** The WordPress image, recorded in each manifest. */
  readonly wordpressImage: string;
  /** The WordPress table prefix, to read `db_version` for the manifest. */
  readonly tablePrefix: string;
  /** Annotations of the workloads that mount the database Secret (external references). */
  readonly workloadAnnotations: Record<string, string>;
}

const DEFAULT_RESOURCES = { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } };
const CRON_FIELD = /^[\d*/,-]+$/;

/**
 * The site's scheduled backup: a CronJob whose pod dumps the database (consistent, one
 * transaction), archives wp-content, writes a manifest, restores the dump into a scratch mysqld
 * to verify it, and only then stores it and applies retention. Its own ServiceAccount (with the
 * destination's IAM identity, if any) and NetworkPolicies for exactly its flows.
 *
 * Without an in-cluster `database` (RDS, Aurora) the backups are content-only: no dump, no
 * database Secret, no flow to MySQL; the manifest says `"database": "external"`, and the database
 * is left to the provider's automated backups and snapshots.
 */
export class SiteBackup extends Construct {
  /** The CronJob. */
  public readonly cronJob: k8s.KubeCronJob;
  /** Labels of the backup and restore pods. */
  public readonly podSelector: Record<string, string>;
  /** What restore Jobs share with the backups. */
  public readonly podContext: BackupPodContext;
  /** The ServiceAccount of backup and restore pods. */
  public readonly serviceAccountName: string;
  /** Annotations of the backup and restore workloads: the Secrets they use that are not in the output. */
  public readonly annotations: Record<string, string>;
  /** One backup pod, plus the backup claim, for namespace quotas. */
  public readonly budget: ResourceBudget;

  constructor(scope: Construct, id: string, props: SiteBackupProps) {
    super(scope, id);
    const labels = props.labels.withComponent('backup');
    this.podSelector = labels.selector;
    const name = `${props.release}-backup`;
    const destination: ResolvedDestination = (props.destination ?? BackupDestination.claim()).resolve();
    const resources = resolveResources('backup.resources', props.resources, DEFAULT_RESOURCES);
    const scratchSize = checkQuantity('backup.scratchSize', props.scratchSize ?? '10Gi');
    const retention = {
      keepLast: checkInteger('backup.retention.keepLast', props.retention?.keepLast ?? 3, 1, 1000),
      keepDaily: checkInteger('backup.retention.keepDaily', props.retention?.keepDaily ?? 7, 0, 1000),
      keepWeekly: checkInteger('backup.retention.keepWeekly', props.retention?.keepWeekly ?? 4, 0, 1000),
    };
    const schedule = checkSchedule('backup.schedule', props.schedule ?? dailyScheduleFor(`${props.namespace}/${props.release}`));
    const timeZone = checkTimeZone('backup.timeZone', props.timeZone ?? 'Etc/UTC');
    const deadline = checkInteger('backup.activeDeadlineSeconds', props.activeDeadlineSeconds ?? 10800, 300, 86400);

    const serviceAccount = new WorkloadServiceAccount(this, 'service-account', { name, labels: labels.all, identity: destination.identity });
    this.serviceAccountName = name;
    let backupClaim: string | undefined;
    let claimBytes = 0;
    if (destination.kind === 'claim') {
      const claim = checkedClaimSpec('backup.destination', destination.claim, '20Gi', 'ReadWriteOnce');
      backupClaim = `${name}s`;
      claimBytes = claim.bytes;
      new k8s.KubePersistentVolumeClaim(this, 'claim', { metadata: { name: backupClaim, labels: labels.all }, spec: claim.spec });
    }
    this.podContext = {
      site: props.release,
      settings: {
        SITE: props.release,
        NAMESPACE: props.namespace,
        ...(props.database ? { DB_HOST: props.database.host, DB_PORT: String(props.database.port) } : { DATABASE: 'external' }),
        ...destinationSettings(destination),
      },
      ...(props.database ? { databaseSecret: props.databaseSecret } : {}),
      contentClaim: props.contentClaim,
      backupClaim,
      destination,
      mysqlImage: props.mysqlImage,
      toolsImage: props.resolvedToolsImage,
      scratchSize,
      resources,
    };
    this.annotations = externalRefs(props.workloadAnnotations, destination.credentialsSecret);
    const context = this.podContext;
    const scripts = new k8s.KubeConfigMap(this, 'scripts', {
      metadata: { name: `${name}-scripts`, labels: labels.all },
      data: {
        ...BACKUP_SCRIPTS,
        'site.env': siteEnvFile({
          ...context.settings,
          TABLE_PREFIX: props.tablePrefix,
          WORDPRESS_IMAGE: props.wordpressImage,
          KEEP_LAST: String(retention.keepLast),
          KEEP_DAILY: String(retention.keepDaily),
          KEEP_WEEKLY: String(retention.keepWeekly),
        }),
      },
    });
    const podSpec: k8s.PodSpec = {
      ...podBasics(serviceAccount.serviceAccount.name),
      // A ReadWriteOnce volume attaches to one node: the backup reads it there, beside WordPress.
      ...(props.contentAccessMode === 'ReadWriteOnce' ? {
        affinity: {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [{
              labelSelector: { matchLabels: props.wordpressPodSelector },
              topologyKey: 'kubernetes.io/hostname',
            }],
          },
        },
      } : {}),
      // Dump, then verify it in a scratch mysqld; only a verified dump gets archived with wp-content and stored.
      ...(props.database ? { initContainers: [scriptContainer(context, 'database', 'mysql', ['dump.sh', 'verify.sh'], [DB_SECRET_MOUNT])] } : {}),
      containers: [scriptContainer(context, 'store', 'tools', ['archive.sh', 'store.sh'], [
        { name: 'content', mountPath: PATHS.content, readOnly: true },
        ...destinationMounts(destination),
      ])],
      volumes: podVolumes(context, scripts.name, true),
    };
    this.cronJob = new k8s.KubeCronJob(this, 'cron-job', {
      metadata: { name, labels: labels.all, ...(Object.keys(this.annotations).length ? { annotations: this.annotations } : {}) },
      spec: {
        schedule,
        timeZone,
        concurrencyPolicy: 'Forbid',
        // A run missed by more than an hour (controller down, cluster upgrade) waits for the next one.
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          metadata: { labels: labels.all },
          spec: {
            // One more attempt: a dump interrupted by a node drain should not wait a day.
            backoffLimit: 1,
            activeDeadlineSeconds: deadline,
            ttlSecondsAfterFinished: 7 * 86400,
            template: { metadata: { labels: labels.all }, spec: podSpec },
          },
        },
      },
    });
    this.budget = { pods: 1, perPod: resources, storageBytes: claimBytes, claims: backupClaim ? 1 : 0 };
    this.allowFlows(name, labels, props, destination);
  }

  private allowFlows(name: string, labels: StandardLabels, props: SiteBackupProps, destination: ResolvedDestination): void {
    const policyLabels = labels.withComponent('network-policy').all;
    if (props.database) {
      allowPodFlow(this, {
        client: { podSelector: this.podSelector, policyId: 'to-mysql', policyName: `${name}-to-mysql` },
        server: { podSelector: props.database.podSelector, policyId: 'mysql-from-backup', policyName: `${props.release}-mysql-from-backup` },
        port: props.database.port,
        labels: policyLabels,
      });
    }
    if (destination.kind !== 's3') return;
    const peerIpBlocks = destination.cidrs
      ? ipBlocksOf('backup.destination.cidrs', destination.cidrs)
      : resolveInternetEgress('backup.destination', { ports: [destination.port!] }).ipBlocks;
    allowTraffic(this, 'to-destination', {
      name: `${name}-to-destination`,
      podSelector: this.podSelector,
      direction: 'Egress',
      ports: [destination.port!],
      peerIpBlocks,
      labels: policyLabels,
    });
    (destination.identity?.endpoints ?? []).forEach((endpoint, index) => {
      // A public endpoint on the destination's port is already reachable.
      if (!endpoint.cidrs && endpoint.port === destination.port && !destination.cidrs) return;
      allowTraffic(this, `identity-${index}`, {
        name: `${name}-identity-out${index ? `-${index + 1}` : ''}`,
        podSelector: this.podSelector,
        direction: 'Egress',
        ports: [endpoint.port],
        peerIpBlocks: endpoint.cidrs
          ? ipBlocksOf('backup.destination.identity.endpoints', endpoint.cidrs)
          : resolveInternetEgress('backup.destination.identity', { ports: [endpoint.port] }).ipBlocks,
        labels: policyLabels,
      });
    });
  }
}

/** The workloads' annotations, with the S3 keys Secret (always the user's) added to the external references. */
function externalRefs(annotations: Record<string, string>, credentialsSecret?: string): Record<string, string> {
  if (!credentialsSecret) return annotations;
  const refs = [annotations[EXTERNAL_REFS_ANNOTATION], `Secret/${credentialsSecret}`].filter(Boolean).join(',');
  return { ...annotations, [EXTERNAL_REFS_ANNOTATION]: refs };
}

function checkSchedule(prop: string, value: string): string {
  const fields = typeof value === 'string' ? value.trim().split(/\s+/) : [];
  if (fields.length !== 5 || !fields.every((field) => CRON_FIELD.test(field))) {
    throw new InvalidPropError(prop, value, "a five-field cron schedule of numbers, '*', '/', ',' and '-', e.g. '17 3 * * *' (time zones go in timeZone, not CRON_TZ)");
  }
  return value;
}

// Zones already accepted, starting with the default: the first DateTimeFormat with a time zone loads
// the time zone data (tens of milliseconds), and one per site would show in a fleet's synth time.
const KNOWN_TIME_ZONES = new Set<string>(['Etc/UTC']);

function checkTimeZone(prop: string, value: string): string {
  if (KNOWN_TIME_ZONES.has(value)) return value;
  let valid = typeof value === 'string' && /^[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)*$/.test(value);
  if (valid) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
    } catch {
      valid = false;
    }
  }
  if (!valid) throw new InvalidPropError(prop, value, 'an IANA time zone name such as Etc/UTC or Europe/Berlin');
  KNOWN_TIME_ZONES.add(value);
  return value;
}
