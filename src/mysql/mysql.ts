import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { CONFIG_HASH_ANNOTATION } from '../common/annotations';
import { checkDnsLabel, checkInteger } from '../common/checks';
import { ClaimStorage, checkedClaimSpec } from '../common/claim-spec';
import { contentHash } from '../common/content-hash';
import { ResourceBudget } from '../common/resource-budget';
import { extendBudget, PodExtension } from '../common/pod-extension';
import { StandardLabels } from '../common/labels';
import { ComputeResources, ResolvedComputeResources, resolveResources, toResourceRequirements } from '../common/resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/security-context';
import { BoundCredentials } from '../credentials/credentials';
import { DATABASE_SECRET_KEYS } from '../credentials/secret-keys';
import { checkMySqlImage, MYSQL } from '../images';
import { WorkloadServiceAccount } from '../identity/workload-service-account';
import { MySqlOptionValue, renderMySqlConfig } from './mysql-config';

/** Where WordPress (or any client) reaches a MySQL server. */
export interface DatabaseEndpoint {
  /** Host name clients connect to. */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Labels of the server pods, when they run in this cluster; NetworkPolicies use them. @default - an external database */
  readonly podSelector?: Record<string, string>;
  /** How WordPress encrypts (and verifies) the connection. @default - plain TCP (the in-cluster MySQL, inside the namespace's NetworkPolicies) */
  readonly tls?: DatabaseTls;
}

/** The PHP side of a TLS connection to the database. */
export interface DatabaseTls {
  /** PHP expression WordPress's MYSQL_CLIENT_FLAGS is defined as. */
  readonly clientFlags: string;
  /** ConfigMap with the CA bundle PHP verifies the server against (`openssl.cafile`). @default - no verification */
  readonly caBundle?: { readonly configMapName: string; readonly key: string };
  /** ConfigMap with a php.ini fragment (key `db-tls.ini`) that points `openssl.cafile` at the mounted bundle. @default - none */
  readonly phpIniConfigMapName?: string;
}

/** Storage of the MySQL data directory. */
export interface MySqlStorage extends ClaimStorage {
  /** Size of the volume claim. @default '20Gi' */
  readonly size?: string;
}

/** What a user chooses about MySQL. */
export interface MySqlOptions {
  /** Base name of the objects; the client Service has exactly this name. @default - `<releaseName>-mysql` in a WordPressChart; 'mysql' on its own */
  readonly name?: string;
  /** Official MySQL 8.4 image, with a tag (digest optional), from Docker Hub or a mirror. @default 'mysql:8.4.11@sha256:85b9bf2e29cf836ecb8c2a15a935d4ba0c606631dff1dd79531a11983c638f2a' */
  readonly image?: string;
  /** Data volume. @default - 20Gi from the default StorageClass */
  readonly storage?: MySqlStorage;
  /** Container resources; the InnoDB buffer pool is half the memory limit. @default - requests 250m/1Gi, limits 1/1Gi */
  readonly resources?: ComputeResources;
  /**
   * Extra `[mysqld]` options, overriding the defaults; `-` and `_` are the same in names. Options the
   * probes, volumes or security rely on (`skip-grant-tables`, `skip-networking`, `bind-address`,
   * `port`, `socket`, `datadir`, `pid-file`, `user`, `secure-file-priv`, `init-file`, enabling
   * `local-infile`, ...) are rejected. @default - none
   */
  readonly configOverrides?: Record<string, MySqlOptionValue>;
  /** Time for a clean InnoDB shutdown before SIGKILL. @default 120 */
  readonly terminationGracePeriodSeconds?: number;
}

/** Props of {@link MySql}. */
export interface MySqlProps extends MySqlOptions {
  /** Where the credentials Secret is (keys: `DATABASE_SECRET_KEYS`). */
  readonly credentials: BoundCredentials;
  /** Labels of the release; MySQL is its `database` component. */
  readonly labels: StandardLabels;
  /** What optional features (the metrics exporter) add to the pod. @default - nothing */
  readonly podExtension?: PodExtension;
}

