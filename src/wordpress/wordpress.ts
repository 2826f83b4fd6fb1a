import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { checkDnsLabel, checkInteger, checkOneOf, quantityToNumber } from '../common/checks';
import { ClaimStorage, checkedClaimSpec } from '../common/claim-spec';
import { ResourceBudget } from '../common/resource-budget';
import { contentHash } from '../common/content-hash';
import { CONFIG_HASH_ANNOTATION, EXTERNAL_REFS_ANNOTATION } from '../common/annotations';
import { extendBudget, PodExtension } from '../common/pod-extension';
import { InvalidPropError } from '../common/errors';
import { StandardLabels } from '../common/labels';
import { ComputeResources, ResolvedComputeResources, resolveResources, toResourceRequirements } from '../common/resources';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../common/security-context';
import { BoundCredentials } from '../credentials/credentials';
import { DatabaseEndpoint } from '../mysql/mysql';
import { checkWordPressCliImage, checkWordPressImage, WORDPRESS, WORDPRESS_CLI } from '../images';
import { IWorkloadIdentity } from '../identity/workload-identity-interface';
import { WorkloadServiceAccount } from '../identity/workload-service-account';
import { DatabaseUpgradeJob } from './database-upgrade-job';
import { PluginsJob, WordPressExtensions } from './plugins-job';
import { ObjectCacheOptions, Redis } from '../cache/redis';
import { objectCacheClient } from './object-cache';
import { WordPressCronJob, WordPressCronOptions } from './cron-job';
import { checkBelowContainer, CheckedPhpSettings, checkPhpSettings, PHP_CONF_DIR, PHP_INI_FILE, PhpSettings, renderPhpIni } from './php-settings';
import { renderConfigExtra, WordPressConfigOptions } from './site-config';
import { CheckedSmtp, checkSmtp, SMTP_CREDENTIALS_DIR, SMTP_PLUGIN, SMTP_PLUGIN_FILE, SmtpOptions } from './smtp';
import {
  CONTENT_DIR, databaseClientAnnotations, databaseCredentialsVolume, databaseTlsVolumes, DB_CREDENTIALS_DIR, DOCUMENT_ROOT, KEYS_DIR, REDIS_PASSWORD_DIR, redisPasswordVolume, wordPressEnvironment,
} from './wordpress-environment';

/** Access mode of the content volume. */
export type ContentAccessMode = 'ReadWriteOnce' | 'ReadWriteMany';

/** Storage of `wp-content` (plugins, themes, uploads); WordPress core comes from the image. */
export interface WordPressStorage extends ClaimStorage {
  /** Size of the claim. @default '10Gi' */
  readonly size?: string;
  /** ReadWriteOnce allows one replica only; ReadWriteMany allows several. @default 'ReadWriteOnce' */
  readonly accessMode?: ContentAccessMode;
}

/** CPU autoscaling; only with ReadWriteMany storage. */
export interface WordPressAutoscaling {
  /** Upper bound of replicas; equal to `replicas` means a fixed count (no autoscaler). @default - three times `replicas` */
  readonly maxReplicas?: number;
  /** Average CPU utilisation (percent of requests) to aim for. @default 70 */
  readonly targetCpuUtilization?: number;
}

