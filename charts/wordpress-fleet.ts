import { Construct } from 'constructs';
import { checkDnsLabel, checkInteger, checkNamespace, checkOneOf } from '../src/common/checks';
import { InvalidPropError } from '../src/common/errors';
import { markPrunable } from '../src/common/labels';
import { ComputeResources } from '../src/common/resources';
import { checkIngressHosts, IngressOptions } from '../src/exposure/wordpress-ingress';
import { HttpSources } from '../src/network/http-sources';
import { InternetEgressOptions } from '../src/network/internet-egress';
import { NamespaceQuota } from '../src/tenancy/namespace-quota';
import { WordPressChart } from './wordpress-chart';
import { ExternalDatabaseOptions, SecretsManagerCredentials } from '../src/database/external-database';
import { ImageRegistry } from '../src/eks/images/image-registry';
import { AlbIngressOptions, albIngress } from '../src/eks/load-balancing/alb-ingress';
import { AlbGroupMember, checkAlbGroupsConsistent } from '../src/eks/load-balancing/alb-ingress-group';
import { Platform } from '../src/eks/platform';
import { checkIdFree } from '../src/synth/object-clashes';
import { WordPressAutoscaling } from '../src/wordpress/wordpress';
import { BackupOptions } from '../src/backup/site-backup';
import { MetricsOptions, resolveMetricsOptions } from '../src/monitoring/metrics-options';

/** Size presets of a fleet site. */
export type SiteSize = 'small' | 'medium' | 'large';

/** One site of a fleet. */
export interface FleetSite {
  /** Site name: its namespace and release name (DNS-1123 label, at most 40 characters, unique). */
  readonly name: string;
  /** Host names the site answers on (at least one; unique across the fleet). */
  readonly hosts: string[];
  /** Resource preset. @default 'small' */
  readonly size?: SiteSize;
  /** WordPress replicas; more than one needs a ReadWriteMany class (EFS): `contentStorageClassName` here or on `Platform.eks`. @default 1 */
  readonly replicas?: number;
  /** CPU autoscaling above `replicas`, or `false` for exactly `replicas` pods. @default - up to three times `replicas`, when replicas > 1 */
  readonly autoscaling?: WordPressAutoscaling | false;
  /** Database volume size. @default - by size: 10Gi, 20Gi, 50Gi */
  readonly databaseStorage?: string;
  /** Content volume size. @default - by size: 5Gi, 10Gi, 20Gi */
  readonly contentStorage?: string;
  /** StorageClass of the content volume. @default - the platform's `contentStorageClassName` when replicas > 1, else the cluster default */
  readonly contentStorageClassName?: string;
  /** StorageClass of the database volume. @default - the platform's `databaseStorageClassName`, else the cluster default */
  readonly databaseStorageClassName?: string;
  /** Ingress options for this site; the fleet sets the hosts. @default - see WordPressFleetProps */
  readonly ingress?: IngressOptions;
  /**
   * ACM certificate for this site's hosts, on the shared ALB. When any site of the shared ALB has a
   * certificate (its own or the shared one), every site needs one: the HTTP-to-HTTPS redirect is
   * group-wide. @default - the shared ALB's certificates
   */
  readonly certificateArn?: string;
  /** This site's backups, replacing the fleet's `backup`; `false` for none. @default - the fleet's `backup` */
  readonly backup?: BackupOptions | false;
  /** This site's own database outside the cluster (RDS, Aurora). @default - the fleet's `sharedDatabase`, else MySQL in the cluster */
  readonly externalDatabase?: ExternalDatabaseOptions;
  /** This site's application metrics, replacing the fleet's `metrics`; `false` for none. @default - the fleet's `metrics` */
  readonly metrics?: MetricsOptions | false;
}

/**
 * One database server (an Aurora cluster) for every site of the fleet, each with its own database
 * and user: the database is named after the site (`-` becomes `_`) and its credentials are the
 * Secrets Manager secret `<secretIdPrefix><site name>` (JSON `username`, `password`).
 */
