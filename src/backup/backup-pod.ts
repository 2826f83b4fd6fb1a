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
  scratch: '/scratch',
  dbSecret: '/etc/backup/db',
  s3Secret: '/etc/backup/s3',
  content: '/content',
  backups: '/backups',
} as const;

/** What the pods of one site's backups and restores have in common. */
export interface BackupPodContext {
  /** The site's release name; backups are stored under it. */
  readonly site: string;
  /** The site's namespace. */
  readonly namespace: string;
  /** Host and port of the site's MySQL Service. */
  readonly databaseHost: string;
  readonly databasePort: number;
  /** The database Secret (keys of `DATABASE_SECRET_KEYS`). */
  readonly databaseSecret: string;
  /** The content claim. */
  readonly contentClaim: string;
  /** The claim holding the backups, for a claim destination. */
  readonly backupClaim?: string;
  /** The destination. */
  readonly destination: ResolvedDestination;
  /** Images: the MySQL image (dump, verify, load) and the curl image (archive, store, fetch, extract). */
  readonly mysqlImage: string;
  readonly toolsImage: string;
  /** The ConfigMap with the scripts. */
  readonly scriptsConfigMap: string;
  /** Size limit of the work and scratch emptyDirs. */
  readonly scratchSize: string;
  /** Resources of each container. */
  readonly resources: ResolvedComputeResources;
}

/** A container that runs one of the scripts. */
export function scriptContainer(context: BackupPodContext, name: string, tool: 'mysql' | 'tools', script: string,
  mounts: k8s.VolumeMount[], env: k8s.EnvVar[], identity: UnixIdentity = BACKUP_IDENTITY): k8s.Container {
  return {
    name,
    image: tool === 'mysql' ? context.mysqlImage : context.toolsImage,
    imagePullPolicy: 'IfNotPresent',
    command: [tool === 'mysql' ? 'bash' : 'sh', `${PATHS.scripts}/${script}`],
    env: [...commonEnv(context), ...env],
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

function commonEnv(context: BackupPodContext): k8s.EnvVar[] {
  return [
    { name: 'SITE', value: context.site },
    { name: 'NAMESPACE', value: context.namespace },
  ];
}

/** Environment of the steps that reach the database. */
export function databaseEnv(context: BackupPodContext): k8s.EnvVar[] {
  return [
    { name: 'DB_HOST', value: context.databaseHost },
    { name: 'DB_PORT', value: String(context.databasePort) },
  ];
}

/** Environment and mounts of the steps that reach the destination. */
export function destinationParts(context: BackupPodContext): { env: k8s.EnvVar[]; mounts: k8s.VolumeMount[] } {
  const destination = context.destination;
  if (destination.kind === 'claim') {
    return {
      env: [{ name: 'DESTINATION', value: 'claim' }, { name: 'BACKUP_DIR', value: PATHS.backups }],
      mounts: [{ name: 'backups', mountPath: PATHS.backups }],
    };
  }
  return {
    env: [
      { name: 'DESTINATION', value: 's3' },
      { name: 'S3_BASE', value: destination.s3Base! },
      { name: 'S3_REGION', value: destination.region! },
      { name: 'S3_PREFIX', value: destination.prefix! },
      ...(destination.credentialsSecret ? [{ name: 'S3_KEYS_DIR', value: PATHS.s3Secret }] : []),
    ],
    mounts: destination.credentialsSecret ? [{ name: 's3-credentials', mountPath: PATHS.s3Secret, readOnly: true }] : [],
  };
}

/** The mount of the database Secret. */
export const DB_SECRET_MOUNT: k8s.VolumeMount = { name: 'db-credentials', mountPath: PATHS.dbSecret, readOnly: true };

/** The volumes of a backup or restore pod. */
export function podVolumes(context: BackupPodContext, contentReadOnly: boolean): k8s.Volume[] {
  const size = k8s.Quantity.fromString(context.scratchSize);
  const destination = context.destination;
  return [
    { name: 'scripts', configMap: { name: context.scriptsConfigMap, defaultMode: 0o444 } },
    { name: 'work', emptyDir: { sizeLimit: size } },
    // Option files with passwords and keys: memory only, never the node's disk.
    { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
    { name: 'scratch', emptyDir: { sizeLimit: size } },
    {
      name: 'db-credentials',
      secret: {
        secretName: context.databaseSecret,
        defaultMode: 0o440,
        items: [DATABASE_SECRET_KEYS.database, DATABASE_SECRET_KEYS.username, DATABASE_SECRET_KEYS.password].map((key) => ({ key, path: key })),
      },
    },
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
