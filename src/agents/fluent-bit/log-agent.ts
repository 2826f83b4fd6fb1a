import { Construct } from 'constructs';
import { k8s } from '../../common/k8s';
import { StandardLabels } from '../../common/labels';
import { IWorkloadIdentity } from '../../identity/workload-identity-interface';
import { AWS_FOR_FLUENT_BIT, FLUENT_BIT } from '../agent-images';
import { NodeAgent, NodeAgentPlacement } from '../node-agent';
import { LogOutput, section } from './log-output';

/** What a user chooses about the log agent. */
export interface LogAgentOptions extends NodeAgentPlacement {
  /** Where logs go. @default LogOutput.stdout() */
  readonly output?: LogOutput;
  /** Pinned image. @default - aws-for-fluent-bit for CloudWatch, upstream Fluent Bit otherwise */
  readonly image?: string;
  /** IAM identity (IRSA or Pod Identity), needed for CloudWatch. @default - none */
  readonly identity?: IWorkloadIdentity;
}

/** Props of {@link LogAgent}. */
export interface LogAgentProps extends LogAgentOptions {
  /** Labels of the release. */
  readonly labels: StandardLabels;
  /** Namespace the agent runs in; its own logs are not collected (stdout would loop). */
  readonly namespace: string;
  /** Name of the DaemonSet. @default 'fluent-bit' */
  readonly name?: string;
  /** Where these options sit in the props the user wrote, for error messages. @default - the name */
  readonly propPath?: string;
}

const STATE_DIR = '/var/fluent-bit/state';
const HEALTH_PORT = 2020;

/**
 * Fluent Bit on every selected node: tails container logs with the cri and docker multiline
 * parsers, adds Kubernetes metadata, and sends them to one output. Runs as root, read-only except
 * its tail database, because the kubelet writes container logs as root with mode 0640.
 */
export class LogAgent extends Construct {
  /** The agent. */
  public readonly agent: NodeAgent;
  /** The rendered configuration. */
  public readonly config: string;

