import { Construct } from 'constructs';
import { CONFIG_HASH_ANNOTATION } from '../../common/annotations';
import { checkInteger, checkNamespace } from '../../common/checks';
import { markClusterScoped } from '../../common/cluster-scoped';
import { contentHash } from '../../common/content-hash';
import { InvalidPropError } from '../../common/errors';
import { k8s } from '../../common/k8s';
import { StandardLabels } from '../../common/labels';
import { namespaceOf } from '../../common/namespace-of';
import { ComputeResources, resolveResources, toResourceRequirements } from '../../common/resources';
import { IWorkloadIdentity } from '../../identity/workload-identity-interface';
import { WorkloadServiceAccount } from '../../identity/workload-service-account';
import { siteMetricDeclarations, sitePrometheusConfig } from './prometheus-config';

/** What a user chooses about the Container Insights Prometheus scraper. */
export interface CloudWatchPrometheusOptions {
  /** Namespaces whose exporters are scraped; each site's `metrics.scraperNamespaces` must admit the agents' namespace. @default - every namespace */
  readonly namespaces?: string[];
  /** Seconds between scrapes. @default 60 */
  readonly scrapeIntervalSeconds?: number;
  /** IAM identity with CloudWatchAgentServerPolicy for its own ServiceAccount `cloudwatch-agent-prometheus`. @default - the CloudWatch agent's `identity` */
  readonly identity?: IWorkloadIdentity;
  /** Container resources. @default - requests 100m CPU and 256Mi, limits 500m and 512Mi */
  readonly resources?: ComputeResources;
}

/** Props of {@link CloudWatchPrometheus}. */
export interface CloudWatchPrometheusProps extends CloudWatchPrometheusOptions {
  /** EKS cluster name (checked). */
  readonly clusterName: string;
  /** AWS region (checked). */
  readonly region: string;
  /** Pinned image of the CloudWatch agent, already checked at the path the user wrote it (`monitoring.image`). */
  readonly image: string;
  /** Labels of the release. */
  readonly labels: StandardLabels;
  /** Where these options sit in the props the user wrote, for error messages. */
  readonly propPath: string;
}

const NAME = 'cloudwatch-agent-prometheus';
const CONFIG_DIR = '/etc/cwagentconfig';
const PROMETHEUS_DIR = '/etc/prometheusconfig';

/**
 * Container Insights Prometheus monitoring: the CloudWatch agent scrapes the sites' exporters and
 * publishes the series the alerts read as CloudWatch metrics (embedded metric format) in
 * `/aws/containerinsights/<cluster>/prometheus`, where the add-on's users look for them.
 *
 * One replica (a Deployment, `Recreate`), not a pod per node as for the node metrics: every agent
 * discovers every pod of the cluster, so a DaemonSet would scrape each exporter once per node and
 * publish each delta that many times. AWS's own cwagent-prometheus manifest is a one-replica
 * Deployment for this reason; `Recreate` keeps two from overlapping during a rollout.
 * Root with a writable root filesystem like the node agent (the image writes its translated
 * configuration under /opt/aws/amazon-cloudwatch-agent), but no host path, no capabilities.
 */
export class CloudWatchPrometheus extends Construct {
  /** The Deployment. */
  public readonly deployment: k8s.KubeDeployment;
  /** Namespaces it scrapes; undefined: every namespace. */
  public readonly namespaces?: readonly string[];

  constructor(scope: Construct, id: string, props: CloudWatchPrometheusProps) {
    super(scope, id);
    const at = props.propPath;
    const interval = checkInteger(`${at}.scrapeIntervalSeconds`, props.scrapeIntervalSeconds ?? 60, 10, 3600);
    if (props.namespaces !== undefined && props.namespaces.length === 0) {
      throw new InvalidPropError(`${at}.namespaces`, props.namespaces, 'at least one namespace, or leave it out to scrape every namespace');
    }
    const namespaces = props.namespaces?.map((ns, i) => checkNamespace(`${at}.namespaces[${i}]`, ns));
    this.namespaces = namespaces;
    const resources = resolveResources(`${at}.resources`, props.resources,
      { requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } });
    const labels = props.labels.withComponent('prometheus-metrics', NAME);
    const namespace = namespaceOf(this, 'The CloudWatch Prometheus scraper');

    new WorkloadServiceAccount(this, 'service-account', { name: NAME, labels: labels.all, identity: props.identity, callsKubernetesApi: true });
    // Pod discovery is all it asks of the API: no services, endpoints, nodes or /metrics (it scrapes pods, not the API server).
    const clusterScopedName = `${namespace}-${NAME}`;
    markClusterScoped(new k8s.KubeClusterRole(this, 'cluster-role', {
      metadata: { name: clusterScopedName, labels: labels.all },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }],
    }));
    markClusterScoped(new k8s.KubeClusterRoleBinding(this, 'cluster-role-binding', {
      metadata: { name: clusterScopedName, labels: labels.all },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterScopedName },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace }],
    }));

    const agentConfig = JSON.stringify({
      agent: { region: props.region },
      logs: {
        metrics_collected: {
          prometheus: {
            cluster_name: props.clusterName,
            log_group_name: `/aws/containerinsights/${props.clusterName}/prometheus`,
            prometheus_config_path: `${PROMETHEUS_DIR}/prometheus.yaml`,
            emf_processor: { metric_declaration: siteMetricDeclarations() },
          },
        },
        force_flush_interval: 5,
      },
    }, null, 2);
    const data = { 'cwagentconfig.json': agentConfig, 'prometheus.yaml': sitePrometheusConfig({ intervalSeconds: interval, namespaces }) };
    const configMap = new k8s.KubeConfigMap(this, 'config', { metadata: { name: NAME, labels: labels.all }, data });
    // Two directories of one ConfigMap: the agent reads every file of its config directory as agent configuration.
    const configVolume = (name: string, key: string): k8s.Volume => ({ name, configMap: { name: configMap.name, items: [{ key, path: key }] } });

    this.deployment = new k8s.KubeDeployment(this, 'deployment', {
      metadata: { name: NAME, labels: labels.all },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels.selector },
        template: {
          metadata: { labels: labels.all, annotations: { [CONFIG_HASH_ANNOTATION]: contentHash(data) } },
          spec: {
            serviceAccountName: NAME,
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
            terminationGracePeriodSeconds: 60,
            containers: [{
              name: 'cloudwatch-agent',
              image: props.image,
              imagePullPolicy: 'IfNotPresent',
              env: [{ name: 'CI_VERSION', value: 'k8s/1.3.0' }],
              resources: toResourceRequirements(resources),
              securityContext: {
                allowPrivilegeEscalation: false,
                privileged: false,
                readOnlyRootFilesystem: false,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                { name: 'agent-config', mountPath: CONFIG_DIR, readOnly: true },
                { name: 'prometheus-config', mountPath: PROMETHEUS_DIR, readOnly: true },
              ],
            }],
            volumes: [configVolume('agent-config', 'cwagentconfig.json'), configVolume('prometheus-config', 'prometheus.yaml')],
          },
        },
      },
    });
  }
}