export interface SharedDatabaseOptions extends Omit<ExternalDatabaseOptions, 'databaseName' | 'secretsManager'> {
  /** Where each site's secret is: `secretIdPrefix` + the site's name. */
  readonly secretsManager: Omit<SecretsManagerCredentials, 'secretId'> & {
    /** Prefix of each site's secret name, e.g. `wordpress/` for `wordpress/shop`. */
    readonly secretIdPrefix: string;
  };
}

/** One ALB for the whole fleet, through an IngressGroup. */
export interface SharedAlbOptions {
  /** `group.name` every site's Ingress carries. @default 'wordpress-fleet' */
  readonly groupName?: string;
  /** ALB options common to every site (scheme, listeners, WAF, ...). @default - internet-facing, target-type ip */
  readonly options?: AlbIngressOptions;
}

/** Props of {@link WordPressFleet}. */
export interface WordPressFleetProps {
  /** The sites. */
  readonly sites: FleetSite[];
  /** `app.kubernetes.io/part-of` of every object, and the value of the prune label `apply.sh` selects by. @default 'wordpress-fleet' */
  readonly partOf?: string;
  /**
   * Ingress options of each site, given the site and its 1-based position in name order
   * (deterministic, for load-balancer rule order). @default - the site's own `ingress` and `hosts`
   */
  readonly ingressFor?: (site: FleetSite, position: number) => IngressOptions;
  /** Headroom of each namespace quota over what its workloads can hold, in percent. @default 20 */
  readonly quotaHeadroomPercent?: number;
  /** Share one ALB between every site; `group.order` is the site's position in name order. @default - no shared ALB */
  readonly sharedAlb?: SharedAlbOptions;
  /** Platform of every site. @default Platform.generic() */
  readonly platform?: Platform;
  /** Registry every image is pulled through. @default - the images' own registries */
  readonly imageRegistry?: ImageRegistry;
  /** Where requests to every site's HTTP port may come from (see WordPressChartProps.httpFrom). @default - any source */
  readonly httpFrom?: HttpSources;
  /** Let every site's WordPress reach the internet (see WordPressChartProps.allowInternetEgress). @default true */
  readonly allowInternetEgress?: boolean;
  /** Ports and excluded ranges of every site's internet egress. @default - see WordPressChartProps.internetEgress */
  readonly internetEgress?: InternetEgressOptions;
  /** Backups of every site (each at its own minute of the day); `false` for none. @default - daily, to a claim in each site's namespace */
  readonly backup?: BackupOptions | false;
  /** One database server outside the cluster for all sites, a database and user each. @default - each site's `externalDatabase`, else MySQL in the cluster */
  readonly sharedDatabase?: SharedDatabaseOptions;
  /**
   * Application metrics of every site (exporters, alerts, dashboard: docs/observability.md); a
   * site with an external database must opt out (`metrics: false`), its metrics are RDS's.
   * @default - none
   */
  readonly metrics?: MetricsOptions;
}

interface SizePreset {
  readonly mysql: ComputeResources;
  readonly wordpress: ComputeResources;
  readonly databaseStorage: string;
  readonly contentStorage: string;
}

const SIZES: Record<SiteSize, SizePreset> = {
  small: {
    mysql: { requests: { cpu: '100m', memory: '768Mi' }, limits: { cpu: '500m', memory: '768Mi' } },
    wordpress: { requests: { cpu: '50m', memory: '192Mi' }, limits: { cpu: '500m', memory: '384Mi' } },
    databaseStorage: '10Gi',
    contentStorage: '5Gi',
  },
  medium: {
    mysql: { requests: { cpu: '250m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } },
    wordpress: { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    databaseStorage: '20Gi',
    contentStorage: '10Gi',
  },
  large: {
    mysql: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } },
    wordpress: { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '2', memory: '1Gi' } },
    databaseStorage: '50Gi',
    contentStorage: '20Gi',
  },
};

