import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../src/common/k8s';
import { checkDnsLabel, checkImage, checkNamespace } from '../src/common/checks';
import { markClusterScoped } from '../src/common/cluster-scoped';
import { markPrunable, StandardLabels } from '../src/common/labels';
import { ResourceBudget } from '../src/common/resource-budget';
import { Credentials } from '../src/credentials/credentials';
import { IngressOptions, WordPressIngress } from '../src/exposure/wordpress-ingress';
import { LoadBalancerOptions, LoadBalancerService } from '../src/exposure/load-balancer-service';
import { DatabaseEndpoint, MySql, MySqlOptions } from '../src/mysql/mysql';
import { ExternalDatabase, ExternalDatabaseOptions } from '../src/database/external-database';
import { allowPodFlow, allowTraffic, NamespaceIsolation } from '../src/network/namespace-isolation';
import { HttpSources, httpSourcePeers } from '../src/network/http-sources';
import { InternetEgressOptions, ipBlocksOf, resolveInternetEgress } from '../src/network/internet-egress';
import { IWorkloadIdentity } from '../src/identity/workload-identity-interface';
import { InvalidPropError } from '../src/common/errors';
import { WordPress, WordPressOptions } from '../src/wordpress/wordpress';
import { ImageRegistry, resolveImage } from '../src/eks/images/image-registry';
import { Platform } from '../src/eks/platform';
import { CURL, MYSQL, REDIS, WORDPRESS, WORDPRESS_CLI } from '../src/images';
import { withProxyLimits } from '../src/exposure/proxy-limits';
import { ingressSiteUrl } from '../src/exposure/site-url';
import { checkIdFree, guardAgainstObjectClashes } from '../src/synth/object-clashes';
import { BackupOptions, SiteBackup } from '../src/backup/site-backup';
import { RestoreOptions, SiteRestore } from '../src/backup/site-restore';
import { MetricsOptions, resolveMetricsOptions } from '../src/monitoring/metrics-options';
import { SiteMetrics } from '../src/monitoring/site-metrics';
import { mysqldExporterExtension } from '../src/monitoring/mysqld-exporter';
import { apacheExporterExtension } from '../src/monitoring/apache-status';

/** Props of {@link WordPressChart}. */
export interface WordPressChartProps {
  /** Namespace created for the release and holding every object. @default 'wordpress' */
  readonly namespace?: string;
  /** Release name: `app.kubernetes.io/instance` and the prefix of object names. @default 'wordpress' */
  readonly releaseName?: string;
  /** `app.kubernetes.io/part-of`, and the value of the prune label `apply.sh` selects by: unique per app on a cluster. @default 'wordpress' */
  readonly partOf?: string;
  /** Where passwords and keys come from. @default Credentials.generated() */
  readonly credentials?: Credentials;
  /** MySQL settings. @default - see MySqlOptions */
  readonly mysql?: MySqlOptions;
  /**
   * A MySQL-compatible database outside the cluster (RDS, Aurora) instead of the in-cluster MySQL:
   * no MySQL StatefulSet, claim, Service or MySQL NetworkPolicy is emitted.
   * @default - MySQL in the cluster
   */
  readonly externalDatabase?: ExternalDatabaseOptions;
  /** WordPress settings. @default - see WordPressOptions */
  readonly wordpress?: WordPressOptions;
  /**
   * A standard Ingress in front of WordPress, on the given `hosts` (or, on a local cluster only,
   * `anyHost: true`); `false` for none. @default - required: an Ingress needs `hosts` or `anyHost`
   */
  readonly ingress?: IngressOptions | false;
  /** A LoadBalancer Service in front of WordPress. @default - none */
  readonly loadBalancer?: LoadBalancerOptions;
  /**
   * Where requests to WordPress's HTTP port may come from: the Ingress controller's namespace and
   * the load balancer's address ranges. @default - any source (the controller's namespace and the load balancer are not known)
   */
  readonly httpFrom?: HttpSources;
  /**
   * Let WordPress reach the internet (updates, plugins, wp-cron through its own URL): public
   * addresses only, never the cluster, the cloud's metadata or private networks.
   * @default true
   */
  readonly allowInternetEgress?: boolean;
  /** Ports of the internet egress and the ranges that are not the internet. @default - TCP 80/443, every address outside DEFAULT_EXCLUDED_CIDRS */
  readonly internetEgress?: InternetEgressOptions;
  /** Where the site runs: `Platform.generic()` or `Platform.eks({...})`. @default Platform.generic() */
  readonly platform?: Platform;
  /** A mirror or pull-through cache every image is pulled through. @default - the images' own registries */
  readonly imageRegistry?: ImageRegistry;
  /** Scheduled, verified backups of the database and wp-content (wp-content only with `externalDatabase`: RDS snapshots keep the database); `false` for none. @default - daily to a claim in the namespace */
  readonly backup?: BackupOptions | false;
  /** A one-off restore of a backup into this site (needs `backup`). @default - none */
  readonly restore?: RestoreOptions;
  /** Application metrics: exporters beside MySQL and Apache, alerts and a dashboard (docs/observability.md). @default - none */
  readonly metrics?: MetricsOptions;
}

