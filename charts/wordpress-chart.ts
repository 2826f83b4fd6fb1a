import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { k8s } from '../src/common/k8s';
import { checkDnsLabel, checkNamespace } from '../src/common/checks';
import { markClusterScoped } from '../src/common/cluster-scoped';
import { StandardLabels } from '../src/common/labels';
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
import { CURL, MYSQL, REDIS, WORDPRESS, WORDPRESS_CLI } from '../src/images';
import { withProxyLimits } from '../src/exposure/proxy-limits';
import { ingressSiteUrl } from '../src/exposure/site-url';
import { checkIdFree, guardAgainstObjectClashes } from '../src/synth/object-clashes';

/** Props of {@link WordPressChart}. */
export interface WordPressChartProps {
  /** Namespace created for the release and holding every object. @default 'wordpress' */
  readonly namespace?: string;
  /** Release name: `app.kubernetes.io/instance` and the prefix of object names. @default 'wordpress' */
  readonly releaseName?: string;
  /** `app.kubernetes.io/part-of`, the label to prune by. @default 'wordpress' */
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

    const credentials = (props.credentials ?? Credentials.generated()).bind(this, {
      namePrefix: release,
      labels,
      rewriteImage: props.imageRegistry ? (reference) => props.imageRegistry!.rewrite(reference) : undefined,
      redis: props.wordpress?.objectCache !== undefined && props.wordpress.objectCache !== false,
    });
    this.mysql = new MySql(this, 'mysql', {
      name: `${release}-mysql`,
      ...props.mysql,
      image: resolveImage(props.imageRegistry, props.mysql?.image, MYSQL.image, 'mysql.image'),
      credentials,
      labels,
    });
    this.wordpress = new WordPress(this, 'wordpress', {
      name: release,
      ...props.wordpress,
      image: resolveImage(props.imageRegistry, props.wordpress?.image, WORDPRESS.image, 'wordpress.image'),
      cliImage: resolveImage(props.imageRegistry, props.wordpress?.cliImage, WORDPRESS_CLI.image, 'wordpress.cliImage'),
      cron: cronWithImage(props.wordpress?.cron, props.imageRegistry),
      objectCache: objectCacheWithImage(props.wordpress?.objectCache, props.imageRegistry),
      ingressUrl: props.ingress ? ingressSiteUrl(props.ingress) : undefined,
      database: this.mysql,
      credentials,
      labels,
      identity: platform.wordpressIdentity,
    });
    platform.extend(this, { release, labels, mysqlPodSelector: this.mysql.podSelector });

    this.resourceBudgets = [
      this.mysql.budget, this.wordpress.budget, this.wordpress.databaseUpgrade.budget, ...(credentials.budget ? [credentials.budget] : []),
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
    const cron = this.wordpress.cron;
    if (cron) {
      // The cron call goes through the Service to a web pod, and nowhere else.
      allowTraffic(this, 'cron-to-wordpress', {
        name: `${release}-cron-to-web`,
        podSelector: cron.podSelector,
        direction: 'Egress',
        ports: [this.wordpress.httpPort],
        peerPodSelector: this.wordpress.podSelector,
        labels: policyLabels,
      });
      allowTraffic(this, 'wordpress-from-cron', {
        name: `${release}-web-from-cron`,
        podSelector: this.wordpress.podSelector,
        direction: 'Ingress',
        ports: [this.wordpress.httpPort],
        peerPodSelector: cron.podSelector,
        labels: policyLabels,
      });
    }
    const pluginsJob = this.wordpress.pluginsJob;
    if (pluginsJob) {
      // wp-cli talks to MySQL and downloads from wordpress.org (HTTPS, public addresses only).
      allowTraffic(this, 'mysql-from-plugins', {
        name: `${release}-mysql-from-plugins`,
        podSelector: this.mysql.podSelector,
        direction: 'Ingress',
        ports: [this.mysql.port],
        peerPodSelector: pluginsJob.podSelector,
        labels: policyLabels,
      });
      allowTraffic(this, 'plugins-to-mysql', {
        name: `${release}-plugins-to-mysql`,
        podSelector: pluginsJob.podSelector,
        direction: 'Egress',
        ports: [this.mysql.port],
        peerPodSelector: this.mysql.podSelector,
        labels: policyLabels,
      });
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
        allowTraffic(this, `redis-from-${client.id}`, {
          name: `${release}-redis-from-${client.name}`,
          podSelector: redis.podSelector,
          direction: 'Ingress',
          ports: [redis.port],
          peerPodSelector: client.podSelector,
          labels: policyLabels,
        });
        allowTraffic(this, `${client.id}-to-redis`, {
          name: `${release}-${client.name}-to-redis`,
          podSelector: client.podSelector,
          direction: 'Egress',
          ports: [redis.port],
          peerPodSelector: redis.podSelector,
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
