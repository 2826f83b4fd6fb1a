import { checkImage, checkNamespace, checkOneOf } from '../common/checks';
import { InvalidPropError } from '../common/errors';
import { ImageRegistry, resolveImage } from '../eks/images/image-registry';
import { APACHE_EXPORTER, MYSQLD_EXPORTER } from './exporter-images';
import { ANNOTATION_PREFIX } from '../common/annotations';
import { contentHash } from '../common/content-hash';
import { APACHE_EXPORTER_PORT, apacheStatusConfig } from './apache-status';
import { MYSQLD_EXPORTER_PORT } from './mysqld-exporter';

/** Prometheus Operator objects of a site. */
export interface PrometheusOperatorOptions {
  /** Labels of the PodMonitor and PrometheusRule, for the Prometheus' selectors (kube-prometheus-stack: `release: <its release>`). @default - none */
  readonly labels?: Record<string, string>;
}

/** Application metrics of a site: exporters beside MySQL and Apache, alerts, a dashboard. */
export interface MetricsOptions {
  /** Namespaces of what scrapes the exporters (Prometheus, a CloudWatch agent); the `metrics` ports are open to their pods only. @default ['monitoring'] */
  readonly scraperNamespaces?: string[];
  /**
   * A PodMonitor and a PrometheusRule (the Prometheus Operator's CRDs must be installed); `false`
   * for the conventional `prometheus.io/scrape`, `port` and `path` pod annotations instead.
   * @default false
   */
  readonly prometheusOperator?: PrometheusOperatorOptions | boolean;
  /** A Grafana dashboard ConfigMap labelled `grafana_dashboard: "1"` for Grafana's sidecar. @default false */
  readonly grafanaDashboard?: boolean;
  /**
   * Where the 5xx ratio and latency come from: `ingress-nginx`'s request metrics of the site's
   * Ingress, or `none` (an ALB reports them to CloudWatch as `HTTPCode_Target_5XX_Count` and
   * `TargetResponseTime`, outside Prometheus). mod_status has neither.
   * @default 'ingress-nginx'
   */
  readonly requestMetrics?: 'ingress-nginx' | 'none';
  /** Label of ingress-nginx's series that holds the Ingress's namespace: `exported_namespace` when its scrape does not honour labels, else `namespace`. @default 'exported_namespace' */
  readonly ingressNamespaceLabel?: string;
  /** The site's certificates are cert-manager Certificates in its namespace: alert before they expire. @default false */
  readonly certManager?: boolean;
  /** Name of the backup CronJob the backup alerts watch. @default - `<releaseName>-backup` */
  readonly backupCronJobName?: string;
  /** mysqld_exporter image. @default 'quay.io/prometheus/mysqld-exporter:v0.17.2' */
  readonly mysqldExporterImage?: string;
  /** apache_exporter image. @default 'quay.io/prometheuscommunity/apache-exporter:v1.0.10' */
  readonly apacheExporterImage?: string;
}

/** MetricsOptions checked and completed. */
export interface ResolvedMetrics {
  readonly scraperNamespaces: string[];
  readonly operatorLabels?: Record<string, string>;
  readonly grafanaDashboard: boolean;
  readonly ingressNamespaceLabel: string;
  readonly requestMetrics: 'ingress-nginx' | 'none';
  readonly certManager: boolean;
  readonly backupCronJobName: string;
  readonly mysqldExporterImage: string;
  readonly apacheExporterImage: string;
  /** Pod annotations of the MySQL pod (without the operator). */
  readonly mysqlAnnotations?: Record<string, string>;
  /** Pod annotations of the WordPress pods. */
  readonly webAnnotations: Record<string, string>;
  /** Name of the ConfigMap with Apache's status configuration. */
  readonly apacheConfigMapName: string;
}

const PROMETHEUS_LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The conventional annotations a `kubernetes-pods` scrape job keeps. */
function scrapeAnnotations(port: number): Record<string, string> {
  return { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' };
}

function checkedScrapers(prop: string, namespaces: string[]): string[] {
  if (!Array.isArray(namespaces) || namespaces.length === 0) {
    throw new InvalidPropError(prop, namespaces, 'at least one namespace: with none, nothing could scrape the exporters');
  }
  return namespaces.map((namespace, index) => checkNamespace(`${prop}[${index}]`, namespace));
}

/** `options` (at `prop`) checked, with the defaults of `release`. */
export function resolveMetricsOptions(prop: string, options: MetricsOptions, release: string, registry?: ImageRegistry): ResolvedMetrics {
  const ingressNamespaceLabel = options.ingressNamespaceLabel ?? 'exported_namespace';
  if (!PROMETHEUS_LABEL.test(ingressNamespaceLabel)) {
    throw new InvalidPropError(`${prop}.ingressNamespaceLabel`, ingressNamespaceLabel, 'a Prometheus label name such as exported_namespace or namespace');
  }
  const operator = options.prometheusOperator ?? false;
  const image = (key: 'mysqldExporterImage' | 'apacheExporterImage', fallback: string) => {
    if (options[key] !== undefined) checkImage(`${prop}.${key}`, options[key]!);
    return resolveImage(registry, options[key], fallback, `${prop}.${key}`);
  };
  return {
    scraperNamespaces: checkedScrapers(`${prop}.scraperNamespaces`, options.scraperNamespaces ?? ['monitoring']),
    operatorLabels: operator === false ? undefined : operator === true ? {} : { ...operator.labels },
    grafanaDashboard: options.grafanaDashboard ?? false,
    ingressNamespaceLabel,
    requestMetrics: checkOneOf(`${prop}.requestMetrics`, options.requestMetrics ?? 'ingress-nginx', ['ingress-nginx', 'none']),
    certManager: options.certManager ?? false,
    backupCronJobName: options.backupCronJobName ?? `${release}-backup`,
    mysqldExporterImage: image('mysqldExporterImage', MYSQLD_EXPORTER.image),
    apacheExporterImage: image('apacheExporterImage', APACHE_EXPORTER.image),
    mysqlAnnotations: operator === false ? scrapeAnnotations(MYSQLD_EXPORTER_PORT) : undefined,
    webAnnotations: {
      ...(operator === false ? scrapeAnnotations(APACHE_EXPORTER_PORT) : {}),
      // A subPath mount never sees a changed ConfigMap: a new hash rolls the pods instead.
      [`${ANNOTATION_PREFIX}/apache-status-hash`]: contentHash(apacheStatusConfig()),
    },
    apacheConfigMapName: `${release}-apache-status`,
  };
}
