import { EXTERNAL_REFS_ANNOTATION } from '../common/annotations';
import { k8s } from '../common/k8s';
import { BoundCredentials } from '../credentials/credentials';
import { DATABASE_SECRET_KEYS, WORDPRESS_KEYS_SECRET_KEYS } from '../credentials/secret-keys';
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

/**
 * PHP that the image's wp-config-docker.php evaluates. Core comes from the image at every start,
 * so a core update WordPress installed itself would vanish at the next restart while the schema
 * it upgraded stayed: core moves only with the image tag. Plugin and theme updates live in
 * wp-content and are unaffected.
 */
export const CONFIG_EXTRA = "define('WP_AUTO_UPDATE_CORE', false);";

/**
 * The `WORDPRESS_*` variables the official images turn into wp-config.php: database settings and
 * table prefix, and (for the web pods) the keys and salts, all read from mounted Secret files.
 */
export function wordPressEnvironment(database: DatabaseEndpoint, tablePrefix: string, withKeys: boolean): k8s.EnvVar[] {
  return [
    { name: 'WORDPRESS_DB_HOST', value: `${database.host}:${database.port}` },
    { name: 'WORDPRESS_DB_NAME_FILE', value: `${DB_CREDENTIALS_DIR}/${DATABASE_SECRET_KEYS.database}` },
    { name: 'WORDPRESS_DB_USER_FILE', value: `${DB_CREDENTIALS_DIR}/${DATABASE_SECRET_KEYS.username}` },
    { name: 'WORDPRESS_DB_PASSWORD_FILE', value: `${DB_CREDENTIALS_DIR}/${DATABASE_SECRET_KEYS.password}` },
    { name: 'WORDPRESS_TABLE_PREFIX', value: tablePrefix },
    // wpdb passes MYSQL_CLIENT_FLAGS to mysqli_real_connect: the only TLS setting WordPress core reads.
    { name: 'WORDPRESS_CONFIG_EXTRA', value: database.tls ? `${CONFIG_EXTRA}\ndefine('MYSQL_CLIENT_FLAGS', ${database.tls.clientFlags});` : CONFIG_EXTRA },
    // A leading ':' keeps the image's own conf.d and adds the directory after it.
    ...(database.tls?.phpIniConfigMapName ? [{ name: 'PHP_INI_SCAN_DIR', value: `:${PHP_INI_EXTRA_DIR}` }] : []),
    ...(withKeys ? Object.entries(WORDPRESS_KEYS_SECRET_KEYS).map(([key, variable]) => ({
      name: `${variable}_FILE`, value: `${KEYS_DIR}/${key}`,
    })) : []),
  ];
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