  constructor(scope: Construct, id: string, props: LogAgentProps) {
    super(scope, id);
    const output = props.output ?? LogOutput.stdout();
    const image = props.image ?? (output.plugin === 'cloudwatch_logs' ? AWS_FOR_FLUENT_BIT.image : FLUENT_BIT.image);
    const tags = output.tags;
    const containerLogs = '/var/log/containers';
    // Container Insights sends aws-node's and kube-proxy's container logs to dataplane, not application.
    const dataplaneContainers = tags.dataplane ? [`${containerLogs}/aws-node*`, `${containerLogs}/kube-proxy*`] : [];
    this.config = [
      section('SERVICE', {
        Flush: '5', Log_Level: 'info', Daemon: 'off',
        HTTP_Server: 'On', HTTP_Listen: '0.0.0.0', HTTP_Port: String(HEALTH_PORT), Health_Check: 'On',
        'storage.path': `${STATE_DIR}/buffers/`,
      }),
      section('INPUT', {
        Name: 'tail', Tag: `${tags.application}.*`, Path: `${containerLogs}/*.log`,
        Exclude_Path: [`${containerLogs}/*_${props.namespace}_*.log`, ...dataplaneContainers].join(', '),
        'multiline.parser': 'docker, cri', DB: `${STATE_DIR}/tail.db`, 'DB.locking': 'true',
        Mem_Buf_Limit: '50MB', Skip_Long_Lines: 'On', Refresh_Interval: '10', 'storage.type': 'filesystem',
      }),
      section('FILTER', {
        Name: 'kubernetes', Match: `${tags.application}.*`, Kube_URL: 'https://kubernetes.default.svc:443',
        // The filter finds the pod in the tag: after the prefix, the file name under /var/log/containers.
        ...(tags.application === 'kube' ? {} : { Kube_Tag_Prefix: `${tags.application}.var.log.containers.` }),
        Merge_Log: 'On', Keep_Log: 'Off', 'K8S-Logging.Parser': 'On', 'K8S-Logging.Exclude': 'On', Labels: 'On', Annotations: 'Off',
      }),
      ...(tags.dataplane ? dataplaneSections(tags.dataplane, dataplaneContainers) : []),
      ...(tags.host ? hostSections(tags.host) : []),
      output.render(),
    ].join('\n\n') + '\n'; // one final newline: a blank line at a document's end is lost in Helm templates
    const name = props.name ?? 'fluent-bit';
    this.agent = new NodeAgent(this, 'agent', {
      ...props,
      name,
      labels: props.labels.withComponent('logs', 'fluent-bit'),
      image,
      identity: FLUENT_BIT.identity,
      command: ['/fluent-bit/bin/fluent-bit', '-c', '/fluent-bit/etc/fluent-bit.conf'],
      env: [
        { name: 'HOST_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      ],
      ports: [{ name: 'http', containerPort: HEALTH_PORT, protocol: 'TCP' }],
      probe: { httpGet: { path: '/api/v1/health', port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, timeoutSeconds: 5 },
      hostMounts: [
        { name: 'varlog', hostPath: '/var/log', mountPath: '/var/log' },
        { name: 'state', hostPath: STATE_DIR, mountPath: STATE_DIR, readOnly: false, type: 'DirectoryOrCreate' },
      ],
      config: { 'fluent-bit.conf': this.config },
      configMountPath: '/fluent-bit/etc',
      clusterRules: [{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }],
      workloadIdentity: props.identity,
      defaultResources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    });
  }
}

/** Read the journal from now on: a first start must not ship the node's whole history. */
const JOURNAL = { Path: '/var/log/journal', Read_From_Tail: 'On' };

/** journald fields, upper case, once the ones kept are renamed: dropped, as Container Insights does. */
const JOURNAL_FIELDS = '^[A-Z_]+$';

/** The kubelet's and the container runtime's units from the journal, aws-node's and kube-proxy's container logs. */
function dataplaneSections(tag: string, containers: string[]): string[] {
  return [
    // `*` in a systemd input's tag becomes the unit's name: streams `<node>-dataplane.systemd.kubelet.service`.
    section('INPUT', {
      Name: 'systemd', Tag: `${tag}.systemd.*`, ...JOURNAL, Systemd_Filter_Type: 'Or', DB: `${STATE_DIR}/systemd-dataplane.db`,
      Systemd_Filter: ['_SYSTEMD_UNIT=kubelet.service', '_SYSTEMD_UNIT=containerd.service', '_SYSTEMD_UNIT=docker.service'],
    }),
    section('INPUT', {
      Name: 'tail', Tag: `${tag}.tail.*`, Path: containers.join(', '),
      'multiline.parser': 'docker, cri', DB: `${STATE_DIR}/tail-dataplane.db`, 'DB.locking': 'true',
      Mem_Buf_Limit: '5MB', Skip_Long_Lines: 'On', Refresh_Interval: '10', 'storage.type': 'filesystem',
    }),
    section('FILTER', {
      Name: 'modify', Match: `${tag}.systemd.*`,
      Rename: ['_HOSTNAME hostname', '_SYSTEMD_UNIT systemd_unit', 'MESSAGE message'], Remove_regex: JOURNAL_FIELDS,
    }),
  ];
}

/** The node's logs Container Insights calls dmesg, messages and secure, from the journal (AL2023 keeps no /var/log/messages). */
function hostSections(tag: string): string[] {
  const input = (name: string, filters: string[]) => section('INPUT', {
    Name: 'systemd', Tag: `${tag}.${name}`, ...JOURNAL, Systemd_Filter_Type: 'Or', DB: `${STATE_DIR}/systemd-${name}.db`, Systemd_Filter: filters,
  });
  return [
    input('dmesg', ['_TRANSPORT=kernel']),
    // Every priority but debug; the grep below leaves mail, cron and authpriv to their own logs.
    input('messages', ['0', '1', '2', '3', '4', '5', '6'].map((p) => `PRIORITY=${p}`)),
    input('secure', ['SYSLOG_FACILITY=10']), // authpriv
    section('FILTER', { Name: 'grep', Match: `${tag}.messages`, Exclude: 'SYSLOG_FACILITY ^(2|9|10)$' }),
    section('FILTER', {
      Name: 'modify', Match: `${tag}.*`,
      Rename: ['_HOSTNAME host', 'SYSLOG_IDENTIFIER ident', 'SYSLOG_PID pid', 'MESSAGE message'], Remove_regex: JOURNAL_FIELDS,
    }),
  ];
}
