import { k8s } from '../common/k8s';
import { PodExtension } from '../common/pod-extension';
import { restrictedContainerSecurityContext } from '../common/security-context';
import { METRICS_SECRET_KEYS } from '../credentials/secret-keys';
import { MYSQL } from '../images';
import { MYSQLD_EXPORTER } from './exporter-images';

/** The exporter's MySQL account: on the socket only, so it exists for no other host. */
export const EXPORTER_USER = 'exporter';
/** mysqld_exporter's default port. */
export const MYSQLD_EXPORTER_PORT = 9104;
/** Name of the exporter's container in the MySQL pod (scrape configs select it by name). */
export const MYSQLD_EXPORTER_CONTAINER = 'mysqld-exporter';
const SOCKET = '/var/run/mysqld/mysqld.sock';
const INIT_DIR = '/var/run/mysql-init';
const INIT_FILE = `${INIT_DIR}/exporter-user.sql`;
const CLIENT_DIR = '/etc/mysqld-exporter';
const PASSWORD_DIR = '/etc/mysql/metrics-credentials';

/**
 * Statements MySQL runs at every start (`--init-file`), so the account is the same on a fresh data
 * directory (the entrypoint's `--initialize` and temporary server run them too) and on an existing
 * one, and a changed password takes effect at the next restart. One statement a line, as the
 * server reads them. Only what mysqld_exporter's default collectors read: PROCESS (InnoDB status,
 * processlist), REPLICATION CLIENT (replica status) and SELECT on performance_schema, never on the
 * WordPress tables.
 */
export function exporterUserSql(passwordVariable: string): string {
  const account = `'${EXPORTER_USER}'@'localhost'`;
  return [
    `CREATE USER IF NOT EXISTS ${account} IDENTIFIED BY '${passwordVariable}' WITH MAX_USER_CONNECTIONS 3;`,
    `ALTER USER ${account} IDENTIFIED BY '${passwordVariable}' WITH MAX_USER_CONNECTIONS 3;`,
    `GRANT PROCESS, REPLICATION CLIENT ON *.* TO ${account};`,
    `GRANT SELECT ON performance_schema.* TO ${account};`,
  ].join('\n');
}

/** Characters a password may have (a bracket expression): none that ends a quoted SQL string, an option-file value or a here-document. */
export const EXPORTER_PASSWORD_CHARACTERS = 'A-Za-z0-9_.~+=@%^*,:/-';

/**
 * Shell of the init container: the password from the Secret into the server's init file and the
 * exporter's client file, both on memory-backed volumes, both readable by 999 only.
 */
function prepareScript(): string {
  return [
    'set -eu',
    'umask 077',
    `password="$(cat ${PASSWORD_DIR}/${METRICS_SECRET_KEYS.password})"`,
    `case "$password" in ''|*[!${EXPORTER_PASSWORD_CHARACTERS}]*)`,
    `  echo "key ${METRICS_SECRET_KEYS.password} of the metrics Secret is empty or has a character other than ${EXPORTER_PASSWORD_CHARACTERS}" >&2; exit 1 ;;`,
    'esac',
    // printf rather than a here-document: bash may put one in a temporary file, and / is read-only.
    `printf '%s\\n' ${exporterUserSql('$password').split('\n').map((line) => `"${line}"`).join(' ')} > ${INIT_FILE}`,
    `printf '[client]\\nuser=%s\\npassword=%s\\nsocket=%s\\n' '${EXPORTER_USER}' "$password" '${SOCKET}' > ${CLIENT_DIR}/my.cnf`,
  ].join('\n');
}

/** Props of {@link mysqldExporterExtension}. */
export interface MysqldExporterProps {
  /** The exporter image. */
  readonly image: string;
  /** The MySQL image, for the init container (already on the node). */
  readonly mysqlImage: string;
  /** Secret with the keys of `METRICS_SECRET_KEYS`. */
  readonly secretName: string;
  /** Pod annotations (the `prometheus.io/*` ones without the operator). */
  readonly annotations?: Record<string, string>;
}

const RESOURCES = { requests: { cpu: '10m', memory: '32Mi' }, limits: { cpu: '100m', memory: '64Mi' } };

/**
 * mysqld_exporter as a sidecar of MySQL: it reaches the server over the shared socket directory, so
 * its account is `'exporter'@'localhost'` and no MySQL port opens for it; it lives and restarts with
 * the database it watches.
 */
export function mysqldExporterExtension(props: MysqldExporterProps): PodExtension {
  const security = restrictedContainerSecurityContext(MYSQL.identity);
  return {
    initContainers: [{
      name: 'exporter-user',
      image: props.mysqlImage,
      imagePullPolicy: 'IfNotPresent',
      command: ['bash', '-c', prepareScript()],
      securityContext: security,
      resources: { requests: { cpu: k8s.Quantity.fromString('10m'), memory: k8s.Quantity.fromString('16Mi') }, limits: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('32Mi') } },
      volumeMounts: [
        { name: 'metrics-credentials', mountPath: PASSWORD_DIR, readOnly: true },
        { name: 'mysql-init', mountPath: INIT_DIR },
        { name: 'exporter-client', mountPath: CLIENT_DIR },
      ],
    }],
    mainArgs: ['mysqld', `--init-file=${INIT_FILE}`],
    mainVolumeMounts: [{ name: 'mysql-init', mountPath: INIT_DIR, readOnly: true }],
    containers: [{
      name: MYSQLD_EXPORTER_CONTAINER,
      image: props.image,
      imagePullPolicy: 'IfNotPresent',
      args: [`--config.my-cnf=${CLIENT_DIR}/my.cnf`],
      ports: [{ name: 'metrics', containerPort: MYSQLD_EXPORTER_PORT, protocol: 'TCP' }],
      securityContext: { ...security, runAsUser: MYSQLD_EXPORTER.identity.uid, runAsGroup: MYSQLD_EXPORTER.identity.gid },
      resources: {
        requests: { cpu: k8s.Quantity.fromString(RESOURCES.requests.cpu), memory: k8s.Quantity.fromString(RESOURCES.requests.memory) },
        limits: { cpu: k8s.Quantity.fromString(RESOURCES.limits.cpu), memory: k8s.Quantity.fromString(RESOURCES.limits.memory) },
      },
      // mysql_up reports a database that does not answer: the exporter itself only has to serve HTTP.
      livenessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 30, timeoutSeconds: 5 },
      volumeMounts: [
        { name: 'exporter-client', mountPath: CLIENT_DIR, readOnly: true },
        { name: 'run', mountPath: '/var/run/mysqld' },
      ],
    }],
    volumes: [
      { name: 'metrics-credentials', secret: { secretName: props.secretName, defaultMode: 0o440 } },
      // Memory-backed: the password in them never touches the node's disk.
      { name: 'mysql-init', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
      { name: 'exporter-client', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('1Mi') } },
    ],
    annotations: props.annotations,
    resources: RESOURCES,
  };
}