/** Pod Security Standards level every pod of this chart satisfies. */
const POD_SECURITY_LEVEL = 'restricted';

/**
 * A complete WordPress site in its own namespace: MySQL, WordPress, credentials generated in the
 * cluster, default-deny NetworkPolicies with the needed flows, and an Ingress and/or LoadBalancer.
 */
export class WordPressChart extends Chart {
  /** The in-cluster database, unless `externalDatabase` is given. */
  public readonly mysql?: MySql;
  /** The external database, when `externalDatabase` is given. */
  public readonly externalDatabase?: ExternalDatabase;
  /** The web tier. */
  public readonly wordpress: WordPress;
  /** Labels of the release. */
  public readonly releaseLabels: StandardLabels;
  /** The most every pod of the chart holds at once, for a namespace quota. */
  public readonly resourceBudgets: ResourceBudget[];
  /** The Ingress, unless `ingress: false`. */
  public readonly ingress?: WordPressIngress;
  /** The scheduled backups, unless `backup: false`. */
  public readonly backup?: SiteBackup;
  /** Namespaces whose scrapers the exporters' `metrics` ports admit, with `metrics`. */
  public readonly metricsScraperNamespaces?: readonly string[];

  constructor(scope: Construct, id: string, chartProps: WordPressChartProps = {}) {
    const platform = chartProps.platform ?? Platform.generic();
    const props = { ...chartProps, ...platform.shape(chartProps) };
    const namespace = checkNamespace('namespace', props.namespace ?? 'wordpress');
    checkIdFree(scope, id, 'id');
    super(scope, id, { namespace, disableResourceNameHashes: true });
    guardAgainstObjectClashes(this);
    const release = checkDnsLabel('releaseName', props.releaseName ?? 'wordpress', 40);
    const partOf = checkDnsLabel('partOf', props.partOf ?? 'wordpress');
    const labels = new StandardLabels({ name: 'wordpress', instance: release, component: 'site', partOf });
    this.releaseLabels = labels;

    const ns = new k8s.KubeNamespace(this, 'namespace', {
      metadata: {
        name: namespace,
        labels: {
          ...labels.withComponent('namespace').all,
          'pod-security.kubernetes.io/enforce': POD_SECURITY_LEVEL,
          'pod-security.kubernetes.io/warn': POD_SECURITY_LEVEL,
          'pod-security.kubernetes.io/audit': POD_SECURITY_LEVEL,
          ...props.namespaceLabels,
        },
      },
    });
    markClusterScoped(ns);

    const isolation = new NamespaceIsolation(this, 'isolation', { labels: labels.withComponent('network-policy'), namePrefix: release });
    isolation.node.addDependency(ns);

    if (chartProps.externalDatabase && chartProps.mysql) {
      throw new InvalidPropError('mysql', chartProps.mysql, 'nothing when externalDatabase is given (no MySQL runs in the cluster)');
    }
    if (chartProps.externalDatabase && chartProps.metrics) {
      throw new InvalidPropError('metrics', chartProps.metrics, 'nothing when externalDatabase is given (its metrics are RDS\'s, in CloudWatch; the exporters here watch MySQL in the cluster)');
    }
    if (props.externalDatabase) {
      this.externalDatabase = new ExternalDatabase(this, 'external-database', { ...props.externalDatabase, namePrefix: release, labels });
    }
    const metrics = props.metrics ? resolveMetricsOptions('metrics', props.metrics, release, props.imageRegistry) : undefined;
    const credentials = (props.credentials ?? Credentials.generated()).bind(this, {
      namePrefix: release,
      labels,
      rewriteImage: props.imageRegistry ? (reference) => props.imageRegistry!.rewrite(reference) : undefined,
      databaseSecretName: this.externalDatabase?.credentialsSecretName,
      redis: props.wordpress?.objectCache !== undefined && props.wordpress.objectCache !== false,
      metricsPassword: metrics !== undefined,
    });
    if (metrics && !credentials.secretNames.metrics) {
      throw new InvalidPropError('credentials', credentials.secretNames,
        'Credentials.fromExistingSecrets({ ..., metrics }) naming a Secret with the key `password` (the MySQL exporter\'s), or generated credentials, when metrics are on');
    }
    if (!this.externalDatabase) {
      const mysqlImage = resolveImage(props.imageRegistry, props.mysql?.image, MYSQL.image, 'mysql.image');
      this.mysql = new MySql(this, 'mysql', {
        name: `${release}-mysql`,
        ...props.mysql,
        image: mysqlImage,
        credentials,
        labels,
        podExtension: metrics && mysqldExporterExtension({
          image: metrics.mysqldExporterImage, mysqlImage, secretName: credentials.secretNames.metrics!, annotations: metrics.mysqlAnnotations,
        }),
      });
    }
    const database: DatabaseEndpoint = this.externalDatabase ?? this.mysql!;
    this.wordpress = new WordPress(this, 'wordpress', {
      name: release,
      ...props.wordpress,
      image: resolveImage(props.imageRegistry, props.wordpress?.image, WORDPRESS.image, 'wordpress.image'),
      cliImage: resolveImage(props.imageRegistry, props.wordpress?.cliImage, WORDPRESS_CLI.image, 'wordpress.cliImage'),
      cron: cronWithImage(props.wordpress?.cron, props.imageRegistry),
      objectCache: objectCacheWithImage(props.wordpress?.objectCache, props.imageRegistry),
      ingressUrl: props.ingress ? ingressSiteUrl(props.ingress) : undefined,
      database,
      credentials,
      labels,
      identity: platform.wordpressIdentity,
      podExtension: metrics && apacheExporterExtension({
        image: metrics.apacheExporterImage, configMapName: metrics.apacheConfigMapName, annotations: metrics.webAnnotations,
      }),
    });
    this.externalDatabase?.assignSecurityGroups(this.databaseClients().map((client) => client.podSelector));
    platform.extend(this, { release, labels, mysqlPodSelector: this.mysql?.podSelector });

    if (props.backup !== false) {
      const backup = props.backup ?? {};
      // Checked before a registry rewrites it, so that the message shows the value the user wrote.
      const toolsImage = checkImage('backup.toolsImage', backup.toolsImage ?? CURL.image);
      this.backup = new SiteBackup(this, 'backup', {
        ...backup,
        release,
        namespace,
        labels,
        // Undefined with an external database: RDS and Aurora back it up themselves, the backups hold wp-content.
        database: this.mysql,
        databaseSecret: credentials.secretNames.database,
        contentClaim: this.wordpress.contentClaim.name,
        contentAccessMode: props.wordpress?.storage?.accessMode ?? 'ReadWriteOnce',
        wordpressPodSelector: this.wordpress.podSelector,
        mysqlImage: resolveImage(props.imageRegistry, props.mysql?.image, MYSQL.image),
        resolvedToolsImage: resolveImage(props.imageRegistry, toolsImage, CURL.image),
        wordpressImage: props.wordpress?.image ?? WORDPRESS.image,
        tablePrefix: props.wordpress?.tablePrefix ?? 'wp_',
        workloadAnnotations: credentials.workloadAnnotations,
      });
      if (props.restore) {
        new SiteRestore(this, 'restore', {
          ...props.restore,
          release,
          labels: labels.withComponent('backup'),
          podContext: this.backup.podContext,
          serviceAccountName: this.backup.serviceAccountName,
          annotations: this.backup.annotations,
        });
      }
    } else if (props.restore) {
      throw new InvalidPropError('restore', props.restore, 'nothing when backup is false: a restore reads from the backup destination');
    }
    this.resourceBudgets = [
      ...(this.mysql ? [this.mysql.budget] : []), this.wordpress.budget, this.wordpress.databaseUpgrade.budget, ...(credentials.budget ? [credentials.budget] : []),
      ...(this.backup ? [this.backup.budget] : []),
      ...(this.wordpress.cron ? [this.wordpress.cron.budget] : []),
      ...(this.wordpress.pluginsJob ? [this.wordpress.pluginsJob.budget] : []),
      ...(this.wordpress.redis ? [this.wordpress.redis.budget] : []),
    ];
    this.allowFlows(release, labels, props, platform.wordpressIdentity);

    if (props.ingress !== false) {
      const php = this.wordpress.php;
      this.ingress = new WordPressIngress(this, 'ingress', {
        ...(php && props.ingress ? withProxyLimits(props.ingress, { bodyBytes: php.postMaxSizeBytes, executionSeconds: php.maxExecutionTime }) : props.ingress),
        name: release,
        serviceName: this.wordpress.service.name,
        servicePortName: 'http',
        labels: labels.withComponent('web', 'wordpress').all,
      });
    }
    if (props.loadBalancer) {
      new LoadBalancerService(this, 'load-balancer', {
        ...props.loadBalancer,
        name: `${release}-public`,
        podSelector: this.wordpress.podSelector,
        targetPortName: 'http',
        labels: labels.withComponent('web', 'wordpress').all,
      });
    }
    // metrics with an external database are refused above: MySQL runs here whenever metrics do.
    if (metrics && this.mysql) {
      this.metricsScraperNamespaces = metrics.scraperNamespaces;
      new SiteMetrics(this, 'metrics', {
        metrics,
        release,
        namespace,
        labels,
        mysql: { name: this.mysql.statefulSet.name, podSelector: this.mysql.podSelector },
        web: { name: this.wordpress.deployment.name, podSelector: this.wordpress.podSelector },
        ingressName: this.ingress?.ingress.name,
      });
    }
    markPrunable(this, partOf);
  }

