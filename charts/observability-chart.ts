import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { AgentNamespace } from '../src/agents/agent-namespace';
import { WordPressChart } from './wordpress-chart';
import { CloudWatchAgent, CloudWatchAgentOptions } from '../src/agents/cloudwatch-agent/cloudwatch-agent';
import { LogAgent, LogAgentOptions } from '../src/agents/fluent-bit/log-agent';
import { LogOutput } from '../src/agents/fluent-bit/log-output';
import { NodeExporter, NodeExporterOptions } from '../src/agents/node-exporter/node-exporter';
import { checkDnsLabel, checkNamespace } from '../src/common/checks';
import { InvalidPropError } from '../src/common/errors';
import { markPrunable, StandardLabels } from '../src/common/labels';
import { ImageRegistry, resolveImage } from '../src/eks/images/image-registry';
import { Platform } from '../src/eks/platform';
import { checkIdFree, guardAgainstObjectClashes } from '../src/synth/object-clashes';
import { AWS_FOR_FLUENT_BIT, CLOUDWATCH_AGENT, FLUENT_BIT, NODE_EXPORTER } from '../src/agents/agent-images';

/** Props of {@link ObservabilityChart}. */
export interface ObservabilityChartProps {
  /**
   * Where the agents run. `Platform.generic()`: Fluent Bit to stdout (or any output) and
   * node-exporter. `Platform.eks({ clusterName, region })`: AWS for Fluent Bit to CloudWatch Logs
   * and the CloudWatch agent, for that cluster. @default Platform.generic()
   */
  readonly platform?: Platform;
  /** Namespace of the agents (never `amazon-cloudwatch`, which the CloudWatch add-on owns). @default 'observability' */
  readonly namespace?: string;
  /** `app.kubernetes.io/part-of`, and the value of the prune label `apply.sh` selects by. @default 'observability' */
  readonly partOf?: string;
  /** The log agent, or `false` for none. @default - Fluent Bit on every Linux node */
  readonly logs?: LogAgentOptions | false;
  /** The metrics agent, or `false` for none. @default - node-exporter (generic) or the CloudWatch agent (eks) on every Linux node */
  readonly monitoring?: NodeExporterOptions | CloudWatchAgentOptions | false;
  /** A mirror every agent image is pulled through. @default - the images' own registries */
  readonly imageRegistry?: ImageRegistry;
}

/** Log and metrics agents on every worker node (or a chosen group), in a namespace of their own. */
export class ObservabilityChart extends Chart {
  constructor(scope: Construct, id: string, props: ObservabilityChartProps = {}) {
    const platform = props.platform ?? Platform.generic();
    const cluster = platform.name === 'eks' ? eksCluster(platform) : undefined;
    const namespace = checkNamespace('namespace', props.namespace ?? 'observability');
    checkIdFree(scope, id, 'id');
    super(scope, id, { namespace, disableResourceNameHashes: true });
    guardAgainstObjectClashes(this);
    const partOf = checkDnsLabel('partOf', props.partOf ?? 'observability');
    const labels = new StandardLabels({ name: 'observability', instance: id, component: 'agents', partOf });
    new AgentNamespace(this, 'namespace', { name: namespace, labels: labels.withComponent('namespace').all });

    const image = (given: string | undefined, fallback: string) => resolveImage(props.imageRegistry, given, fallback);
    if (props.logs !== false) {
      const output = props.logs?.output ?? (cluster ? LogOutput.cloudWatch(cluster) : LogOutput.stdout());
      if (cluster && output.cluster) checkSameCluster(output.cluster, cluster);
      const fallback = output.plugin === 'cloudwatch_logs' ? AWS_FOR_FLUENT_BIT.image : FLUENT_BIT.image;
      new LogAgent(this, 'logs', { ...props.logs, propPath: 'logs', output, labels, namespace, image: image(props.logs?.image, fallback) });
    }
    if (props.monitoring !== false) {
      if (cluster) {
        const options = props.monitoring as CloudWatchAgentOptions | undefined;
        const agent = new CloudWatchAgent(this, 'monitoring', { ...options, ...cluster, propPath: 'monitoring', labels, image: image(options?.image, CLOUDWATCH_AGENT.image) });
        const scraper = agent.prometheus;
        // Sites are usually other charts of the same app: checked when the app synthesizes, before any file is written.
        if (scraper) this.node.addValidation({ validate: () => unreachableExporters(this.node.root, namespace, scraper.namespaces) });
      } else {
        const options = props.monitoring as NodeExporterOptions | undefined;
        // The CloudWatch agent's own choices would be silently dropped by node-exporter.
        for (const key of ['prometheus', 'nodeMetrics', 'metricsCollectionInterval', 'identity'] as const) {
          const given = (props.monitoring as CloudWatchAgentOptions | undefined)?.[key];
          if (given !== undefined) throw new InvalidPropError(`monitoring.${key}`, given, 'nothing on Platform.generic(): it is the CloudWatch agent\'s, with Platform.eks({ clusterName, region })');
        }
        new NodeExporter(this, 'monitoring', { ...options, propPath: 'monitoring', labels, image: image(options?.image, NODE_EXPORTER.image) });
      }
    }
    markPrunable(this, partOf);
  }
}

/**
 * Sites the Prometheus scraper would scrape but whose metrics ports do not admit its namespace:
 * their NetworkPolicies would drop every scrape, and CloudWatch would silently miss them.
 */
function unreachableExporters(root: Construct, scraperNamespace: string, scraped: readonly string[] | undefined): string[] {
  return root.node.findAll()
    .filter((c): c is WordPressChart => c instanceof WordPressChart)
    .flatMap((site) => (site.metricsScraperNamespaces ? [{ site, admitted: site.metricsScraperNamespaces }] : []))
    .filter(({ site, admitted }) => (scraped === undefined || scraped.includes(site.namespace!)) && !admitted.includes(scraperNamespace))
    .map(({ site, admitted }) => `monitoring.prometheus: the site "${site.node.path}" (namespace ${site.namespace}) admits metrics scrapers from `
      + `${admitted.join(', ')} only, so the CloudWatch scraper in namespace "${scraperNamespace}" cannot reach its exporters. `
      + `Add "${scraperNamespace}" to that site's metrics.scraperNamespaces, or list only the namespaces to scrape in monitoring.prometheus.namespaces.`);
}

type Cluster = { readonly clusterName: string; readonly region: string };

/** The cluster the EKS agents report to: named once, on the platform. */
function eksCluster(platform: Platform): Cluster {
  if (platform.clusterName === undefined) {
    throw new InvalidPropError('platform.clusterName', undefined, 'the EKS cluster name, as Platform.eks({ clusterName, region }), which the CloudWatch agents report under');
  }
  if (platform.region === undefined) {
    throw new InvalidPropError('platform.region', undefined, 'the AWS region of the cluster, as Platform.eks({ clusterName, region })');
  }
  return { clusterName: platform.clusterName, region: platform.region };
}

/** A CloudWatch Logs output names its cluster too; it must be the platform's, or logs and metrics part ways. */
function checkSameCluster(output: Cluster, platform: Cluster): void {
  for (const key of ['clusterName', 'region'] as const) {
    if (output[key] !== platform[key]) {
      throw new InvalidPropError(`logs.output.${key}`, output[key], `the platform's ${key} "${platform[key]}" (Platform.eks({ ${key} }))`);
    }
  }
}
