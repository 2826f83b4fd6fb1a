import { Yaml } from 'cdk8s';
import { APACHE_EXPORTER_CONTAINER } from '../../monitoring/apache-status';
import { MYSQLD_EXPORTER_CONTAINER } from '../../monitoring/mysqld-exporter';

/** One `emf_processor.metric_declaration` of the CloudWatch agent: which series become CloudWatch metrics, with which dimensions. */
export interface MetricDeclaration {
  /** Labels whose values, joined by `;`, are matched against `label_matcher`. */
  readonly source_labels: string[];
  /** Regular expression over the joined `source_labels`. */
  readonly label_matcher: string;
  /** Dimension sets each selected series is published under. */
  readonly dimensions: string[][];
  /** Regular expressions over metric names. */
  readonly metric_selectors: string[];
}

/** The port name both exporters publish, which the PodMonitor selects too. */
const METRICS_PORT = 'metrics';
/** Site-level dimensions: a CloudWatch alarm per site, whatever pod serves it. */
const SITE = ['ClusterName', 'Namespace', 'Release'];
const exactly = (names: string[]) => names.map((name) => `^${name}$`);

/**
 * The series the site's alerts read (docs/observability.md, "What comes from where"), as CloudWatch
 * metrics. Counters arrive as deltas between scrapes (the agent converts them), so a slow-query or
 * request count is a per-interval Sum. No 5xx ratio or latency: mod_status has neither, and behind
 * an ALB they are already CloudWatch's (`HTTPCode_Target_5XX_Count`, `TargetResponseTime`).
 */
export function siteMetricDeclarations(): MetricDeclaration[] {
  return [
    {
      source_labels: ['container_name'],
      label_matcher: `^${MYSQLD_EXPORTER_CONTAINER}$`,
      dimensions: [SITE],
      metric_selectors: exactly([
        'mysql_up', 'mysql_global_status_threads_connected', 'mysql_global_variables_max_connections',
        'mysql_global_status_slow_queries', 'mysql_global_status_queries',
      ]),
    },
    {
      source_labels: ['container_name'],
      label_matcher: `^${APACHE_EXPORTER_CONTAINER}$`,
      dimensions: [SITE, ['ClusterName', 'Namespace', 'PodName']],
      metric_selectors: exactly(['apache_up', 'apache_accesses_total', 'apache_duration_ms_total']),
    },
    {
      source_labels: ['container_name', 'state'],
      label_matcher: `^${APACHE_EXPORTER_CONTAINER};(busy|idle)$`,
      dimensions: [[...SITE, 'state']],
      metric_selectors: exactly(['apache_workers']),
    },
  ];
}

/** What the scrape covers. */
export interface ScrapeOptions {
  /** Seconds between scrapes. */
  readonly intervalSeconds: number;
  /** Namespaces discovered. @default - every namespace */
  readonly namespaces?: string[];
}

/**
 * Prometheus scrape configuration of the sites' exporters, for the CloudWatch agent's Prometheus
 * receiver. Targets are the containers named like the exporters, on their port named `metrics`,
 * whether or not the pods carry `prometheus.io/*` annotations (with the Prometheus Operator they do
 * not). The relabelled `Namespace`, `Release`, `PodName` and `container_name` labels are what the
 * metric declarations select and dimension by.
 */
export function sitePrometheusConfig(options: ScrapeOptions): string {
  const interval = `${options.intervalSeconds}s`;
  const copy = (source: string, target: string) => ({ source_labels: [source], action: 'replace', target_label: target });
  // cdk8s's YAML writer: its copy of the library is loaded with cdk8s anyway (test/lazy-loading.test.ts).
  return Yaml.stringify({
    global: { scrape_interval: interval, scrape_timeout: `${Math.min(10, options.intervalSeconds)}s` },
    scrape_configs: [{
      job_name: 'wordpress-exporters',
      sample_limit: 10000,
      metrics_path: '/metrics',
      kubernetes_sd_configs: [{ role: 'pod', ...(options.namespaces ? { namespaces: { names: options.namespaces } } : {}) }],
      relabel_configs: [
        {
          source_labels: ['__meta_kubernetes_pod_container_name', '__meta_kubernetes_pod_container_port_name'],
          action: 'keep',
          regex: `(${MYSQLD_EXPORTER_CONTAINER}|${APACHE_EXPORTER_CONTAINER});${METRICS_PORT}`,
        },
        copy('__meta_kubernetes_namespace', 'Namespace'),
        copy('__meta_kubernetes_pod_label_app_kubernetes_io_instance', 'Release'),
        copy('__meta_kubernetes_pod_name', 'PodName'),
        copy('__meta_kubernetes_pod_container_name', 'container_name'),
      ],
    }],
  });
}