/**
 * Many small WordPress sites from one list: each in its own namespace with its own MySQL,
 * credentials, NetworkPolicies, ResourceQuota and LimitRange.
 *
 * Each site is a WordPressChart added directly to `scope` (usually the App) under its own name, so
 * each site is one file named after it, e.g. `dist/bakery.k8s.yaml`.
 */
export class WordPressFleet {
  /** The site charts, in name order. */
  public readonly sites: WordPressChart[] = [];

  constructor(scope: Construct, props: WordPressFleetProps) {
    if (!Array.isArray(props.sites) || props.sites.length === 0) {
      throw new InvalidPropError('sites', props.sites, 'a list of at least one site');
    }
    checkUnique(props.sites);
    const partOf = checkDnsLabel('partOf', props.partOf ?? 'wordpress-fleet');
    const platform = props.platform ?? Platform.generic();
    if (props.sharedAlb && !props.ingressFor) checkCertificatesConsistent(props.sites, props.sharedAlb);
    // Each site with its position in `props.sites`, for error paths; in name order (localeCompare's, compiled once).
    const byName = new Intl.Collator().compare;
    const ordered = props.sites.map((site, given) => ({ site, given })).sort((a, b) => byName(a.site.name, b.site.name));
    const ingresses: AlbGroupMember[] = [];
    ordered.forEach(({ site, given }, index) => {
      const prop = `sites[${given}]`;
      checkIdFree(scope, site.name, `${prop}.name`);
      const size = SIZES[checkOneOf(`${prop}.size`, site.size ?? 'small', ['small', 'medium', 'large'])];
      const replicas = checkInteger(`${prop}.replicas`, site.replicas ?? 1, 1, 100);
      if (replicas > 1 && !site.contentStorageClassName && !platform.contentStorageClassName) {
        throw new InvalidPropError(`${prop}.contentStorageClassName`, site.contentStorageClassName,
          `a ReadWriteMany StorageClass (such as EFS) when replicas is ${replicas}, here or as Platform.eks({ contentStorageClassName })`);
      }
      const ingress = props.ingressFor ? props.ingressFor(site, index + 1)
        : props.sharedAlb ? mergeIngress(sharedAlbIngress(props.sharedAlb, site, index + 1), site.ingress)
          : site.ingress ?? {};
      const externalDatabase = site.externalDatabase ?? (props.sharedDatabase ? sharedDatabaseFor(props.sharedDatabase, site.name) : undefined);
      const metricsProp = site.metrics !== undefined ? `${prop}.metrics` : 'metrics';
      const metrics = site.metrics !== undefined ? site.metrics || undefined : props.metrics;
      if (metrics) {
        // Checked here too, so that an error names the path written (`sites[1].metrics...`), not the chart's `metrics`.
        resolveMetricsOptions(metricsProp, metrics, site.name, props.imageRegistry);
        if (externalDatabase) {
          throw new InvalidPropError(metricsProp, metrics, `nothing for site "${site.name}", whose database is outside the cluster (its metrics are RDS's, in CloudWatch): `
            + `set ${prop}.metrics to false`);
        }
      }
      const chart = new WordPressChart(scope, site.name, {
        ...(externalDatabase ? { externalDatabase } : {
          mysql: {
            resources: size.mysql,
            storage: { size: site.databaseStorage ?? size.databaseStorage, storageClassName: site.databaseStorageClassName },
          },
        }),
        namespace: site.name,
        releaseName: site.name,
        partOf,
        platform,
        imageRegistry: props.imageRegistry,
        httpFrom: props.httpFrom,
        allowInternetEgress: props.allowInternetEgress,
        internetEgress: props.internetEgress,
        backup: site.backup !== undefined ? site.backup : props.backup,
        metrics,
        ingress: { ...ingress, hosts: site.hosts },
        wordpress: {
          replicas,
          ...(site.autoscaling !== undefined ? { autoscaling: site.autoscaling } : {}),
          resources: size.wordpress,
          storage: {
            size: site.contentStorage ?? size.contentStorage,
            storageClassName: site.contentStorageClassName,
            accessMode: replicas > 1 ? 'ReadWriteMany' : 'ReadWriteOnce',
          },
        },
      });
      if (chart.ingress) ingresses.push({ prop: `${prop}.ingress`, annotations: chart.ingress.annotations });
      const quota = new NamespaceQuota(chart, 'quota', {
        budgets: chart.resourceBudgets,
        name: site.name,
        labels: chart.releaseLabels.withComponent('quota').all,
        headroomPercent: props.quotaHeadroomPercent,
      });
      // The chart marked the rest with the same partOf: only the quota is new.
      markPrunable(quota, partOf);
      this.sites.push(chart);
    });
    checkAlbGroupsConsistent(ingresses);
  }
}