const PORT = 3306;
const DATA_DIR = '/var/lib/mysql';
const CREDENTIALS_DIR = '/etc/mysql/credentials';
const DEFAULT_RESOURCES: ResolvedComputeResources = {
  requests: { cpu: '250m', memory: '1Gi' },
  limits: { cpu: '1', memory: '1Gi' },
};

/**
 * MySQL 8.4 as a single-replica StatefulSet on the official image, non-root with a read-only root
 * filesystem, its data directory on a claim template.
 *
 * cdk8s-plus-28's StatefulSet cannot declare volumeClaimTemplates, so this builds on the low-level API.
 */
export class MySql extends Construct implements DatabaseEndpoint {
  /** The client Service name. */
  public readonly host: string;
  /** The MySQL classic-protocol port. */
  public readonly port = PORT;
  /** Labels of the MySQL pod. */
  public readonly podSelector: Record<string, string>;
  /** The StatefulSet. */
  public readonly statefulSet: k8s.KubeStatefulSet;
  /** The ClusterIP Service clients use: only ready pods behind it. */
  public readonly service: k8s.KubeService;
  /** The headless Service that governs the StatefulSet's pod identities. */
  public readonly headlessService: k8s.KubeService;
  /** The my.cnf overrides. */
  public readonly configMap: k8s.KubeConfigMap;
  /** The most this database holds at once, for namespace quotas. */
  public readonly budget: ResourceBudget;

