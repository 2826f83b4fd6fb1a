import { checkDnsSubdomain, checkInteger, checkOneOf } from '../../common/checks';
import { InvalidPropError } from '../../common/errors';
import { checkClusterName, checkRegion } from '../../eks/aws-values';

/** Days CloudWatch Logs accepts as a retention. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/** A network endpoint of a log store. */
export interface LogEndpoint {
  /** Host name. */
  readonly host: string;
  /** Port. @default - 443 with TLS, else the protocol's usual port */
  readonly port?: number;
  /** Use TLS. @default true */
  readonly tls?: boolean;
}

/** Where the log agent sends records: one `[OUTPUT]` section of Fluent Bit's configuration. */
export abstract class LogOutput {
  /** The agent's own stdout (for a cluster that already collects container output elsewhere, or to try it). */
  public static stdout(): LogOutput {
    return new RenderedOutput('stdout', { Name: 'stdout', Match: 'kube.*', Format: 'json_lines' });
  }

  /** Any HTTP endpoint that accepts JSON lines. */
  public static http(endpoint: LogEndpoint & { readonly uri?: string }): LogOutput {
    const uri = endpoint.uri ?? '/';
    if (!/^\/[\x21-\x7e]*$/.test(uri)) throw new InvalidPropError('logs.output.uri', uri, 'an absolute path such as /logs');
    return new RenderedOutput('http', { Name: 'http', Match: 'kube.*', ...network('logs.output', endpoint, 80), URI: uri, Format: 'json_lines' });
  }

  /** Elasticsearch or OpenSearch. */
  public static openSearch(endpoint: LogEndpoint & { readonly index?: string }): LogOutput {
    const index = endpoint.index ?? 'kubernetes';
    if (!/^[a-z0-9][a-z0-9._-]{0,254}$/.test(index)) throw new InvalidPropError('logs.output.index', index, 'a lower-case index name');
    return new RenderedOutput('opensearch', {
      Name: 'opensearch', Match: 'kube.*', ...network('logs.output', endpoint, 9200),
      Index: index, Suppress_Type_Name: 'On', Replace_Dots: 'On', Trace_Error: 'On',
    });
  }

  /** Grafana Loki. */
  public static loki(endpoint: LogEndpoint): LogOutput {
    return new RenderedOutput('loki', {
      Name: 'loki', Match: 'kube.*', ...network('logs.output', endpoint, 3100),
      Labels: 'job=fluent-bit', Label_Keys: '$kubernetes[\'namespace_name\'],$kubernetes[\'pod_name\'],$kubernetes[\'container_name\']',
      Line_Format: 'json',
    });
  }

  /**
   * CloudWatch Logs, in Container Insights' log groups of the cluster and with its stream names:
   * container logs in `/aws/containerinsights/CLUSTER/application`, the kubelet's, the container
   * runtime's and aws-node's and kube-proxy's in `.../dataplane`, the node's kernel, system and
   * authentication logs in `.../host`. Needs an IAM identity. `nodeLogs: false` keeps only the
   * application group (the dataplane and host groups are what the journal adds to the ingestion bill).
   */
  public static cloudWatch(options: { readonly clusterName: string; readonly region: string; readonly retentionDays?: number; readonly nodeLogs?: boolean }): LogOutput {
    const cluster = checkClusterName('logs.output.clusterName', options.clusterName);
    const region = checkRegion('logs.output.region', options.region);
    const retention = options.retentionDays ?? 30;
    if (!RETENTION_DAYS.includes(retention)) throw new InvalidPropError('logs.output.retentionDays', retention, `one of ${RETENTION_DAYS.join(', ')}`);
    // Stream names are the prefix and the record's tag, as Container Insights' own Fluent Bit names them.
    const group = (tag: string, logGroup: string, streamPrefix: string) => ({
      Name: 'cloudwatch_logs', Match: `${tag}.*`, region,
      log_group_name: `/aws/containerinsights/${cluster}/${logGroup}`,
      log_stream_prefix: streamPrefix,
      auto_create_group: 'true',
      log_retention_days: String(retention),
      extra_user_agent: 'container-insights',
    });
    const { application, dataplane, host } = CONTAINER_INSIGHTS_TAGS;
    const nodeLogs = options.nodeLogs !== false;
    return new RenderedOutput('cloudwatch_logs', [
      group(application, 'application', '${HOST_NAME}-'),
      ...(nodeLogs ? [group(dataplane, 'dataplane', '${HOST_NAME}-'), group(host, 'host', '${HOST_NAME}.')] : []),
    ], { clusterName: cluster, region }, nodeLogs ? CONTAINER_INSIGHTS_TAGS : { application });
  }

  /** The plugin name. */
  public abstract readonly plugin: string;
  /**
   * Tags of the records it takes: container logs always; node logs (journald) only for an output
   * that keeps them apart, as Container Insights' dataplane and host log groups do.
   */
  public abstract readonly tags: LogTags;
  /** The EKS cluster and region the output is bound to (CloudWatch Logs), to check against the platform's. */
  public abstract readonly cluster?: { readonly clusterName: string; readonly region: string };
  /** The `[OUTPUT]` section. */
  public abstract render(): string;
}

/** Tag prefixes of the records an output takes. */
export interface LogTags {
  /** Container logs under /var/log/containers. */
  readonly application: string;
  /** The kubelet's and the container runtime's journald units, aws-node's and kube-proxy's containers. @default - not collected */
  readonly dataplane?: string;
  /** The node's kernel, system and authentication logs. @default - not collected */
  readonly host?: string;
}

/** Container logs only, tagged as the agent always did. */
const CONTAINER_LOGS: LogTags = { application: 'kube' };
/** Container Insights' three groups; the application tag is also the start of its stream names. */
const CONTAINER_INSIGHTS_TAGS = { application: 'application', dataplane: 'dataplane', host: 'host' } as const;

class RenderedOutput extends LogOutput {
  private readonly sections: Record<string, string>[];
  constructor(
    public readonly plugin: string,
    settings: Record<string, string> | Record<string, string>[],
    public readonly cluster?: { readonly clusterName: string; readonly region: string },
    public readonly tags: LogTags = CONTAINER_LOGS,
  ) {
    super();
    this.sections = Array.isArray(settings) ? settings : [settings];
  }
  public render(): string {
    return this.sections.map((settings) => section('OUTPUT', settings)).join('\n\n');
  }
}

/** One section of Fluent Bit's classic configuration format; a list repeats its key (Systemd_Filter). */
export function section(name: string, settings: Record<string, string | readonly string[]>): string {
  const width = Math.max(...Object.keys(settings).map((k) => k.length));
  const lines = Object.entries(settings).flatMap(([k, v]) => (typeof v === 'string' ? [v] : v).map((value) => `    ${k.padEnd(width)} ${value}`));
  return [`[${name}]`, ...lines].join('\n');
}

function network(prop: string, endpoint: LogEndpoint, plainPort: number): Record<string, string> {
  checkDnsSubdomain(`${prop}.host`, endpoint.host);
  const tls = endpoint.tls ?? true;
  const port = checkInteger(`${prop}.port`, endpoint.port ?? (tls ? 443 : plainPort), 1, 65535);
  checkOneOf(`${prop}.tls`, String(tls), ['true', 'false']);
  return { Host: endpoint.host, Port: String(port), tls: tls ? 'On' : 'Off', 'tls.verify': tls ? 'On' : 'Off' };
}
