import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../src/common/k8s';
import { checkDnsLabel, checkNamespace } from '../src/common/checks';
import { markClusterScoped } from '../src/common/cluster-scoped';
import { markPrunable, StandardLabels } from '../src/common/labels';
import { ResourceBudget } from '../src/common/resource-budget';
import { Credentials } from '../src/credentials/credentials';
import { IngressOptions, WordPressIngress } from '../src/exposure/wordpress-ingress';
import { LoadBalancerOptions, LoadBalancerService } from '../src/exposure/load-balancer-service';
import { MySql, MySqlOptions } from '../src/mysql/mysql';
import { allowTraffic, NamespaceIsolation } from '../src/network/namespace-isolation';
import { InternetEgressOptions, ipBlocksOf, resolveInternetEgress } from '../src/network/internet-egress';
import { IWorkloadIdentity } from '../src/identity/workload-identity-interface';
import { InvalidPropError } from '../src/common/errors';
import { WordPress, WordPressOptions } from '../src/wordpress/wordpress';
import { ImageRegistry, resolveImage } from '../src/eks/images/image-registry';
import { Platform } from '../src/eks/platform';
import { MYSQL, WORDPRESS, WORDPRESS_CLI } from '../src/images';
import { checkIdFree, guardAgainstObjectClashes } from '../src/synth/object-clashes';
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
  /** The database. */
  public readonly mysql: MySql;
  /** The web tier. */
  public readonly wordpress: WordPress;
  /** Labels of the release. */
  public readonly releaseLabels: StandardLabels;
  /** The most every pod of the chart holds at once, for a namespace quota. */
  public readonly resourceBudgets: ResourceBudget[];
  /** The Ingress, unless `ingress: false`. */
  public readonly ingress?: WordPressIngress;

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
        },
      },
    });
    markClusterScoped(ns);

    const isolation = new NamespaceIsolation(this, 'isolation', { labels: labels.withComponent('network-policy'), namePrefix: release });
    isolation.node.addDependency(ns);

    const metrics = props.metrics ? resolveMetricsOptions('metrics', props.metrics, release, props.imageRegistry) : undefined;
    const credentials = (props.credentials ?? Credentials.generated()).bind(this, {
      namePrefix: release,
      labels,
      rewriteImage: props.imageRegistry ? (reference) => props.imageRegistry!.rewrite(reference) : undefined,
      metricsPassword: metrics !== undefined,
    });
    if (metrics && !credentials.secretNames.metrics) {
      throw new InvalidPropError('credentials', credentials.secretNames,
        'Credentials.fromExistingSecrets({ ..., metrics }) naming a Secret with the key `password` (the MySQL exporter\'s), or generated credentials, when metrics are on');
    }
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
    this.wordpress = new WordPress(this, 'wordpress', {
      name: release,
      ...props.wordpress,
      image: resolveImage(props.imageRegistry, props.wordpress?.image, WORDPRESS.image, 'wordpress.image'),
      cliImage: resolveImage(props.imageRegistry, props.wordpress?.cliImage, WORDPRESS_CLI.image, 'wordpress.cliImage'),
      database: this.mysql,
      credentials,
      labels,
      identity: platform.wordpressIdentity,
      podExtension: metrics && apacheExporterExtension({
        image: metrics.apacheExporterImage, configMapName: metrics.apacheConfigMapName, annotations: metrics.webAnnotations,
      }),
    });
    platform.extend(this, { release, labels, mysqlPodSelector: this.mysql.podSelector });

    this.resourceBudgets = [
      this.mysql.budget, this.wordpress.budget, this.wordpress.databaseUpgrade.budget, ...(credentials.budget ? [credentials.budget] : []),
    ];
    this.allowFlows(release, labels, props, platform.wordpressIdentity);

    if (props.ingress !== false) {
      this.ingress = new WordPressIngress(this, 'ingress', {
        ...props.ingress,
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
    if (metrics) {
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

  private allowFlows(release: string, labels: StandardLabels, props: WordPressChartProps, identity?: IWorkloadIdentity): void {
    const policyLabels = labels.withComponent('network-policy').all;
    allowTraffic(this, 'mysql-from-wordpress', {
      name: `${release}-mysql-from-web`,
      podSelector: this.mysql.podSelector,
      direction: 'Ingress',
      ports: [this.mysql.port],
      peerPodSelector: this.wordpress.podSelector,
      labels: policyLabels,
    });
    allowTraffic(this, 'wordpress-to-mysql', {
      name: `${release}-web-to-mysql`,
      podSelector: this.wordpress.podSelector,
      direction: 'Egress',
      ports: [this.mysql.port],
      peerPodSelector: this.mysql.podSelector,
      labels: policyLabels,
    });
    // The schema upgrade Job talks to MySQL and nothing else (DNS is open namespace-wide).
    allowTraffic(this, 'mysql-from-database-upgrade', {
      name: `${release}-mysql-from-update-db`,
      podSelector: this.mysql.podSelector,
      direction: 'Ingress',
      ports: [this.mysql.port],
      peerPodSelector: this.wordpress.databaseUpgrade.podSelector,
      labels: policyLabels,
    });
    allowTraffic(this, 'database-upgrade-to-mysql', {
      name: `${release}-update-db-to-mysql`,
      podSelector: this.wordpress.databaseUpgrade.podSelector,
      direction: 'Egress',
      ports: [this.mysql.port],
      peerPodSelector: this.mysql.podSelector,
      labels: policyLabels,
    });
    // The Ingress controller or load balancer lives outside this namespace, often outside the cluster.
    allowTraffic(this, 'wordpress-http', {
      name: `${release}-web-http-in`,
      podSelector: this.wordpress.podSelector,
      direction: 'Ingress',
      ports: [this.wordpress.httpPort],
      labels: policyLabels,
    });
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
