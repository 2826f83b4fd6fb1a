import { ALERT_THRESHOLDS, SiteSeries } from './alert-rules';

/** One panel: a title and its PromQL queries (tested like the alerts). */
export interface DashboardPanel {
  /** Panel title. */
  readonly title: string;
  /** Grafana unit of the values (`reqps`, `percentunit`, `s`, ...). */
  readonly unit: string;
  /** PromQL queries, one series set each. */
  readonly queries: string[];
}

/** The panels of one site's dashboard. */
export function sitePanels(s: SiteSeries): DashboardPanel[] {
  const db = `namespace="${s.namespace}",pod=~"${s.mysqlPods}"`;
  const web = `namespace="${s.namespace}",pod=~"${s.webPods}"`;
  const ns = `namespace="${s.namespace}"`;
  const panels: DashboardPanel[] = [
    { title: 'MySQL up', unit: 'none', queries: [`min(mysql_up{${db}})`] },
    {
      title: 'MySQL connections and max_connections',
      unit: 'none',
      queries: [`max(mysql_global_status_threads_connected{${db}})`, `max(mysql_global_variables_max_connections{${db}})`],
    },
    { title: 'MySQL queries per second', unit: 'reqps', queries: [`sum(rate(mysql_global_status_queries{${db}}[5m]))`] },
    { title: 'MySQL slow queries per 15 minutes', unit: 'none', queries: [`sum(increase(mysql_global_status_slow_queries{${db}}[15m]))`] },
    { title: 'Apache requests per second', unit: 'reqps', queries: [`sum(rate(apache_accesses_total{${web}}[5m]))`] },
    {
      title: 'Apache busy and idle workers',
      unit: 'none',
      queries: [`sum(apache_workers{${web},state="busy"})`, `sum(apache_workers{${web},state="idle"})`],
    },
  ];
  if (s.ingressName) {
    const ing = `${s.ingressNamespaceLabel}="${s.namespace}",ingress="${s.ingressName}"`;
    panels.push(
      {
        title: '5xx ratio (ingress-nginx)',
        unit: 'percentunit',
        queries: [`sum(rate(nginx_ingress_controller_requests{${ing},status=~"5.."}[5m])) / sum(rate(nginx_ingress_controller_requests{${ing}}[5m]))`],
      },
      {
        title: 'p95 latency (ingress-nginx)',
        unit: 's',
        queries: [`histogram_quantile(0.95, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{${ing}}[5m])))`],
      },
    );
  }
  panels.push(
    { title: 'Volume claims used', unit: 'percentunit', queries: [`kubelet_volume_stats_used_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}}`] },
    {
      title: `Hours since the last successful backup (alert above ${ALERT_THRESHOLDS.backupAgeHours})`,
      unit: 'h',
      queries: [`(time() - max(kube_cronjob_status_last_successful_time{${ns},cronjob="${s.backupCronJob}"})) / 3600`],
    },
  );
  if (s.certificates) {
    panels.push({ title: 'Days to certificate expiry', unit: 'd', queries: [`(min by (name) (certmanager_certificate_expiration_timestamp_seconds{${ns}}) - time()) / 86400`] });
  }
  return panels;
}

/** A Grafana dashboard (JSON model, schema 39) of time series panels, two a row. */
export function siteDashboard(title: string, uid: string, panels: DashboardPanel[]): Record<string, unknown> {
  return {
    uid,
    title,
    tags: ['wordpress', 'cdk8s-wordpress-eks'],
    schemaVersion: 39,
    editable: false,
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' }],
    },
    panels: panels.map((panel, index) => ({
      id: index + 1,
      type: 'timeseries',
      title: panel.title,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: panel.queries.map((expr, q) => ({ refId: String.fromCharCode(65 + q), expr })),
    })),
  };
}