/** What a user chooses about WordPress. */
export interface WordPressOptions extends WordPressExtensions {
  /** Name of the Deployment, Service and related objects. @default - the release name in a WordPressChart; 'wordpress' on its own */
  readonly name?: string;
  /** Official WordPress Apache image, with a tag (digest optional), from Docker Hub or a mirror. @default 'wordpress:7.1.1-php8.3-apache@sha256:eb039176b52f169c169b04d788a997646698432d69f7ef5252d9de96465b82d4' */
  readonly image?: string;
  /** Official WordPress CLI image that runs the database upgrade and plugins Jobs, with a tag (digest optional). @default 'wordpress:cli-2.12.0-php8.3@sha256:f8aeb68164c6a04f5dcc91da30d8ffa096b0f7fafb7a65f144c2dd62587caca0' */
  readonly cliImage?: string;
  /** Number of pods; more than one needs ReadWriteMany storage. @default 1 */
  readonly replicas?: number;
  /** The content volume. @default - 10Gi ReadWriteOnce from the default StorageClass */
  readonly storage?: WordPressStorage;
  /** Container resources. @default - requests 100m/256Mi, limits 1/512Mi */
  readonly resources?: ComputeResources;
  /** CPU autoscaling when running several replicas; `false` keeps exactly `replicas` pods. @default - on, when replicas > 1 */
  readonly autoscaling?: WordPressAutoscaling | false;
  /** Table prefix of the WordPress schema. @default 'wp_' */
  readonly tablePrefix?: string;
  /**
   * Seconds a terminating pod keeps serving before Apache stops (a preStop `sleep`), so that a load
   * balancer still routing to it gets answers. Platform.eks sets it for an ALB. @default 0: none
   */
  readonly preStopSleepSeconds?: number;
  /** Seconds a pod gets to stop, preStop included. @default 30, or the preStop delay plus 15 */
  readonly terminationGracePeriodSeconds?: number;
  /** wp-config.php settings: site URL, HTTPS, memory, file editing, raw lines. @default - DISALLOW_FILE_EDIT on, automatic core updates off, nothing else */
  readonly config?: WordPressConfigOptions;
  /** PHP limits (uploads, request body, memory, execution time), kept consistent with the Ingress's. @default - the image's PHP defaults: 2M uploads, 8M bodies, 128M, 30 s */
  readonly php?: PhpSettings;
  /** Run wp-cron from a CronJob (and not on page views): `true` for the defaults. @default false */
  readonly cron?: WordPressCronOptions | boolean;
  /** Send mail through an SMTP server, by a must-use plugin. @default - none: the image has no sendmail, so WordPress sends no mail (password resets included) */
  readonly smtp?: SmtpOptions;
  /** A Redis object cache reachable only from WordPress, used through the Redis Object Cache plugin (`redis-cache`, third-party) that the plugins Job installs: `true` for the defaults. @default false */
  readonly objectCache?: ObjectCacheOptions | boolean;
}

/** Props of {@link WordPress}. */
export interface WordPressProps extends WordPressOptions {
  /** The database to use. */
  readonly database: DatabaseEndpoint;
  /** Where the credentials Secrets are. */
  readonly credentials: BoundCredentials;
  /** Labels of the release; WordPress is its `web` component. */
  readonly labels: StandardLabels;
  /** Cloud identity of the WordPress pods (e.g. for a media-offload plugin). @default - none */
  readonly identity?: IWorkloadIdentity;
  /** The URL the chart's Ingress serves (first host, https with TLS), for `config.siteUrl: true` and the cron Host header. @default - none */
  readonly ingressUrl?: string;
  /** What optional features (the Apache metrics exporter) add to the pod. @default - nothing */
  readonly podExtension?: PodExtension;
}

/** The port Apache listens on; non-root thanks to the `ip_unprivileged_port_start` sysctl. */
const HTTP_PORT = 80;
const DEFAULT_RESOURCES: ResolvedComputeResources = {
  requests: { cpu: '100m', memory: '256Mi' },
  limits: { cpu: '1', memory: '512Mi' },
};

/**
 * WordPress on the official Apache image as a Deployment: non-root (www-data, 33) with a
 * read-only root filesystem, keys and DB credentials from Secrets.
 *
 * Only `wp-content` persists (the claim's `wp-content/` directory); core is copied from the image
 * into an emptyDir at every start, so a new image tag is a new WordPress. A
 * {@link DatabaseUpgradeJob} upgrades the schema for each image.
 */
export class WordPress extends Construct {
  /** Labels of the WordPress pods. */
  public readonly podSelector: Record<string, string>;
  /** The port the pods serve HTTP on. */
  public readonly httpPort = HTTP_PORT;
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** The ClusterIP Service in front of the pods (port 80, named `http`). */
  public readonly service: k8s.KubeService;
  /** The content claim; WordPress uses its `wp-content/` directory. */
  public readonly contentClaim: k8s.KubePersistentVolumeClaim;
  /** The Job that upgrades the database schema to the image's core. */
  public readonly databaseUpgrade: DatabaseUpgradeJob;
  /** The most the web tier holds at once (autoscaling maximum plus a rollout surge), for namespace quotas. */
  public readonly budget: ResourceBudget;
  /** The PHP limits, when `php` is set. */
  public readonly php?: CheckedPhpSettings;
  /** The CronJob running wp-cron, when `cron` is on. */
  public readonly cron?: WordPressCronJob;
  /** The pinned site URL (`WP_HOME`), when `config.siteUrl` is set. */
  public readonly siteUrl?: string;
  /** The SMTP settings, when `smtp` is set. */
  public readonly smtp?: CheckedSmtp;
  /** The Job installing the declared plugins and themes, when `plugins` or `themes` (or `objectCache`) is set. */
  public readonly pluginsJob?: PluginsJob;
  /** The object cache, when `objectCache` is on. */
  public readonly redis?: Redis;

