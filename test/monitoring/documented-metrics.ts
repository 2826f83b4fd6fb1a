/**
 * Metric names the exporters and agents document, copied by hand (a list to match the alerts and
 * panels against, not everything each one exports). Sources, read 2026-12-01:
 */
export const DOCUMENTED_METRICS: Record<string, { source: string; names: string[] }> = {
  'mysqld-exporter': {
    // `mysql_up` is set by the exporter itself; `mysql_global_status_*` / `mysql_global_variables_*`
    // are SHOW GLOBAL STATUS / VARIABLES names lower-cased under the collector's prefix
    // (prometheus/mysqld_exporter collector/global_status.go, global_variables.go; MySQL 8.4
    // reference manual, "Server Status Variables" and "Server System Variables").
    source: 'github.com/prometheus/mysqld_exporter README and collector/global_status.go, global_variables.go',
    names: [
      'mysql_up',
      'mysql_global_status_threads_connected',
      'mysql_global_status_slow_queries',
      'mysql_global_status_queries',
      'mysql_global_variables_max_connections',
    ],
  },
  'apache_exporter': {
    source: 'github.com/Lusitaniae/apache_exporter README, "Collectors" (metric list)',
    names: ['apache_up', 'apache_accesses_total', 'apache_workers', 'apache_scoreboard', 'apache_sent_kilobytes_total', 'apache_duration_ms_total'],
  },
  'ingress-nginx': {
    source: 'kubernetes.github.io/ingress-nginx/user-guide/monitoring/ ("Exposed metrics", request metrics)',
    names: ['nginx_ingress_controller_requests', 'nginx_ingress_controller_request_duration_seconds_bucket'],
  },
  'kube-state-metrics': {
    source: 'github.com/kubernetes/kube-state-metrics docs/metrics/workload/cronjob-metrics.md and job-metrics.md',
    names: ['kube_cronjob_status_last_successful_time', 'kube_cronjob_created', 'kube_job_status_failed', 'kube_job_owner', 'kube_job_created'],
  },
  'kubelet': {
    source: 'kubernetes.io/docs/reference/instrumentation/metrics/ (kubelet_volume_stats_*)',
    names: ['kubelet_volume_stats_used_bytes', 'kubelet_volume_stats_capacity_bytes'],
  },
  'cert-manager': {
    source: 'cert-manager.io/docs/devops-tips/prometheus-metrics/',
    names: ['certmanager_certificate_expiration_timestamp_seconds'],
  },
};

/** Every documented name, whatever its source. */
export const ALL_DOCUMENTED = new Set(Object.values(DOCUMENTED_METRICS).flatMap((entry) => entry.names));