  /** The pods that talk to the database: the web tier, the schema upgrade Job, the plugins Job. */
  private databaseClients(): { id: string; short: string; podSelector: Record<string, string> }[] {
    const pluginsJob = this.wordpress.pluginsJob;
    return [
      { id: 'wordpress', short: 'web', podSelector: this.wordpress.podSelector },
      { id: 'database-upgrade', short: 'update-db', podSelector: this.wordpress.databaseUpgrade.podSelector },
      ...(pluginsJob ? [{ id: 'plugins', short: 'plugins', podSelector: pluginsJob.podSelector }] : []),
    ];
  }

  /** Each database client reaches MySQL on its port, and MySQL accepts exactly those clients. */
  private allowMySqlFlows(release: string, mysql: MySql, policyLabels: Record<string, string>): void {
    for (const client of this.databaseClients()) {
      allowPodFlow(this, {
        client: { podSelector: client.podSelector, policyId: `${client.id}-to-mysql`, policyName: `${release}-${client.short}-to-mysql` },
        server: { podSelector: mysql.podSelector, policyId: `mysql-from-${client.id}`, policyName: `${release}-mysql-from-${client.short}` },
        port: mysql.port,
        labels: policyLabels,
      });
    }
  }

  private allowFlows(release: string, labels: StandardLabels, props: WordPressChartProps, identity?: IWorkloadIdentity): void {
    const policyLabels = labels.withComponent('network-policy').all;
    if (this.mysql) this.allowMySqlFlows(release, this.mysql, policyLabels);
    if (this.externalDatabase) {
      // Only the database's own ranges on its port: the internet egress excludes private addresses.
      for (const { id, short, podSelector } of this.databaseClients()) {
        allowTraffic(this, `${id}-to-database`, {
          name: `${release}-${short}-to-database`,
          podSelector,
          direction: 'Egress',
          ports: [this.externalDatabase.port],
          peerIpBlocks: this.externalDatabase.ipBlocks,
          labels: policyLabels,
        });
      }
    }
    // The Ingress controller or load balancer lives outside this namespace, often outside the cluster.
    allowTraffic(this, 'wordpress-http', {
      name: `${release}-web-http-in`,
      podSelector: this.wordpress.podSelector,
      direction: 'Ingress',
      ports: [this.wordpress.httpPort],
      ...httpSourcePeers('httpFrom', props.httpFrom),
      labels: policyLabels,
    });
    const cron = this.wordpress.cron;
    if (cron) {
      // The cron call goes through the Service to a web pod, and nowhere else.
      allowPodFlow(this, {
        client: { podSelector: cron.podSelector, policyId: 'cron-to-wordpress', policyName: `${release}-cron-to-web` },
        server: { podSelector: this.wordpress.podSelector, policyId: 'wordpress-from-cron', policyName: `${release}-web-from-cron` },
        port: this.wordpress.httpPort,
        labels: policyLabels,
      });
    }
    const pluginsJob = this.wordpress.pluginsJob;
    if (pluginsJob) {
      // wp-cli reaches the database (databaseClients) and downloads from wordpress.org (HTTPS, public addresses only).
      allowTraffic(this, 'plugins-internet', {
        name: `${release}-plugins-internet-out`,
        podSelector: pluginsJob.podSelector,
        direction: 'Egress',
        ports: [443],
        peerIpBlocks: resolveInternetEgress('internetEgress', props.internetEgress).ipBlocks,
        labels: policyLabels,
      });
    }
    const redis = this.wordpress.redis;
    if (redis) {
      // Redis answers WordPress and the plugins Job (whose writes must reach the cache), nobody else.
      const clients = [
        { id: 'wordpress', name: 'web', podSelector: this.wordpress.podSelector },
        ...(pluginsJob ? [{ id: 'plugins', name: 'plugins', podSelector: pluginsJob.podSelector }] : []),
      ];
      for (const client of clients) {
        allowPodFlow(this, {
          client: { podSelector: client.podSelector, policyId: `${client.id}-to-redis`, policyName: `${release}-${client.name}-to-redis` },
          server: { podSelector: redis.podSelector, policyId: `redis-from-${client.id}`, policyName: `${release}-redis-from-${client.name}` },
          port: redis.port,
          labels: policyLabels,
        });
      }
    }
    const smtp = this.wordpress.smtp;
    if (smtp) {
      const cidrs = smtp.options.destinationCidrs;
      if (cidrs !== undefined && (!Array.isArray(cidrs) || cidrs.length === 0)) {
        throw new InvalidPropError('wordpress.smtp.destinationCidrs', cidrs, 'a non-empty list of CIDR blocks, or none for public addresses only');
      }
      allowTraffic(this, 'wordpress-smtp', {
        name: `${release}-web-smtp-out`,
        podSelector: this.wordpress.podSelector,
        direction: 'Egress',
        ports: [smtp.port],
        peerIpBlocks: cidrs ? ipBlocksOf('wordpress.smtp.destinationCidrs', cidrs) : resolveInternetEgress('internetEgress', props.internetEgress).ipBlocks,
        labels: policyLabels,
      });
    }
    if (props.allowInternetEgress === false && props.internetEgress !== undefined) {
      throw new InvalidPropError('internetEgress', props.internetEgress, 'nothing when allowInternetEgress is false');
    }
    const internet = props.allowInternetEgress === false ? undefined : resolveInternetEgress('internetEgress', props.internetEgress);
    if (internet) {
      allowTraffic(this, 'wordpress-internet', {
        name: `${release}-web-internet-out`,
        podSelector: this.wordpress.podSelector,
        direction: 'Egress',
        ports: internet.ports,
        peerIpBlocks: internet.ipBlocks,
        labels: policyLabels,
      });
    }
    // The identity's endpoints stay reachable whatever the internet egress excludes, or the site fails to start.
    (identity?.endpoints ?? []).forEach((endpoint, index) => {
      if (endpoint.cidrs) {
        allowTraffic(this, `wordpress-identity-${index}`, {
          name: `${release}-web-identity-out${index ? `-${index + 1}` : ''}`,
          podSelector: this.wordpress.podSelector,
          direction: 'Egress',
          ports: [endpoint.port],
          peerIpBlocks: ipBlocksOf('platform.wordpressIdentity.endpoints', endpoint.cidrs),
          labels: policyLabels,
        });
      } else if (!internet) {
        throw new InvalidPropError('allowInternetEgress', false,
          `true while WordPress has an IAM identity that needs ${endpoint.description} on ${endpoint.port}, a public endpoint (EKS Pod Identity needs no internet egress)`);
      } else if (!internet.ports.includes(endpoint.port)) {
        throw new InvalidPropError('internetEgress.ports', internet.ports,
          `a list including ${endpoint.port}: WordPress's IAM identity needs ${endpoint.description} there`);
      }
    });
  }
}

/** The cron options with their curl image pulled through the registry, like every other image. */
function cronWithImage(cron: WordPressOptions['cron'], registry?: ImageRegistry): WordPressOptions['cron'] {
  if (cron === undefined || cron === false) return cron;
  const options = cron === true ? {} : cron;
  return { ...options, image: resolveImage(registry, options.image, CURL.image, 'wordpress.cron.image') };
}

/** The object cache options with the Redis image pulled through the registry, like every other image. */
function objectCacheWithImage(cache: WordPressOptions['objectCache'], registry?: ImageRegistry): WordPressOptions['objectCache'] {
  if (cache === undefined || cache === false) return cache;
  const options = cache === true ? {} : cache;
  return { ...options, image: resolveImage(registry, options.image, REDIS.image, 'wordpress.objectCache.image') };
}