  constructor(scope: Construct, id: string, props: WordPressProps) {
    super(scope, id);
    const name = checkDnsLabel('wordpress.name', props.name ?? 'wordpress', 52);
    const image = checkWordPressImage('wordpress.image', props.image ?? WORDPRESS.image);
    const cliImage = checkWordPressCliImage('wordpress.cliImage', props.cliImage ?? WORDPRESS_CLI.image);
    const replicas = checkInteger('wordpress.replicas', props.replicas ?? 1, 1, 100);
    const accessMode = checkOneOf('wordpress.storage.accessMode', props.storage?.accessMode ?? 'ReadWriteOnce', ['ReadWriteOnce', 'ReadWriteMany']);
    if (accessMode === 'ReadWriteOnce' && replicas > 1) {
      throw new InvalidPropError('wordpress.replicas', replicas,
        "1 with storage.accessMode 'ReadWriteOnce' (a second pod on another node cannot attach the volume); use ReadWriteMany storage such as EFS for more replicas (on a running site, a new claim the content is copied into: docs/upgrades.md)");
    }
    const claim = checkedClaimSpec('wordpress.storage', props.storage, '10Gi', accessMode);
    const tablePrefix = props.tablePrefix ?? 'wp_';
    if (!/^[A-Za-z0-9_]{1,20}$/.test(tablePrefix)) {
      throw new InvalidPropError('wordpress.tablePrefix', tablePrefix, '1-20 characters of A-Z, a-z, 0-9 and _');
    }
    const resources = resolveResources('wordpress.resources', props.resources, DEFAULT_RESOURCES);
    const labels = props.labels.withComponent('web', 'wordpress');
    this.podSelector = labels.selector;
    const containerMemory = quantityToNumber(resources.limits.memory);
    const cronOn = props.cron !== undefined && props.cron !== false;
    this.smtp = props.smtp === undefined ? undefined : checkSmtp('wordpress.smtp', props.smtp);
    const cacheOptions = props.objectCache === true ? {} : props.objectCache || undefined;
    if (cacheOptions && props.credentials.secretNames.redis === undefined) {
      throw new InvalidPropError('credentials.redis', undefined, 'the name of a Secret with the key "password" when wordpress.objectCache is on');
    }
    const cache = cacheOptions && objectCacheClient('wordpress.objectCache.plugin', `${name}-redis`, props.credentials.secretNames.redis!, cacheOptions.plugin);
    const config = renderConfigExtra('wordpress.config', props.config, {
      ingressUrl: props.ingressUrl, cronJob: cronOn, generatedLines: [...this.smtp?.configLines ?? [], ...cache?.configLines ?? []],
    });
    if (config.memoryLimitBytes !== undefined) {
      checkBelowContainer('wordpress.config.memoryLimit', props.config?.memoryLimit, config.memoryLimitBytes, containerMemory);
    }
    this.siteUrl = config.siteUrl;
    this.php = props.php === undefined ? undefined : checkPhpSettings('wordpress.php', props.php, containerMemory);
    const phpConfigMap = this.php && new k8s.KubeConfigMap(this, 'php', {
      metadata: { name: `${name}-php`, labels: labels.all },
      data: { [PHP_INI_FILE]: renderPhpIni(this.php) },
    });
    const muPlugins = this.smtp && new k8s.KubeConfigMap(this, 'mu-plugins', {
      metadata: { name: `${name}-mu-plugins`, labels: labels.all },
      data: { [SMTP_PLUGIN_FILE]: SMTP_PLUGIN },
    });
    // Files mounted with subPath or copied at start never see ConfigMap updates: a change rolls the pods instead.
    const mountedConfig = [this.php && renderPhpIni(this.php), this.smtp && SMTP_PLUGIN].filter((text) => text);
    const extension = props.podExtension ?? {};

    this.contentClaim = new k8s.KubePersistentVolumeClaim(this, 'content', {
      metadata: { name: `${name}-content`, labels: labels.all },
      spec: claim.spec,
    });

    const serviceAccount = new WorkloadServiceAccount(this, 'service-account', { name, labels: labels.all, identity: props.identity });
    const scaled = replicas > 1;
    if (!scaled && props.autoscaling) {
      throw new InvalidPropError('wordpress.autoscaling', props.autoscaling, 'only with replicas > 1 (and ReadWriteMany storage), or false');
    }
    const autoscaling = scaled && props.autoscaling !== false ? checkedAutoscaling(replicas, props.autoscaling) : undefined;
    const tlsVolumes = databaseTlsVolumes(props.database);
    const preStop = checkInteger('wordpress.preStopSleepSeconds', props.preStopSleepSeconds ?? 0, 0, 3600);
    const grace = checkInteger('wordpress.terminationGracePeriodSeconds', props.terminationGracePeriodSeconds ?? (preStop ? preStop + 15 : 30), 1, 7200);
    if (grace <= preStop) {
      throw new InvalidPropError('wordpress.terminationGracePeriodSeconds', grace, `more than preStopSleepSeconds (${preStop}), or the kubelet kills Apache before it stops gracefully`);
    }
    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name, labels: labels.all, annotations: withExternalRefs(databaseClientAnnotations(props.credentials, props.database), this.smtp?.options.credentialsSecret) },
      spec: {
        // With autoscaling the HPA owns the replica count; a value here would reset it at every apply.
        ...(autoscaling ? {} : { replicas }),
        selector: { matchLabels: labels.selector },
        // A surge pod on ReadWriteOnce storage hangs on Multi-Attach: replace instead.
        strategy: scaled
          ? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } }
          : { type: 'Recreate' },
        template: {
          metadata: {
            labels: labels.all,
            ...(mountedConfig.length || extension.annotations ? {
              annotations: {
                ...extension.annotations,
                ...(mountedConfig.length ? { [CONFIG_HASH_ANNOTATION]: contentHash(mountedConfig) } : {}),
              },
            } : {}),
          },
          spec: {
            serviceAccountName: serviceAccount.serviceAccount.name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: grace,
            securityContext: restrictedPodSecurityContext(WORDPRESS.identity, [
              // Lets Apache bind :80 without root or NET_BIND_SERVICE; a "safe" namespaced sysctl.
              { name: 'net.ipv4.ip_unprivileged_port_start', value: '0' },
            ]),
            topologySpreadConstraints: ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
              maxSkew: 1,
              topologyKey,
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: labels.selector },
            })),
            ...(muPlugins ? { initContainers: [muPluginsInstaller(image, resources)] } : {}),
            containers: [{
              name: 'wordpress',
              image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: HTTP_PORT, protocol: 'TCP' }],
              env: wordPressEnvironment(props.database, tablePrefix, true, config.php),
              resources: toResourceRequirements(resources),
              securityContext: restrictedContainerSecurityContext(WORDPRESS.identity),
              // The image stops Apache with SIGWINCH (graceful): requests in flight finish.
              ...(preStop ? { lifecycle: { preStop: { exec: { command: ['sleep', String(preStop)] } } } } : {}),
              // Apache starts only after the entrypoint copied core (seconds) and any missing bundled
              // plugins and themes into wp-content (the first start on EFS takes longest).
              startupProbe: {
                tcpSocket: { port: k8s.IntOrString.fromString('http') },
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 60,
              },
              // PHP and the database both have to answer (a redirect to the installer counts as ready).
              readinessProbe: {
                httpGet: { path: '/wp-login.php', port: k8s.IntOrString.fromString('http') },
                periodSeconds: 10,
                timeoutSeconds: 5,
                failureThreshold: 3,
              },
              // Only Apache itself: a database outage must not restart every web pod.
              livenessProbe: {
                tcpSocket: { port: k8s.IntOrString.fromString('http') },
                periodSeconds: 20,
                timeoutSeconds: 5,
                failureThreshold: 6,
              },
              volumeMounts: [
                // The entrypoint copies core into the document root when it finds no index.php there,
                // which on an emptyDir is every start; it skips bundled plugins and themes that
                // wp-content already has, and writes wp-config.php from the WORDPRESS_* variables.
                { name: 'html', mountPath: DOCUMENT_ROOT },
                // A claim that held all of the document root (the layout before) keeps its wp-content/
                // there: the same claim serves both layouts without a copy. On a new claim the kubelet
                // creates the directory with the volume root's mode, which fsGroup made group-writable
                // and setgid, so it belongs to group 33 and www-data can write to it.
                { name: 'content', mountPath: `${DOCUMENT_ROOT}/${CONTENT_DIR}`, subPath: CONTENT_DIR },
                { name: 'db-credentials', mountPath: DB_CREDENTIALS_DIR, readOnly: true },
                { name: 'keys', mountPath: KEYS_DIR, readOnly: true },
                // apache2-foreground recreates /run/apache2 and /run/lock/apache2 (pid, mutex) here.
                { name: 'run', mountPath: '/run' },
                // PHP sessions and uploads in progress.
                { name: 'tmp', mountPath: '/tmp' },
                ...tlsVolumes.mounts,
                // One file, not the directory: the image's own ini files (extensions, opcache) stay.
                ...(phpConfigMap ? [{ name: 'php', mountPath: `${PHP_CONF_DIR}/${PHP_INI_FILE}`, subPath: PHP_INI_FILE, readOnly: true }] : []),
                ...(this.smtp?.options.credentialsSecret ? [{ name: 'smtp-credentials', mountPath: SMTP_CREDENTIALS_DIR, readOnly: true }] : []),
                ...(cache ? [{ name: 'redis-password', mountPath: REDIS_PASSWORD_DIR, readOnly: true }] : []),
                ...extension.mainVolumeMounts ?? [],
              ],
            }, ...extension.containers ?? []],
            volumes: [
              // Core (about 80 MB with its bundled themes), wp-config.php and .htaccess; none of it persists.
              { name: 'html', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
              { name: 'content', persistentVolumeClaim: { claimName: this.contentClaim.name } },
              // Until the Secrets exist the pod waits in ContainerCreating instead of crash-looping.
              databaseCredentialsVolume(props.credentials),
              { name: 'keys', secret: { secretName: props.credentials.secretNames.wordpressKeys, defaultMode: 0o440 } },
              { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: k8s.Quantity.fromString('16Mi') } },
              { name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
              ...tlsVolumes.volumes,
              ...(phpConfigMap ? [{ name: 'php', configMap: { name: phpConfigMap.name, defaultMode: 0o444 } }] : []),
              ...(muPlugins ? [{ name: 'mu-plugins', configMap: { name: muPlugins.name, defaultMode: 0o444 } }] : []),
              ...(this.smtp?.options.credentialsSecret ? [{
                name: 'smtp-credentials',
                secret: { secretName: this.smtp.options.credentialsSecret, defaultMode: 0o440, items: [{ key: 'username', path: 'username' }, { key: 'password', path: 'password' }] },
              }] : []),
              ...(cache ? [redisPasswordVolume(cache.passwordSecret)] : []),
              ...extension.volumes ?? [],
            ],
          },
        },
      },
    });

    this.service = new k8s.KubeService(this, 'service', {
      metadata: { name, labels: labels.all },
      spec: {
        type: 'ClusterIP',
        selector: labels.selector,
        ports: [{ name: 'http', port: 80, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
      },
    });

    this.databaseUpgrade = new DatabaseUpgradeJob(this, 'database-upgrade', {
      name,
      wordpressImage: image,
      cliImage,
      database: props.database,
      credentials: props.credentials,
      tablePrefix,
      labels: props.labels,
    });

    if (cacheOptions && cache) {
      this.redis = new Redis(this, 'redis', {
        name: `${name}-redis`,
        image: cacheOptions.image,
        resources: cacheOptions.resources,
        passwordSecret: cache.passwordSecret,
        labels: props.labels,
      });
    }

    if (props.plugins !== undefined || props.themes !== undefined || cache) {
      this.pluginsJob = new PluginsJob(this, 'plugins', {
        name,
        plugins: props.plugins,
        themes: props.themes,
        wordpressImage: image,
        cliImage,
        database: props.database,
        credentials: props.credentials,
        tablePrefix,
        contentClaimName: this.contentClaim.name,
        // Several pods may attach a ReadWriteOnce volume as long as they share its node.
        colocateWith: accessMode === 'ReadWriteOnce' ? this.podSelector : undefined,
        labels: props.labels,
        objectCache: cache,
      });
    }

    if (cronOn) {
      const cronOptions = props.cron === true ? {} : props.cron as WordPressCronOptions;
      const url = this.siteUrl ?? props.ingressUrl;
      this.cron = new WordPressCronJob(this, 'cron', {
        ...cronOptions,
        name,
        serviceName: this.service.name,
        host: url ? new URL(url).host : undefined,
        labels: props.labels,
      });
    }

    if (scaled) this.addAvailability(name, labels, replicas, autoscaling);
    // A rolling update surges one pod over the most the Deployment runs.
    const maxPods = scaled ? (autoscaling?.maxReplicas ?? replicas) + 1 : 1;
    this.budget = extendBudget({ pods: maxPods, perPod: resources, storageBytes: claim.bytes, claims: 1 }, extension);
  }

  /** Adds the disruption budget, and the autoscaler unless the replica count is fixed. */
  private addAvailability(name: string, labels: StandardLabels, replicas: number, autoscaling?: CheckedAutoscaling): void {
    if (autoscaling) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'autoscaler', {
        metadata: { name, labels: labels.all },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.deployment.name },
          minReplicas: replicas,
          maxReplicas: autoscaling.maxReplicas,
          metrics: [{
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: autoscaling.targetCpuUtilization } },
          }],
        },
      });
    }
    new k8s.KubePodDisruptionBudget(this, 'disruption-budget', {
      metadata: { name, labels: labels.all },
      spec: {
        maxUnavailable: k8s.IntOrString.fromNumber(1),
        selector: { matchLabels: labels.selector },
      },
    });
  }
}

