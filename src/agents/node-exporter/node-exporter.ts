import { Construct } from 'constructs';
import { k8s } from '../../common/k8s';
import { StandardLabels } from '../../common/labels';
import { NODE_EXPORTER } from '../agent-images';
import { NodeAgent, NodeAgentPlacement } from '../node-agent';

/** What a user chooses about node-exporter. */
export interface NodeExporterOptions extends NodeAgentPlacement {
  /** Pinned image. @default 'quay.io/prometheus/node-exporter:v1.9.1@sha256:d00a542e409ee618a4edc67da14dd48c5da66726bbd5537ab2af9c1dfc442c8a' */
  readonly image?: string;
}

/** Props of {@link NodeExporter}. */
export interface NodeExporterProps extends NodeExporterOptions {
  /** Labels of the release. */
  readonly labels: StandardLabels;
  /** Where these options sit in the props the user wrote, for error messages. @default 'node-exporter' */
  readonly propPath?: string;
}

const PORT = 9100;

/**
 * Prometheus node-exporter on every selected node, as nobody (65534) on a read-only root. It uses
 * the node's network and PID namespaces so its network and process metrics describe the node, not
 * a pod; it never calls the Kubernetes API, so it has no token and no RBAC. A headless Service
 * lists the nodes for scraping on :9100.
 */
export class NodeExporter extends Construct {
  /** The agent. */
  public readonly agent: NodeAgent;

  constructor(scope: Construct, id: string, props: NodeExporterProps) {
    super(scope, id);
    const labels = props.labels.withComponent('metrics', 'node-exporter');
    this.agent = new NodeAgent(this, 'agent', {
      ...props,
      name: 'node-exporter',
      labels,
      image: props.image ?? NODE_EXPORTER.image,
      identity: NODE_EXPORTER.identity,
      args: ['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root', `--web.listen-address=:${PORT}`],
      ports: [{ name: 'metrics', containerPort: PORT, hostPort: PORT, protocol: 'TCP' }],
      probe: { httpGet: { path: '/', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 10, timeoutSeconds: 5 },
      hostNetworkAndPid: true,
      hostMounts: [
        { name: 'proc', hostPath: '/proc', mountPath: '/host/proc' },
        { name: 'sys', hostPath: '/sys', mountPath: '/host/sys' },
        { name: 'root', hostPath: '/', mountPath: '/host/root', mountPropagation: 'HostToContainer' },
      ],
      defaultResources: { requests: { cpu: '20m', memory: '32Mi' }, limits: { cpu: '250m', memory: '64Mi' } },
    });
    new k8s.KubeService(this, 'service', {
      metadata: { name: 'node-exporter', labels: labels.all },
      spec: {
        clusterIp: 'None',
        selector: labels.selector,
        ports: [{ name: 'metrics', port: PORT, targetPort: k8s.IntOrString.fromString('metrics'), protocol: 'TCP' }],
      },
    });
  }
}
