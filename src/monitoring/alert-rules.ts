/** Where the release's series are: the label values its alerts and dashboard select on. */
export interface SiteSeries {
  /** The release's namespace (`namespace` label of scraped pods and of kube-state-metrics series). */
  readonly namespace: string;
  /** Regular expression of the MySQL pod names. */
  readonly mysqlPods: string;
  /** Regular expression of the WordPress pod names. */
  readonly webPods: string;
  /** The Ingress whose ingress-nginx series hold the 5xx ratio and latency. @default - no request alerts */
  readonly ingressName?: string;
  /** Label of ingress-nginx series that holds the Ingress's namespace. */
  readonly ingressNamespaceLabel: string;
  /** Name of the backup CronJob. */
  readonly backupCronJob: string;
  /** Whether cert-manager issues the site's certificates in the cluster. */
  readonly certificates: boolean;
}

/** One Prometheus alerting rule. */
export interface AlertRule {
  /** Alert name. */
  readonly alert: string;
  /** PromQL expression: the alert fires for each series it returns. */
  readonly expr: string;
  /** How long the expression has to hold before the alert fires. */
  readonly for: string;
  /** The `severity` label. */
  readonly severity: 'critical' | 'warning';
  /** The `summary` annotation. */
  readonly summary: string;
}

/** Thresholds of the alerts (documented in docs/observability.md). */
export const ALERT_THRESHOLDS = {
  connectionsRatio: 0.8,
  slowQueriesPer15m: 10,
  errorRatio: 0.05,
  p95Seconds: 2,
  claimUsedRatio: 0.8,
  backupAgeHours: 26,
  certificateDays: 14,
} as const;

/** The alerts of one site, as PromQL over the exporters' and cluster agents' series. */
export function siteAlertRules(s: SiteSeries): AlertRule[] {
  const t = ALERT_THRESHOLDS;
  const db = `namespace="${s.namespace}",pod=~"${s.mysqlPods}"`;
  const ns = `namespace="${s.namespace}"`;
  const rules: AlertRule[] = [
    {
      alert: 'WordPressMySqlDown',
      expr: `mysql_up{${db}} == 0`,
      for: '2m',
      severity: 'critical',
      summary: `MySQL of ${s.namespace} does not answer its exporter`,
    },
    {
      alert: 'WordPressMySqlConnectionsNearMax',
      expr: `max by (pod) (mysql_global_status_threads_connected{${db}}) / max by (pod) (mysql_global_variables_max_connections{${db}}) > ${t.connectionsRatio}`,
      for: '5m',
      severity: 'warning',
      summary: `MySQL of ${s.namespace} uses more than ${t.connectionsRatio * 100}% of max_connections`,
    },
    {
      alert: 'WordPressMySqlSlowQueries',
      expr: `increase(mysql_global_status_slow_queries{${db}}[15m]) > ${t.slowQueriesPer15m}`,
      for: '15m',
      severity: 'warning',
      summary: `MySQL of ${s.namespace} logs more than ${t.slowQueriesPer15m} slow queries per 15 minutes`,
    },
  ];
  if (s.ingressName) {
    const ing = `${s.ingressNamespaceLabel}="${s.namespace}",ingress="${s.ingressName}"`;
    rules.push(
      {
        alert: 'WordPressHigh5xxRatio',
        expr: `sum(rate(nginx_ingress_controller_requests{${ing},status=~"5.."}[5m])) / sum(rate(nginx_ingress_controller_requests{${ing}}[5m])) > ${t.errorRatio}`,
        for: '5m',
        severity: 'critical',
        summary: `More than ${t.errorRatio * 100}% of the requests to ${s.ingressName} in ${s.namespace} fail with 5xx`,
      },
      {
        alert: 'WordPressHighP95Latency',
        expr: `histogram_quantile(0.95, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{${ing}}[5m]))) > ${t.p95Seconds}`,
        for: '10m',
        severity: 'warning',
        summary: `The 95th percentile of response times of ${s.ingressName} in ${s.namespace} is above ${t.p95Seconds}s`,
      },
    );
  }
  rules.push(
    {
      alert: 'WordPressClaimAlmostFull',
      expr: `kubelet_volume_stats_used_bytes{${ns}} / kubelet_volume_stats_capacity_bytes{${ns}} > ${t.claimUsedRatio}`,
      for: '10m',
      severity: 'warning',
      summary: `A volume claim in ${s.namespace} is more than ${t.claimUsedRatio * 100}% full`,
    },
    {
      // A CronJob that never succeeded has no last-success series: its age counts from its creation.
      alert: 'WordPressBackupTooOld',
      expr: `time() - max(kube_cronjob_status_last_successful_time{${ns},cronjob="${s.backupCronJob}"}) > ${t.backupAgeHours} * 3600`
        + ` or (time() - max(kube_cronjob_created{${ns},cronjob="${s.backupCronJob}"}) > ${t.backupAgeHours} * 3600`
        + ` unless max(kube_cronjob_status_last_successful_time{${ns},cronjob="${s.backupCronJob}"}))`,
      for: '10m',
      severity: 'critical',
      summary: `The last successful backup of ${s.namespace} (CronJob ${s.backupCronJob}) is older than ${t.backupAgeHours} hours`,
    },
    {
      // The backup's verification runs in its Job: a failed Job is a backup that cannot be trusted.
      // Only a failure newer than the last success: the CronJob keeps failed Jobs in its history.
      alert: 'WordPressBackupFailed',
      expr: `sum by (job_name) (kube_job_status_failed{${ns}}) > 0`
        + ` and on (job_name) max by (job_name) (kube_job_owner{${ns},owner_kind="CronJob",owner_name="${s.backupCronJob}"})`
        + ` and on (job_name) max by (job_name) (kube_job_created{${ns}})`
        + ` > scalar(max(kube_cronjob_status_last_successful_time{${ns},cronjob="${s.backupCronJob}"}) or vector(0))`,
      for: '0m',
      severity: 'critical',
      summary: `A backup Job of ${s.namespace} (CronJob ${s.backupCronJob}) failed, or its verification did`,
    },
  );
  if (s.certificates) {
    rules.push({
      alert: 'WordPressCertificateExpiresSoon',
      expr: `min by (name) (certmanager_certificate_expiration_timestamp_seconds{${ns}}) - time() < ${t.certificateDays} * 86400`,
      for: '1h',
      severity: 'warning',
      summary: `A certificate in ${s.namespace} expires within ${t.certificateDays} days (cert-manager has not renewed it)`,
    });
  }
  return rules;
}
