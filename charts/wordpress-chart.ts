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
import { allowTraffic, NamespaceIsolation } from '../src/network/namespace-isolation';
import { InternetEgressOptions, ipBlocksOf, resolveInternetEgress } from '../src/network/internet-egress';
import { IWorkloadIdentity } from '../src/identity/workload-identity-interface';
import { InvalidPropError } from '../src/common/errors';
import { WordPress, WordPressOptions } from '../src/wordpress/wordpress';
import { ImageRegistry, resolveImage } from '../src/eks/images/image-registry';
import { Platform } from '../src/eks/platform';
import { CURL, MYSQL, WORDPRESS, WORDPRESS_CLI } from '../src/images';
import { checkIdFree, guardAgainstObjectClashes } from '../src/synth/object-clashes';
import { BackupOptions, SiteBackup } from '../src/backup/site-backup';
import { RestoreOptions, SiteRestore } from '../src/backup/site-restore';

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
    if (props.externalDatabase) {
      this.externalDatabase = new ExternalDatabase(this, 'external-database', { ...props.externalDatabase, namePrefix: release, labels });
    }
    const credentials = (props.credentials ?? Credentials.generated()).bind(this, {
      namePrefix: release,
      labels,
      rewriteImage: props.imageRegistry ? (reference) => props.imageRegistry!.rewrite(reference) : undefined,
      databaseSecretName: this.externalDatabase?.credentialsSecretName,
    });
    if (!this.externalDatabase) {
      this.mysql = new MySql(this, 'mysql', {
        name: `${release}-mysql`,
        ...props.mysql,
        image: resolveImage(props.imageRegistry, props.mysql?.image, MYSQL.image, 'mysql.image'),
        credentials,
        labels,
      });
    }
    const database: DatabaseEndpoint = this.externalDatabase ?? this.mysql!;
    this.wordpress = new WordPress(this, 'wordpress', {
      name: release,
      ...props.wordpress,
      image: resolveImage(props.imageRegistry, props.wordpress?.image, WORDPRESS.image, 'wordpress.image'),
      cliImage: resolveImage(props.imageRegistry, props.wordpress?.cliImage, WORDPRESS_CLI.image, 'wordpress.cliImage'),
      database,
      credentials,
      labels,
      identity: platform.wordpressIdentity,
    });
    this.externalDatabase?.assignSecurityGroups([this.wordpress.podSelector, this.wordpress.databaseUpgrade.podSelector]);
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
    markPrunable(this, partOf);
  }

  private allowMySqlFlows(release: string, mysql: MySql, policyLabels: Record<string, string>): void {
    allowTraffic(this, 'mysql-from-wordpress', {
      name: `${release}-mysql-from-web`,
      podSelector: mysql.podSelector,
      direction: 'Ingress',
      ports: [mysql.port],
      peerPodSelector: this.wordpress.podSelector,
      labels: policyLabels,
    });
    allowTraffic(this, 'wordpress-to-mysql', {
      name: `${release}-web-to-mysql`,
      podSelector: this.wordpress.podSelector,
      direction: 'Egress',
      ports: [mysql.port],
      peerPodSelector: mysql.podSelector,
      labels: policyLabels,
    });
    // The schema upgrade Job talks to MySQL and nothing else (DNS is open namespace-wide).
    allowTraffic(this, 'mysql-from-database-upgrade', {
      name: `${release}-mysql-from-update-db`,
      podSelector: mysql.podSelector,
      direction: 'Ingress',
      ports: [mysql.port],
      peerPodSelector: this.wordpress.databaseUpgrade.podSelector,
      labels: policyLabels,
    });
    allowTraffic(this, 'database-upgrade-to-mysql', {
      name: `${release}-update-db-to-mysql`,
      podSelector: this.wordpress.databaseUpgrade.podSelector,
      direction: 'Egress',
      ports: [mysql.port],
      peerPodSelector: mysql.podSelector,
      labels: policyLabels,
    });
  }

  private allowFlows(release: string, labels: StandardLabels, props: WordPressChartProps, identity?: IWorkloadIdentity): void {
    const policyLabels = labels.withComponent('network-policy').all;
    if (this.mysql) this.allowMySqlFlows(release, this.mysql, policyLabels);
    if (this.externalDatabase) {
      // Only the database's own ranges on its port: the internet egress excludes private addresses.
      const clients = [['wordpress', this.wordpress.podSelector, 'web'], ['database-upgrade', this.wordpress.databaseUpgrade.podSelector, 'update-db']] as const;
      for (const [id, podSelector, short] of clients) {
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