  constructor(scope: Construct, id: string, props: MySqlProps) {
    super(scope, id);
    const name = checkDnsLabel('mysql.name', props.name ?? 'mysql', 52);
    const image = checkMySqlImage('mysql.image', props.image ?? MYSQL.image);
    const claim = checkedClaimSpec('mysql.storage', props.storage, '20Gi', 'ReadWriteOnce');
    const grace = checkInteger('mysql.terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? 120, 30, 3600);
    const resources = resolveResources('mysql.resources', props.resources, DEFAULT_RESOURCES);
    const config = renderMySqlConfig(resources.limits.memory, props.configOverrides);

    const labels = props.labels.withComponent('database', 'mysql');
    this.podSelector = labels.selector;
    const extension = props.podExtension ?? {};
    this.budget = extendBudget({ pods: 1, perPod: resources, storageBytes: claim.bytes, claims: 1 }, extension);
    this.host = name;

    const serviceAccount = new WorkloadServiceAccount(this, 'service-account', { name, labels: labels.all });
    this.configMap = new k8s.KubeConfigMap(this, 'config', {
      metadata: { name: `${name}-config`, labels: labels.all },
      data: { 'wordpress.cnf': config },
    });
    this.headlessService = new k8s.KubeService(this, 'headless', {
      metadata: { name: `${name}-headless`, labels: labels.all },
      spec: {
        clusterIp: 'None',
        selector: labels.selector,
        ports: [{ name: 'mysql', port: PORT, targetPort: k8s.IntOrString.fromString('mysql') }],
      },
    });
    this.service = new k8s.KubeService(this, 'service', {
      metadata: { name, labels: labels.all },
      spec: {
        type: 'ClusterIP',
        selector: labels.selector,
        ports: [{ name: 'mysql', port: PORT, targetPort: k8s.IntOrString.fromString('mysql') }],
      },
    });

    const secretFile = (key: string) => `${CREDENTIALS_DIR}/${key}`;
    this.statefulSet = new k8s.KubeStatefulSet(this, 'statefulset', {
      metadata: { name, labels: labels.all, annotations: props.credentials.workloadAnnotations },
      spec: {
        serviceName: this.headlessService.name,
        replicas: 1,
        selector: { matchLabels: labels.selector },
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate' },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        template: {
          metadata: {
            labels: labels.all,
            annotations: { [CONFIG_HASH_ANNOTATION]: contentHash(config), ...extension.annotations },
          },
          spec: {
            serviceAccountName: serviceAccount.serviceAccount.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: grace,
            securityContext: restrictedPodSecurityContext(MYSQL.identity),
            ...(extension.initContainers ? { initContainers: extension.initContainers } : {}),
            containers: [{
              name: 'mysql',
              image,
              imagePullPolicy: 'IfNotPresent',
              ...(extension.mainArgs ? { args: extension.mainArgs } : {}),
              ports: [
                { name: 'mysql', containerPort: PORT, protocol: 'TCP' },
                { name: 'mysqlx', containerPort: 33060, protocol: 'TCP' },
              ],
              env: [
                // `_FILE` variants: the values stay in the mounted Secret, out of the pod spec and `env`.
                { name: 'MYSQL_DATABASE_FILE', value: secretFile(DATABASE_SECRET_KEYS.database) },
                { name: 'MYSQL_USER_FILE', value: secretFile(DATABASE_SECRET_KEYS.username) },
                { name: 'MYSQL_PASSWORD_FILE', value: secretFile(DATABASE_SECRET_KEYS.password) },
                { name: 'MYSQL_ROOT_PASSWORD_FILE', value: secretFile(DATABASE_SECRET_KEYS.rootPassword) },
                // No remote root account is created: root only over the local socket.
                { name: 'MYSQL_ROOT_HOST', value: 'localhost' },
              ],
              resources: toResourceRequirements(resources),
              securityContext: restrictedContainerSecurityContext(MYSQL.identity),
              // First initialisation (datadir, time zones, users) runs a socket-only temporary server;
              // TCP 3306 opens only when the real server starts: allow 5 minutes for it.
              startupProbe: {
                tcpSocket: { port: k8s.IntOrString.fromString('mysql') },
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 30,
              },
              // Ready means "the application user can log in over TCP", not just "the port is open".
              readinessProbe: {
                exec: {
                  // The same client-options file through process substitution that the image's entrypoint
                  // uses: the password never appears in argv or the environment.
                  command: ['bash', '-c',
                    `mysql --defaults-extra-file=<(printf '[client]\\nuser="%s"\\npassword="%s"\\n' `
                    + `"$(cat ${secretFile(DATABASE_SECRET_KEYS.username)})" "$(cat ${secretFile(DATABASE_SECRET_KEYS.password)})") `
                    + `--protocol=TCP -h 127.0.0.1 -P ${PORT} -e 'SELECT 1' >/dev/null`],
                },
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              // `mysqladmin ping` exits 0 even on "access denied": it only checks that mysqld answers,
              // so a credentials problem never gets the database restarted.
              livenessProbe: {
                exec: { command: ['mysqladmin', 'ping', '--silent', '--socket=/var/run/mysqld/mysqld.sock'] },
                periodSeconds: 20,
                timeoutSeconds: 5,
                failureThreshold: 6,
              },
              volumeMounts: [
                // A subPath keeps `lost+found` of a fresh ext4 volume out of the data directory,
                // which initialisation requires to be empty.
                { name: 'data', mountPath: DATA_DIR, subPath: 'mysql' },
                { name: 'config', mountPath: '/etc/mysql/conf.d', readOnly: true },
                { name: 'credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
                { name: 'run', mountPath: '/var/run/mysqld' },
                { name: 'tmp', mountPath: '/tmp' },
                ...extension.mainVolumeMounts ?? [],
              ],
            }, ...extension.containers ?? []],
            volumes: [
              { name: 'config', configMap: { name: this.configMap.name } },
              // Until the Secret exists the pod waits in ContainerCreating instead of crash-looping.
              { name: 'credentials', secret: { secretName: props.credentials.secretNames.database, defaultMode: 0o440 } },
              { name: 'run', emptyDir: { sizeLimit: k8s.Quantity.fromString('16Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
              ...extension.volumes ?? [],
            ],
          },
        },
        volumeClaimTemplates: [{
          metadata: { name: 'data', labels: labels.all },
          spec: claim.spec,
        }],
      },
    });
  }
}