/** A site's database on the fleet's shared server. */
function sharedDatabaseFor(shared: SharedDatabaseOptions, site: string): ExternalDatabaseOptions {
  const { secretIdPrefix, ...secretsManager } = shared.secretsManager;
  return { ...shared, databaseName: site.replace(/-/g, '_'), secretsManager: { ...secretsManager, secretId: `${secretIdPrefix}${site}` } };
}

/** A site's own Ingress options over the shared ones; annotations are merged, not replaced. */
function mergeIngress(shared: IngressOptions, own: IngressOptions = {}): IngressOptions {
  return { ...shared, ...own, annotations: { ...shared.annotations, ...own.annotations } };
}

/**
 * On one ALB the HTTP-to-HTTPS redirect is group-wide: a site without a certificate beside sites
 * with one would be redirected to an HTTPS listener that has no certificate for its hosts.
 */
function checkCertificatesConsistent(sites: FleetSite[], shared: SharedAlbOptions): void {
  const sharedCertificates = (shared.options?.certificateArns ?? []).length > 0;
  const withCertificate = sites.findIndex((site) => site.certificateArn !== undefined);
  // Without the redirect, HTTP keeps working for a site that has no certificate.
  if (sharedCertificates || withCertificate < 0 || shared.options?.sslRedirect === false) return;
  const without = sites.findIndex((site) => site.certificateArn === undefined);
  if (without >= 0) {
    throw new InvalidPropError(`sites[${without}].certificateArn`, undefined,
      `an ACM certificate for this site's hosts (or sharedAlb.options.certificateArns for every site): sites[${withCertificate}] `
      + `"${sites[withCertificate].name}" has one, and its HTTP-to-HTTPS redirect applies to every site of the shared ALB`);
  }
}

/** Every site in one IngressGroup, ordered by name; each with its own certificate when it has one. */
function sharedAlbIngress(shared: SharedAlbOptions, site: FleetSite, position: number): IngressOptions {
  if (position > 1000) {
    throw new InvalidPropError('sites', `${position} sites`, 'at most 1000 sites on one shared ALB (group.order ranges up to 1000)');
  }
  const certificateArns = site.certificateArn ? [site.certificateArn] : shared.options?.certificateArns;
  return albIngress({
    ...shared.options,
    ...(certificateArns ? { certificateArns } : {}),
    group: { name: shared.groupName ?? 'wordpress-fleet', order: position },
  });
}

function checkUnique(sites: FleetSite[]): void {
  const names = new Map<string, number>();
  const hosts = new Map<string, string>();
  sites.forEach((site, index) => {
    checkNamespace(`sites[${index}].name`, checkDnsLabel(`sites[${index}].name`, site.name, 40));
    if (names.has(site.name)) {
      throw new InvalidPropError(`sites[${index}].name`, site.name, `a name no other site has (sites[${names.get(site.name)}] is also "${site.name}")`);
    }
    names.set(site.name, index);
    if (!Array.isArray(site.hosts) || site.hosts.length === 0) {
      throw new InvalidPropError(`sites[${index}].hosts`, site.hosts, 'at least one host name');
    }
    checkIngressHosts(`sites[${index}].hosts`, site.hosts);
    for (const host of site.hosts) {
      if (hosts.has(host)) {
        throw new InvalidPropError(`sites[${index}].hosts`, host, `host names no other site uses (site "${hosts.get(host)}" has it)`);
      }
      hosts.set(host, site.name);
    }
  });
}
