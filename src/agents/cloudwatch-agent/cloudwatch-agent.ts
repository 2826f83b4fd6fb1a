import { Construct } from 'constructs';
import { k8s } from '../../common/k8s';
import { StandardLabels } from '../../common/labels';
import { checkImage, checkInteger } from '../../common/checks';
import { InvalidPropError } from '../../common/errors';
import { checkClusterName, checkRegion } from '../../eks/aws-values';
import { IWorkloadIdentity } from '../../identity/workload-identity-interface';
import { CLOUDWATCH_AGENT } from '../agent-images';
import { NodeAgent, NodeAgentPlacement } from '../node-agent';
import { CloudWatchPrometheus, CloudWatchPrometheusOptions } from './cloudwatch-prometheus';

/** What a user chooses about the CloudWatch agent. */
export interface CloudWatchAgentOptions extends NodeAgentPlacement {
  /** IAM identity with CloudWatchAgentServerPolicy (IRSA or Pod Identity). @default - the node role */
  readonly identity?: IWorkloadIdentity;
  /** Seconds between metric collections. @default 60 */
  readonly metricsCollectionInterval?: number;
  /** Pinned image. @default 'public.ecr.aws/cloudwatch-agent/cloudwatch-agent:1.300045.0b810' */
  readonly image?: string;
  /**
   * Container Insights Prometheus: scrape the sites' exporters (their `metrics` ports) into
   * `/aws/containerinsights/<cluster>/prometheus` and CloudWatch metrics. Each site's
   * `metrics.scraperNamespaces` must include the agents' namespace. @default false
   */
  readonly prometheus?: CloudWatchPrometheusOptions | boolean;
  /**
   * Node, pod and container metrics from a pod on every node; `false` beside the
   * amazon-cloudwatch-observability add-on, which collects the same, to keep only `prometheus`.
   * @default true
   */
  readonly nodeMetrics?: boolean;
}

/** Props of {@link CloudWatchAgent}. */
export interface CloudWatchAgentProps extends CloudWatchAgentOptions {
  /** EKS cluster name, for Container Insights. */
  readonly clusterName: string;
  /** AWS region. */
  readonly region: string;
  /** Labels of the release. */
  readonly labels: StandardLabels;
  /** Where these options sit in the props the user wrote, for error messages. @default 'cloudwatch-agent' */
  readonly propPath?: string;
}

const NAME = 'cloudwatch-agent';
/** The ConfigMap the agents elect their cluster-level leader with. */
const LEADER_CONFIGMAP = 'cwagent-clusterleader';

/**
 * The CloudWatch agent for Container Insights on every selected node: node, pod and container
 * metrics from the kubelet, cgroups and the container runtime. Its root filesystem stays writable:
 * it translates its JSON config into files under /opt/aws/amazon-cloudwatch-agent at start.
 */
export class CloudWatchAgent extends Construct {
  /** The agent on every node, unless `nodeMetrics` is false. */
  public readonly agent?: NodeAgent;
  /** The Prometheus scraper, with `prometheus`. */
  public readonly prometheus?: CloudWatchPrometheus;

  constructor(scope: Construct, id: string, props: CloudWatchAgentProps) {
    super(scope, id);
    const at = props.propPath ?? NAME;
    const clusterName = checkClusterName('clusterName', props.clusterName);
    const region = checkRegion('region', props.region);
    const interval = checkInteger(`${at}.metricsCollectionInterval`, props.metricsCollectionInterval ?? 60, 1, 86400);
    const labels = props.labels.withComponent('metrics', NAME);
    // Both workloads run this image: checked once, at the path the user wrote it.
    const image = checkImage(`${at}.image`, props.image ?? CLOUDWATCH_AGENT.image);
    if (props.nodeMetrics === false && !props.prometheus) {
      throw new InvalidPropError(`${at}.nodeMetrics`, false, `true, or ${at}.prometheus on: with neither the CloudWatch agent has nothing to do (${at}: false turns it off)`);
    }
    if (props.nodeMetrics !== false) this.agent = this.nodeAgent(props, at, labels, clusterName, region, interval);
    if (props.prometheus) {
      const options = props.prometheus === true ? {} : props.prometheus;
      this.prometheus = new CloudWatchPrometheus(this, 'prometheus', {
        ...options,
        identity: options.identity ?? props.identity,
        clusterName, region, labels: props.labels, propPath: `${at}.prometheus`, image,
      });
    }
  }

  private nodeAgent(props: CloudWatchAgentProps, at: string, labels: StandardLabels, clusterName: string, region: string, interval: number): NodeAgent {
    const config = JSON.stringify({
      agent: { region },
      logs: { metrics_collected: { kubernetes: { cluster_name: clusterName, metrics_collection_interval: interval } }, force_flush_interval: 5 },
    }, null, 2);
    const agent = new NodeAgent(this, 'agent', {
      ...props,
      propPath: at,
      name: NAME,
      labels,
      image: props.image ?? CLOUDWATCH_AGENT.image,
      identity: CLOUDWATCH_AGENT.identity,
      readOnlyRootFilesystem: false,
      env: [
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'HOST_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'K8S_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'CI_VERSION', value: 'k8s/1.3.0' },
      ],
      hostMounts: [
        { name: 'rootfs', hostPath: '/', mountPath: '/rootfs' },
        { name: 'containerdsock', hostPath: '/run/containerd/containerd.sock', mountPath: '/run/containerd/containerd.sock', type: 'Socket' },
        { name: 'sys', hostPath: '/sys', mountPath: '/sys' },
        { name: 'devdisk', hostPath: '/dev/disk/', mountPath: '/dev/disk' },
      ],
      config: { 'cwagentconfig.json': config },
      configMountPath: '/etc/cwagentconfig',
      clusterRules: [
        { apiGroups: [''], resources: ['pods', 'nodes', 'endpoints'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch', 'get'] },
        { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] },
        { apiGroups: [''], resources: ['nodes/stats', 'events'], verbs: ['create', 'get'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
        { apiGroups: ['apps'], resources: ['replicasets', 'daemonsets', 'deployments', 'statefulsets'], verbs: ['list', 'watch'] },
        { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list', 'watch'] },
        { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch', 'get'] },
        { nonResourceUrLs: ['/metrics'], verbs: ['get'] },
      ],
      workloadIdentity: props.identity,
      defaultResources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    });
    // Leader election for cluster-level metrics: create cannot be limited to a name; the rest can.
    const role = new k8s.KubeRole(this, 'leader-election', {
      metadata: { name: `${NAME}-leader-election`, labels: labels.all },
      rules: [
        { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
        { apiGroups: [''], resources: ['configmaps'], resourceNames: [LEADER_CONFIGMAP], verbs: ['get', 'update'] },
      ],
    });
    new k8s.KubeRoleBinding(this, 'leader-election-binding', {
      metadata: { name: `${NAME}-leader-election`, labels: labels.all },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: NAME, namespace: role.metadata.namespace! }],
    });
    return agent;
  }
}
