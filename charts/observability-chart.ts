import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AgentNamespace } from '../src/agents/agent-namespace';
import { CloudWatchAgent, CloudWatchAgentOptions } from '../src/agents/cloudwatch-agent/cloudwatch-agent';
import { LogAgent, LogAgentOptions } from '../src/agents/fluent-bit/log-agent';
import { LogOutput } from '../src/agents/fluent-bit/log-output';
import { NodeExporter, NodeExporterOptions } from '../src/agents/node-exporter/node-exporter';
import { checkDnsLabel } from '../src/common/checks';
import { InvalidPropError } from '../src/common/errors';
import { StandardLabels } from '../src/common/labels';
import { ImageRegistry, resolveImage } from '../src/eks/images/image-registry';
import { checkIdFree, guardAgainstObjectClashes } from '../src/synth/object-clashes';
import { AWS_FOR_FLUENT_BIT, CLOUDWATCH_AGENT, FLUENT_BIT, NODE_EXPORTER } from '../src/agents/agent-images';

/** The EKS agents' cluster. */
export interface ObservabilityEksOptions {
  /** EKS cluster name. */
  readonly clusterName: string;
  /** AWS region. */
  readonly region: string;
}

/** Props of {@link ObservabilityChart}. */
export interface ObservabilityChartProps {
  /** `generic`: Fluent Bit to stdout (or any output) and node-exporter; `eks`: AWS for Fluent Bit to CloudWatch Logs and the CloudWatch agent. @default 'generic' */
  readonly platform?: 'generic' | 'eks';
  /** Cluster and region, required with `platform: 'eks'`. @default - none */
  readonly eks?: ObservabilityEksOptions;
  /** Namespace of the agents. @default 'observability', or 'amazon-cloudwatch' on EKS */
  readonly namespace?: string;
  /** `app.kubernetes.io/part-of`. @default 'observability' */
  readonly partOf?: string;
  /** The log agent, or `false` for none. @default - Fluent Bit on every Linux node */
  readonly logs?: LogAgentOptions | false;
  /** The metrics agent, or `false` for none. @default - node-exporter (generic) or the CloudWatch agent (eks) on every Linux node */
  readonly monitoring?: NodeExporterOptions | Partial<CloudWatchAgentOptions> | false;
  /** A mirror every agent image is pulled through. @default - the images' own registries */
  readonly imageRegistry?: ImageRegistry;
}

/** Log and metrics agents on every worker node (or a chosen group), in a namespace of their own. */
export class ObservabilityChart extends Chart {
  constructor(scope: Construct, id: string, props: ObservabilityChartProps = {}) {
    const platform = props.platform ?? 'generic';
    if (platform === 'eks' && !props.eks) {
      throw new InvalidPropError('eks', props.eks, "{ clusterName, region } with platform 'eks'");
    }
    const namespace = checkDnsLabel('namespace', props.namespace ?? (platform === 'eks' ? 'amazon-cloudwatch' : 'observability'));
    checkIdFree(scope, id, 'id');
    super(scope, id, { namespace, disableResourceNameHashes: true });
    guardAgainstObjectClashes(this);
    const partOf = checkDnsLabel('partOf', props.partOf ?? 'observability');
    const labels = new StandardLabels({ name: 'observability', instance: id, component: 'agents', partOf });
    new AgentNamespace(this, 'namespace', { name: namespace, labels: labels.withComponent('namespace').all });

    const image = (given: string | undefined, fallback: string) => resolveImage(props.imageRegistry, given, fallback);
    if (props.logs !== false) {
      const output = props.logs?.output ?? (platform === 'eks' ? LogOutput.cloudWatch({ clusterName: props.eks!.clusterName, region: props.eks!.region }) : LogOutput.stdout());
      const fallback = output.plugin === 'cloudwatch_logs' ? AWS_FOR_FLUENT_BIT.image : FLUENT_BIT.image;
      new LogAgent(this, 'logs', { ...props.logs, output, labels, namespace, image: image(props.logs?.image, fallback) });
    }
    if (props.monitoring !== false) {
      if (platform === 'eks') {
        const options = props.monitoring as Partial<CloudWatchAgentOptions> | undefined;
        new CloudWatchAgent(this, 'monitoring', { ...props.eks!, ...options, labels, image: image(options?.image, CLOUDWATCH_AGENT.image) });
      } else {
        const options = props.monitoring as NodeExporterOptions | undefined;
        new NodeExporter(this, 'monitoring', { ...options, labels, image: image(options?.image, NODE_EXPORTER.image) });
      }
    }
  }
}
