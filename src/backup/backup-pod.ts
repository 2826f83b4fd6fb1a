import { k8s } from '../common/k8s';
import { ResolvedComputeResources, toResourceRequirements } from '../common/resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext, UnixIdentity } from '../common/security-context';
import { DATABASE_SECRET_KEYS } from '../credentials/secret-keys';
import { WORDPRESS } from '../images';
import { ResolvedDestination } from './backup-destination';

/**
 * Every backup and restore container runs as the MySQL user (999) with the WordPress group (33)
 * as primary and fs group: the content claim is already group 33, so mounting it causes no
 * recursive chown, and every container of the pod can read what another wrote in the work
 * directory. Only the extraction into the content claim runs as www-data, so WordPress owns
 * what is restored.
 */
export const BACKUP_IDENTITY: UnixIdentity = { uid: 999, gid: WORDPRESS.identity.gid };

/** Mount paths inside the backup and restore pods. */
export const PATHS = {
  scripts: '/scripts',
  work: '/work',
  run: '/run/backup',
  dbSecret: '/etc/backup/db',
  s3Secret: '/etc/backup/s3',
  content: '/content',
  backups: '/backups',
} as const;

/** What the pods of one site's backups and restores have in common. */
export interface BackupPodContext {
  /** The site's release name; backups are stored under it. */
  readonly site: string;
  /** The site's settings the scripts read from `site.env`. */
  readonly settings: Record<string, string>;
  /**
   * The database Secret (keys of `DATABASE_SECRET_KEYS`) of the in-cluster database the pods dump
   * and load. @default - none: the database is external (RDS, Aurora) and backups hold wp-content only
   */
  readonly databaseSecret?: string;
  /** The content claim. */
  readonly contentClaim: string;
  /** The claim holding the backups, for a claim destination. @default - none: S3 */
  readonly backupClaim?: string;
  /** The destination. */
  readonly destination: ResolvedDestination;
  /** The MySQL image (dump, verify, load). */
  readonly mysqlImage: string;
  /** The curl image (archive, store, fetch, extract). */
  readonly toolsImage: string;
  /** Size limit of the work emptyDir (files and the scratch database). */
  readonly scratchSize: string;
  /** Resources of each container. */
  readonly resources: ResolvedComputeResources;
}

/** A container that runs scripts of the ConfigMap one after the other, stopping at the first failure. */
export function scriptContainer(context: BackupPodContext, name: string, tool: 'mysql' | 'tools', scripts: string[],
  mounts: k8s.VolumeMount[], env: k8s.EnvVar[] = [], identity: UnixIdentity = BACKUP_IDENTITY): k8s.Container {
  const shell = tool === 'mysql' ? 'bash' : 'sh';
  return {
    name,
    image: tool === 'mysql' ? context.mysqlImage : context.toolsImage,
    imagePullPolicy: 'IfNotPresent',
    command: [shell, '-c', scripts.map((script) => `${shell} ${PATHS.scripts}/${script}`).join(' && ')],
    ...(env.length ? { env } : {}),
    resources: toResourceRequirements(context.resources),
    securityContext: restrictedContainerSecurityContext(identity),
    volumeMounts: [
      { name: 'scripts', mountPath: PATHS.scripts, readOnly: true },
      { name: 'work', mountPath: PATHS.work },
      { name: 'run', mountPath: PATHS.run },
      ...mounts,
    ],
  };
}

/** The settings of the destination, for `site.env`, and the mounts of the steps that reach it. */
export function destinationSettings(destination: ResolvedDestination): Record<string, string> {
  if (destination.kind === 'claim') return { DESTINATION: 'claim', BACKUP_DIR: PATHS.backups };
  return {
    DESTINATION: 's3',
    S3_BASE: destination.s3Base!,
    S3_REGION: destination.region!,
    S3_PREFIX: destination.prefix!,
    ...(destination.credentialsSecret ? { S3_KEYS_DIR: PATHS.s3Secret } : {}),
  };
}

/** The mounts of the steps that reach the destination. */
export function destinationMounts(destination: ResolvedDestination): k8s.VolumeMount[] {
  if (destination.kind === 'claim') return [{ name: 'backups', mountPath: PATHS.backups }];
  return destination.credentialsSecret ? [{ name: 's3-credentials', mountPath: PATHS.s3Secret, readOnly: true }] : [];
}

/** The mount of the database Secret. */
export const DB_SECRET_MOUNT: k8s.VolumeMount = { name: 'db-credentials', mountPath: PATHS.dbSecret, readOnly: true };

/** The volumes of a backup or restore pod. */
export function podVolumes(context: BackupPodContext, scriptsConfigMap: string, contentReadOnly: boolean): k8s.Volume[] {
  const destination = context.destination;
  return [
    { name: 'scripts', configMap: { name: scriptsConfigMap, defaultMode: 0o444 } },
    { name: 'work', emptyDir: { sizeLimit: k8s.Quantity.fromString(context.scratchSize) } },
    // Option files with passwords and keys: memory only, never the node's disk.
    { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
    ...(context.databaseSecret ? [{
      name: 'db-credentials',
      secret: {
        secretName: context.databaseSecret,
        defaultMode: 0o440,
        items: [DATABASE_SECRET_KEYS.database, DATABASE_SECRET_KEYS.username, DATABASE_SECRET_KEYS.password].map((key) => ({ key, path: key })),
      },
    }] : []),
    ...(destination.credentialsSecret ? [{ name: 's3-credentials', secret: { secretName: destination.credentialsSecret, defaultMode: 0o440 } }] : []),
    { name: 'content', persistentVolumeClaim: { claimName: context.contentClaim, readOnly: contentReadOnly } },
    ...(context.backupClaim ? [{ name: 'backups', persistentVolumeClaim: { claimName: context.backupClaim } }] : []),
  ];
}

/** Pod-level settings shared by the backup and restore pods. */
export function podBasics(serviceAccountName: string): Pick<k8s.PodSpec, 'serviceAccountName' | 'automountServiceAccountToken' | 'enableServiceLinks' | 'restartPolicy' | 'securityContext'> {
  return {
    serviceAccountName,
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    // A failed step fails the pod, and the Job's backoffLimit decides about another attempt.
    restartPolicy: 'Never',
    securityContext: restrictedPodSecurityContext(BACKUP_IDENTITY),
  };
}
