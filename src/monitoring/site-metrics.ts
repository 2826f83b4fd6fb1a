import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { StandardLabels } from '../common/labels';
import { allowTraffic } from '../network/namespace-isolation';
// Prometheus Operator bindings are loaded only for a site that uses the operator.
import type * as podMonitors from '../../imports/podmonitor-monitoring.coreos.com';
import type * as prometheusRules from '../../imports/prometheusrule-monitoring.coreos.com';
import { APACHE_EXPORTER_PORT, APACHE_STATUS_CONFIG_KEY, apacheStatusConfig } from './apache-status';
import { SiteSeries, siteAlertRules } from './alert-rules';
import { siteDashboard, sitePanels } from './dashboard';
import { ResolvedMetrics } from './metrics-options';
import { MYSQLD_EXPORTER_PORT } from './mysqld-exporter';

/** Props of {@link SiteMetrics}. */
export interface SiteMetricsProps {
  /** The checked metrics options. */
  readonly metrics: ResolvedMetrics;
  /** Release name: prefix of object names. */
  readonly release: string;
  /** Namespace of the release. */
  readonly namespace: string;
  /** Labels of the release; these objects are its `metrics` component. */
  readonly labels: StandardLabels;
  /** Name and pod labels of MySQL (a StatefulSet). */
  readonly mysql: { readonly name: string; readonly podSelector: Record<string, string> };
  /** Name and pod labels of WordPress (a Deployment). */
  readonly web: { readonly name: string; readonly podSelector: Record<string, string> };
  /** The Ingress, whose ingress-nginx series give the 5xx ratio and latency. @default - none */
  readonly ingressName?: string;
}

/**
 * Everything around the exporters (which the workloads carry as pod extensions): the Apache status
 * configuration, the NetworkPolicies that open the `metrics` ports to the scraper's namespace only,
 * the PodMonitor and PrometheusRule when the Prometheus Operator is used, and the Grafana dashboard.
 */
export class SiteMetrics extends Construct {
  /** The series the alerts and panels select. */
  public readonly series: SiteSeries;

  constructor(scope: Construct, id: string, props: SiteMetricsProps) {
    super(scope, id);
    const { metrics } = props;
    const labels = props.labels.withComponent('metrics').all;
    const policyLabels = props.labels.withComponent('network-policy').all;
    this.series = {
      namespace: props.namespace,
      mysqlPods: `${props.mysql.name}-[0-9]+`,
      webPods: `${props.web.name}-[a-z0-9]+-[a-z0-9]+`,
      ingressName: metrics.requestMetrics === 'ingress-nginx' ? props.ingressName : undefined,
      ingressNamespaceLabel: metrics.ingressNamespaceLabel,
      backupCronJob: metrics.backupCronJobName,
      certificates: metrics.certManager,
    };

    new k8s.KubeConfigMap(this, 'apache-status', {
      metadata: { name: metrics.apacheConfigMapName, labels },
      data: { [APACHE_STATUS_CONFIG_KEY]: apacheStatusConfig() },
    });

    allowTraffic(this, 'mysql-metrics', {
      name: `${props.release}-mysql-metrics-in`,
      podSelector: props.mysql.podSelector,
      direction: 'Ingress',
      ports: [MYSQLD_EXPORTER_PORT],
      peerNamespaces: metrics.scraperNamespaces,
      labels: policyLabels,
    });
    allowTraffic(this, 'web-metrics', {
      name: `${props.release}-web-metrics-in`,
      podSelector: props.web.podSelector,
      direction: 'Ingress',
      ports: [APACHE_EXPORTER_PORT],
      peerNamespaces: metrics.scraperNamespaces,
      labels: policyLabels,
    });

    if (metrics.operatorLabels) {
      const operatorLabels = { ...labels, ...metrics.operatorLabels };
      const { PodMonitor } = require('../../imports/podmonitor-monitoring.coreos.com') as typeof podMonitors;
      const { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } = require('../../imports/prometheusrule-monitoring.coreos.com') as typeof prometheusRules;
      // Only pods with a port named `metrics` become targets: the MySQL and WordPress pods.
      new PodMonitor(this, 'pod-monitor', {
        metadata: { name: props.release, labels: operatorLabels },
        spec: {
          selector: { matchLabels: { 'app.kubernetes.io/instance': props.labels.all['app.kubernetes.io/instance'] } },
          podMetricsEndpoints: [{ port: 'metrics', path: '/metrics', interval: '30s' }],
        },
      });
      new PrometheusRule(this, 'rules', {
        metadata: { name: props.release, labels: operatorLabels },
        spec: {
          groups: [{
            name: `${props.namespace}.${props.release}.wordpress`,
            rules: siteAlertRules(this.series).map((rule) => ({
              alert: rule.alert,
              expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr),
              for: rule.for,
              labels: { severity: rule.severity, namespace: props.namespace },
              annotations: { summary: rule.summary },
            })),
          }],
        },
      });
    }

    if (metrics.grafanaDashboard) {
      const dashboard = siteDashboard(`WordPress ${props.namespace}/${props.release}`, `wp-${props.namespace}-${props.release}`.slice(0, 40), sitePanels(this.series));
      new k8s.KubeConfigMap(this, 'dashboard', {
        // The label Grafana's dashboard sidecar (kube-prometheus-stack, grafana chart) watches by default.
        metadata: { name: `${props.release}-dashboard`, labels: { ...labels, grafana_dashboard: '1' } },
        data: { [`${props.release}.json`]: JSON.stringify(dashboard, undefined, 2) },
      });
    }
  }
}