/** The workload's annotations with a Secret the user manages declared as an external reference. */
function withExternalRefs(annotations: Record<string, string>, secretName?: string): Record<string, string> {
  if (secretName === undefined) return annotations;
  const refs = [annotations[EXTERNAL_REFS_ANNOTATION], `Secret/${secretName}`].filter((ref) => ref).join(',');
  return { ...annotations, [EXTERNAL_REFS_ANNOTATION]: refs };
}

const MU_PLUGINS_SOURCE = '/etc/wordpress/mu-plugins';

/**
 * An init container that copies the must-use plugins from their ConfigMap into
 * `wp-content/mu-plugins/` on the claim, as www-data. A copy, not a nested mount: a mount point under
 * the claim's directory would be created by the container runtime as root, on the persistent volume,
 * leaving `mu-plugins/` unwritable for the site's own must-use plugins. Written to a temporary name
 * and renamed, so replicas starting together on shared storage never load half a file.
 */
function muPluginsInstaller(image: string, resources: ResolvedComputeResources): k8s.Container {
  const target = `/${CONTENT_DIR}/mu-plugins`;
  return {
    name: 'mu-plugins',
    image,
    imagePullPolicy: 'IfNotPresent',
    command: ['sh', '-c', [
      'set -eu',
      `mkdir -p ${target}`,
      `for file in ${MU_PLUGINS_SOURCE}/*.php; do`,
      `  tmp=$(mktemp ${target}/.cdk8s.XXXXXX)`,
      '  cat "$file" > "$tmp"',
      `  mv -f "$tmp" ${target}/"$(basename "$file")"`,
      'done',
    ].join('\n')],
    resources: toResourceRequirements({ requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: resources.limits.cpu, memory: '64Mi' } }),
    securityContext: restrictedContainerSecurityContext(WORDPRESS.identity),
    volumeMounts: [
      { name: 'content', mountPath: `/${CONTENT_DIR}`, subPath: CONTENT_DIR },
      { name: 'mu-plugins', mountPath: MU_PLUGINS_SOURCE, readOnly: true },
    ],
  };
}

interface CheckedAutoscaling {
  readonly maxReplicas: number;
  readonly targetCpuUtilization: number;
}

/** The autoscaler's bounds, or undefined when `maxReplicas` equals `replicas` (an HPA could not change anything). */
function checkedAutoscaling(replicas: number, autoscaling: WordPressAutoscaling = {}): CheckedAutoscaling | undefined {
  const maxReplicas = checkInteger('wordpress.autoscaling.maxReplicas', autoscaling.maxReplicas ?? replicas * 3, replicas, 1000);
  const targetCpuUtilization = checkInteger('wordpress.autoscaling.targetCpuUtilization', autoscaling.targetCpuUtilization ?? 70, 1, 100);
  return maxReplicas === replicas ? undefined : { maxReplicas, targetCpuUtilization };
}
