import { EXTERNAL_REFS_ANNOTATION } from '../common/annotations';
import { k8s } from '../common/k8s';
import { ResolvedComputeResources, toResourceRequirements } from '../common/resources';
import { restrictedContainerSecurityContext } from '../common/security-context';
import { WORDPRESS } from '../images';
import { BoundCredentials } from '../credentials/credentials';
import { DATABASE_SECRET_KEYS, REDIS_SECRET_KEYS, WORDPRESS_KEYS_SECRET_KEYS } from '../credentials/secret-keys';
import { DatabaseEndpoint } from '../mysql/mysql';

/** Document root of the official images: WordPress core, copied from the image at every start. */
export const DOCUMENT_ROOT = '/var/www/html';
/** The one directory of the document root that persists: plugins, themes, uploads. */
export const CONTENT_DIR = 'wp-content';
/** Where the database credentials Secret is mounted. */
export const DB_CREDENTIALS_DIR = '/etc/wordpress/db';
/** Where the database's CA bundle is mounted (TLS with verification). */
export const DB_CA_DIR = '/etc/wordpress/db-ca';
/** Where the php.ini fragment of database TLS is mounted; PHP_INI_SCAN_DIR adds it to the image's conf.d. */
export const PHP_INI_EXTRA_DIR = '/etc/wordpress/php';
/** Key (and file name) of that fragment. */
export const DB_TLS_INI = 'db-tls.ini';
/** Where the keys-and-salts Secret is mounted. */
export const KEYS_DIR = '/etc/wordpress/keys';
/** Where the Redis password Secret is mounted in the pods that use the object cache. */
export const REDIS_PASSWORD_DIR = '/etc/wordpress/redis';

/**
 * PHP that the image's wp-config-docker.php evaluates when nothing else is configured (the Jobs'
 * wp-config.php): automatic core updates off, see `renderConfigExtra`.
 */
export const CONFIG_EXTRA = "define('WP_AUTO_UPDATE_CORE', false);";

/**
 * The `WORDPRESS_*` variables the official images turn into wp-config.php: database settings and
 * table prefix, and (for the web pods) the keys and salts, all read from mounted Secret files.
 */
export function wordPressEnvironment(database: DatabaseEndpoint, tablePrefix: string, withKeys: boolean, configExtra = CONFIG_EXTRA): k8s.EnvVar[] {
  return [
    { name: 'WORDPRESS_DB_HOST', value: `${database.host}:${database.port}` },
    { name: 'WORDPRESS_DB_NAME_FILE', value: `${DB_CREDENTIALS_DIR}/${DATABASE_SECRET_KEYS.database}` },
    { name: 'WORDPRESS_DB_USER_FILE', value: `${DB_CREDENTIALS_DIR}/${DATABASE_SECRET_KEYS.username}` },
    { name: 'WORDPRESS_DB_PASSWORD_FILE', value: `${DB_CREDENTIALS_DIR}/${DATABASE_SECRET_KEYS.password}` },
    { name: 'WORDPRESS_TABLE_PREFIX', value: tablePrefix },
    // wpdb passes MYSQL_CLIENT_FLAGS to mysqli_real_connect: the only TLS setting WordPress core reads.
    { name: 'WORDPRESS_CONFIG_EXTRA', value: database.tls ? `${configExtra}\ndefine('MYSQL_CLIENT_FLAGS', ${database.tls.clientFlags});` : configExtra },
    // A leading ':' keeps the image's own conf.d and adds the directory after it.
    ...(database.tls?.phpIniConfigMapName ? [{ name: 'PHP_INI_SCAN_DIR', value: `:${PHP_INI_EXTRA_DIR}` }] : []),
    ...(withKeys ? Object.entries(WORDPRESS_KEYS_SECRET_KEYS).map(([key, variable]) => ({
      name: `${variable}_FILE`, value: `${KEYS_DIR}/${key}`,
    })) : []),
  ];
}

/** The Redis password Secret as a volume, for the pods that use the object cache. */
export function redisPasswordVolume(secretName: string): k8s.Volume {
  const key = REDIS_SECRET_KEYS.password;
  return { name: 'redis-password', secret: { secretName, defaultMode: 0o440, items: [{ key, path: key }] } };
}

/** The database credentials Secret as a volume; until it exists the pod waits in ContainerCreating instead of crash-looping. */
export function databaseCredentialsVolume(credentials: BoundCredentials): k8s.Volume {
  return { name: 'db-credentials', secret: { secretName: credentials.secretNames.database, defaultMode: 0o440 } };
}

/** The volumes and mounts of database TLS verification: the CA bundle and the php.ini that points PHP at it. */
export function databaseTlsVolumes(database: DatabaseEndpoint): { volumes: k8s.Volume[]; mounts: k8s.VolumeMount[] } {
  const tls = database.tls;
  if (!tls?.caBundle || !tls.phpIniConfigMapName) return { volumes: [], mounts: [] };
  return {
    volumes: [
      { name: 'db-ca', configMap: { name: tls.caBundle.configMapName, items: [{ key: tls.caBundle.key, path: tls.caBundle.key }], defaultMode: 0o444 } },
      { name: 'php-ini', configMap: { name: tls.phpIniConfigMapName, defaultMode: 0o444 } },
    ],
    mounts: [
      { name: 'db-ca', mountPath: DB_CA_DIR, readOnly: true },
      { name: 'php-ini', mountPath: PHP_INI_EXTRA_DIR, readOnly: true },
    ],
  };
}

/** The credentials' workload annotations, plus the CA bundle ConfigMap of database TLS, which the user manages. */
export function databaseClientAnnotations(credentials: BoundCredentials, database: DatabaseEndpoint): Record<string, string> {
  const caBundle = database.tls?.caBundle;
  if (!caBundle) return credentials.workloadAnnotations;
  const refs = [credentials.workloadAnnotations[EXTERNAL_REFS_ANNOTATION], `ConfigMap/${caBundle.configMapName}`].filter(Boolean).join(',');
  return { ...credentials.workloadAnnotations, [EXTERNAL_REFS_ANNOTATION]: refs };
}
/** What every wp-cli Job of a site needs: core from the site's image, the CLI, and the site's database. */
export interface WpCliJobProps {
  /** Name of the WordPress Deployment; the Job and its ServiceAccount are named after it. */
  readonly name: string;
  /** The WordPress image the Deployment runs: the core the Job copies and works on. */
  readonly wordpressImage: string;
  /** The WordPress CLI image that runs `wp`. */
  readonly cliImage: string;
  /** The database WordPress uses. */
  readonly database: DatabaseEndpoint;
  /** Where the database credentials Secret is. */
  readonly credentials: BoundCredentials;
  /** Table prefix of the WordPress schema. */
  readonly tablePrefix: string;
}

/**
 * For the wp-cli Jobs: the CLI image carries no core, so an init container copies the WordPress
 * image's core into the `html` emptyDir at the document root, with the same env-driven
 * wp-config.php the web pods' entrypoint writes.
 */
export function coreCopyContainer(wordpressImage: string, resources: ResolvedComputeResources): k8s.Container {
  return {
    name: 'core',
    image: wordpressImage,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', `cp -R /usr/src/wordpress/. ${DOCUMENT_ROOT}/ && cp /usr/src/wordpress/wp-config-docker.php ${DOCUMENT_ROOT}/wp-config.php`],
    resources: toResourceRequirements(resources),
    securityContext: restrictedContainerSecurityContext(WORDPRESS.identity),
    volumeMounts: [{ name: 'html', mountPath: DOCUMENT_ROOT }],
  };
}
