import { App, Testing } from 'cdk8s';
import { ObservabilityChart, ObservabilityChartProps } from '../../charts/observability-chart';
import { LogOutput } from '../../src/agents/fluent-bit/log-output';
import { NodeSelection } from '../../src/agents/node-selection';
import { Tolerations } from '../../src/agents/tolerations';
import { Platform } from '../../src/eks/platform';
import { validationErrors } from '../support/validity';
import { all, find, Manifest } from '../helpers';

const synth = (props: ObservabilityChartProps = {}) => Testing.synth(new ObservabilityChart(Testing.app(), 'obs', props)) as Manifest[];
const EKS: ObservabilityChartProps = { platform: Platform.eks({ clusterName: 'prod', region: 'eu-west-1' }) };

describe('ObservabilityChart', () => {
  test('agents get a namespace of their own that enforces privileged and warns at baseline', () => {
    const ns = find(synth(), 'Namespace');
    expect(ns.metadata.name).toBe('observability');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'baseline',
      'pod-security.kubernetes.io/audit': 'baseline',
    });
    // The CloudWatch add-on owns amazon-cloudwatch: the EKS agents stay out of it, so both can run during a migration
    expect(find(synth(EKS), 'Namespace').metadata.name).toBe('observability');
  });

  test('every object carries the release labels and, unless cluster-scoped, the agents\' namespace', () => {
    const CLUSTER_SCOPED = ['Namespace', 'ClusterRole', 'ClusterRoleBinding'];
    for (const object of [...synth(), ...synth(EKS)]) {
      expect(object.metadata.labels).toMatchObject({ 'app.kubernetes.io/instance': 'obs', 'app.kubernetes.io/part-of': 'observability' });
      expect(object.metadata.namespace).toBe(CLUSTER_SCOPED.includes(object.kind) ? undefined : 'observability');
    }
  });

  test('cluster-scoped names carry the namespace: never the bare names of the upstream chart or the CloudWatch add-on', () => {
    const names = (objects: Manifest[]) => objects.filter((o) => o.kind.startsWith('Cluster')).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(names(synth())).toEqual(['ClusterRole/observability-fluent-bit', 'ClusterRoleBinding/observability-fluent-bit']);
    expect(names(synth(EKS))).toEqual([
      'ClusterRole/observability-fluent-bit', 'ClusterRoleBinding/observability-fluent-bit',
      'ClusterRole/observability-cloudwatch-agent', 'ClusterRoleBinding/observability-cloudwatch-agent',
    ]);
  });

  test('two instances in two namespaces synthesize side by side, each binding its own ServiceAccount', () => {
    // Given two ObservabilityCharts in one app
    const app = Testing.app();
    const a = new ObservabilityChart(app, 'logs-a', { namespace: 'logs-a' });
    const b = new ObservabilityChart(app, 'logs-b', { namespace: 'logs-b', ...EKS });
    // When both synthesize (the clash check runs over the whole app), then each binding keeps its own subject
    const bindings = [...Testing.synth(a), ...Testing.synth(b)].filter((o: any) => o.kind === 'ClusterRoleBinding') as Manifest[];
    expect(bindings.map((o) => [o.metadata.name, o.roleRef.name, o.subjects[0].namespace])).toEqual([
      ['logs-a-fluent-bit', 'logs-a-fluent-bit', 'logs-a'],
      ['logs-b-fluent-bit', 'logs-b-fluent-bit', 'logs-b'],
      ['logs-b-cloudwatch-agent', 'logs-b-cloudwatch-agent', 'logs-b'],
    ]);
  });

  test('two instances in one namespace are rejected at synth, naming both charts', () => {
    const app = new App();
    const a = new ObservabilityChart(app, 'logs-a', { namespace: 'logs' });
    new ObservabilityChart(app, 'logs-b', { namespace: 'logs' });
    expect(() => Testing.synth(a)).toThrow('Charts "logs-a" and "logs-b" both emit Namespace logs, ');
  });

  test('RBAC: exactly the rules each agent needs, no wildcards; node-exporter has none', () => {
    const generic = synth();
    expect(find(generic, 'ClusterRole', 'observability-fluent-bit').rules).toEqual([{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }]);
    expect(all(generic, 'ClusterRole').map((r) => r.metadata.name)).toEqual(['observability-fluent-bit']);
    const eks = synth(EKS);
    expect(find(eks, 'ClusterRole', 'observability-cloudwatch-agent').rules).toEqual([
      { apiGroups: [''], resources: ['pods', 'nodes', 'endpoints'], verbs: ['list', 'watch'] },
      { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch', 'get'] },
      { apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] },
      { apiGroups: [''], resources: ['nodes/stats', 'events'], verbs: ['create', 'get'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      { apiGroups: ['apps'], resources: ['replicasets', 'daemonsets', 'deployments', 'statefulsets'], verbs: ['list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list', 'watch'] },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch', 'get'] },
      { nonResourceURLs: ['/metrics'], verbs: ['get'] },
    ]);
    expect(find(eks, 'Role', 'cloudwatch-agent-leader-election').rules).toEqual([
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['cwagent-clusterleader'], verbs: ['get', 'update'] },
    ]);
    for (const role of [...all(generic, 'ClusterRole'), ...all(eks, 'ClusterRole'), ...all(eks, 'Role')]) {
      expect(JSON.stringify(role.rules)).not.toContain('"*"');
    }
    for (const binding of all(eks, 'ClusterRoleBinding')) {
      expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: binding.metadata.name });
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: binding.metadata.name.replace('observability-', ''), namespace: 'observability' }]);
    }
    expect(find(eks, 'RoleBinding', 'cloudwatch-agent-leader-election').subjects).toEqual([{ kind: 'ServiceAccount', name: 'cloudwatch-agent', namespace: 'observability' }]);
  });

  test('tokens are mounted only for agents that call the API', () => {
    const tokens = Object.fromEntries(all(synth(), 'DaemonSet').map((d) => [d.metadata.name, d.spec.template.spec.automountServiceAccountToken]));
    expect(tokens).toEqual({ 'fluent-bit': true, 'node-exporter': false });
  });

  test('Fluent Bit: root for the 0640 container logs, but read-only root, no capabilities, health probes on :2020', () => {
    const pod = find(synth(), 'DaemonSet', 'fluent-bit').spec.template.spec;
    expect(pod.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] },
    });
    expect(pod.containers[0].readinessProbe).toEqual({ httpGet: { path: '/api/v1/health', port: 'http' }, periodSeconds: 10, timeoutSeconds: 5 });
    expect(pod.containers[0].ports).toEqual([{ name: 'http', containerPort: 2020, protocol: 'TCP' }]);
    expect(pod.serviceAccountName).toBe('fluent-bit');
    expect(find(synth(), 'ServiceAccount', 'fluent-bit').automountServiceAccountToken).toBe(true);
  });

  test('the CloudWatch agent reports under the platform\'s cluster and region', () => {
    const config = JSON.parse(find(synth(EKS), 'ConfigMap', 'cloudwatch-agent').data['cwagentconfig.json']);
    expect(config.agent).toEqual({ region: 'eu-west-1' });
    expect(config.logs.metrics_collected.kubernetes).toEqual({ cluster_name: 'prod', metrics_collection_interval: 60 });
    const logs: string = find(synth(EKS), 'ConfigMap', 'fluent-bit').data['fluent-bit.conf'];
    expect(logs).toMatch(/log_group_name +\/aws\/containerinsights\/prod\/application/);
    expect(logs).toMatch(/region +eu-west-1/);
  });

  test('host paths are read-only except Fluent Bit\'s state directory', () => {
    const writable = all(synth(), 'DaemonSet').flatMap((d) => {
      const hostVolumes = new Set(d.spec.template.spec.volumes.filter((v: any) => v.hostPath).map((v: any) => v.name));
      return d.spec.template.spec.containers[0].volumeMounts.filter((m: any) => hostVolumes.has(m.name) && !m.readOnly).map((m: any) => `${d.metadata.name}:${m.mountPath}`);
    });
    expect(writable).toEqual(['fluent-bit:/var/fluent-bit/state']);
  });

  test('node-exporter: non-root 65534, read-only root, host network and PID, port 9100 for scraping', () => {
    const objects = synth();
    const pod = find(objects, 'DaemonSet', 'node-exporter').spec.template.spec;
    expect(pod).toMatchObject({ hostNetwork: true, hostPID: true, securityContext: { runAsNonRoot: true, runAsUser: 65534 } });
    expect(pod.containers[0].securityContext).toMatchObject({ readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.containers[0].ports).toEqual([{ name: 'metrics', containerPort: 9100, hostPort: 9100, protocol: 'TCP' }]);
    expect(pod.containers[0].args).toEqual(['--path.procfs=/host/proc', '--path.sysfs=/host/sys', '--path.rootfs=/host/root', '--web.listen-address=:9100']);
    expect(find(objects, 'Service', 'node-exporter').spec).toMatchObject({ clusterIP: 'None', ports: [{ name: 'metrics', port: 9100, targetPort: 'metrics', protocol: 'TCP' }] });
  });

  test('defaults: every Linux node, every taint, node-critical priority, one node at a time', () => {
    for (const ds of all(synth(), 'DaemonSet')) {
      expect(ds.spec.template.spec).toMatchObject({
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ operator: 'Exists' }],
        priorityClassName: 'system-node-critical',
      });
      expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } });
    }
  });

  test('a node group by labels or affinity, listed taints, another priority and a percentage', () => {
    const terms = [{ matchExpressions: [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['m7i.large'] }] }];
    const objects = synth({
      logs: { nodes: NodeSelection.matchLabels({ 'eks.amazonaws.com/nodegroup': 'web' }), tolerations: Tolerations.of([{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }]), maxUnavailable: '25%' },
      monitoring: { nodes: NodeSelection.affinity(terms), tolerations: Tolerations.none(), priorityClassName: 'monitoring' },
    });
    const logs = find(objects, 'DaemonSet', 'fluent-bit');
    expect(logs.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', 'eks.amazonaws.com/nodegroup': 'web' });
    expect(logs.spec.template.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }]);
    expect(logs.spec.updateStrategy.rollingUpdate.maxUnavailable).toBe('25%');
    const metrics = find(objects, 'DaemonSet', 'node-exporter').spec.template.spec;
    expect(metrics.affinity).toEqual({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } });
    expect(metrics.tolerations).toEqual([]);
    expect(metrics.priorityClassName).toBe('monitoring');
  });

  test.each([
    ['stdout', LogOutput.stdout(), ['Name   stdout', 'Format json_lines']],
    ['http', LogOutput.http({ host: 'logs.example.com', uri: '/ingest' }), ['Name      http', 'Host      logs.example.com', 'Port      443', 'URI       /ingest', 'tls       On']],
    ['opensearch', LogOutput.openSearch({ host: 'search.example.com', index: 'k8s' }), ['Name               opensearch', 'Index              k8s', 'Suppress_Type_Name On']],
    ['loki', LogOutput.loki({ host: 'loki.monitoring.svc', port: 3100, tls: false }), ['Name        loki', 'Port        3100', 'tls         Off']],
    ['cloudwatch', LogOutput.cloudWatch({ clusterName: 'prod', region: 'eu-west-1', retentionDays: 14 }),
      ['Name               cloudwatch_logs', 'log_group_name     /aws/containerinsights/prod/application', 'log_stream_prefix  ${HOST_NAME}-', 'log_retention_days 14']],
  ])('the %s output is rendered into the ConfigMap', (_name, output, lines) => {
    // Compared with runs of spaces folded: the alignment is cosmetic.
    const config: string = find(synth({ logs: { output } }), 'ConfigMap', 'fluent-bit').data['fluent-bit.conf'].replace(/ +/g, ' ');
    expect(config).toContain('Path /var/log/containers/*.log');
    expect(config).toContain('multiline.parser docker, cri');
    expect(config).toContain('Exclude_Path /var/log/containers/*_observability_*.log');
    expect(config).toContain('Name kubernetes');
    for (const line of lines) expect(config).toContain(line.replace(/ +/g, ' '));
  });

  test('a config change rolls the pods; the images follow the platform', () => {
    const hash = (objects: Manifest[]) => find(objects, 'DaemonSet', 'fluent-bit').spec.template.metadata.annotations['cdk8s-wordpress-eks/config-hash'];
    expect(hash(synth())).not.toEqual(hash(synth({ logs: { output: LogOutput.loki({ host: 'loki.example.com' }) } })));
    expect(find(synth(), 'DaemonSet', 'fluent-bit').spec.template.spec.containers[0].image).toMatch(/^cr\.fluentbit\.io\/fluent\/fluent-bit:/);
    expect(find(synth(EKS), 'DaemonSet', 'fluent-bit').spec.template.spec.containers[0].image).toMatch(/^public\.ecr\.aws\/aws-observability\/aws-for-fluent-bit:/);
  });

  test('each agent can be turned off', () => {
    expect(all(synth({ logs: false }), 'DaemonSet').map((d) => d.metadata.name)).toEqual(['node-exporter']);
    expect(all(synth({ monitoring: false }), 'DaemonSet').map((d) => d.metadata.name)).toEqual(['fluent-bit']);
  });

  test.each([
    ['eks without a cluster name', () => synth({ platform: Platform.eks({ region: 'eu-west-1' }) }), 'Invalid platform.clusterName: undefined. Allowed: the EKS cluster name, as Platform.eks({ clusterName, region })'],
    ['eks without a region', () => synth({ platform: Platform.eks({ clusterName: 'prod' }) }), 'Invalid platform.region: undefined. Allowed: the AWS region of the cluster'],
    ['a bad region', () => Platform.eks({ clusterName: 'prod', region: 'Europe' }), 'Invalid platform.region: "Europe". Allowed: an AWS region such as eu-west-1'],
    ['a bad cluster name', () => Platform.eks({ clusterName: '-prod', region: 'eu-west-1' }), 'Invalid platform.clusterName: "-prod"'],
    ['a CloudWatch output for another cluster', () => synth({ ...EKS, logs: { output: LogOutput.cloudWatch({ clusterName: 'staging', region: 'eu-west-1' }) } }),
      'Invalid logs.output.clusterName: "staging". Allowed: the platform\'s clusterName "prod" (Platform.eks({ clusterName })).'],
    ['a CloudWatch output in another region', () => synth({ ...EKS, logs: { output: LogOutput.cloudWatch({ clusterName: 'prod', region: 'us-east-1' }) } }),
      'Invalid logs.output.region: "us-east-1". Allowed: the platform\'s region "eu-west-1"'],
    ['a CloudWatch retention it does not offer', () => LogOutput.cloudWatch({ clusterName: 'prod', region: 'eu-west-1', retentionDays: 10 }), 'Invalid logs.output.retentionDays: 10. Allowed: one of 1, 3, 5, 7, 14'],
    ['a URL as a host', () => LogOutput.http({ host: 'http://logs' }), 'Invalid logs.output.host: "http://logs"'],
    ['a port out of range', () => LogOutput.loki({ host: 'loki', port: 70000 }), 'Invalid logs.output.port: 70000'],
    ['no node at a time', () => synth({ logs: { maxUnavailable: 0 } }), 'Invalid logs.maxUnavailable: 0. Allowed: an integer from 1 to 10000'],
    ['NaN nodes at a time', () => synth({ logs: { maxUnavailable: NaN } }), 'Invalid logs.maxUnavailable: NaN. Allowed: an integer from 1 to 10000'],
    ['0% of the nodes at a time', () => synth({ logs: { maxUnavailable: '0%' } }), 'Invalid logs.maxUnavailable: "0%"'],
    ['an unpinned log agent image', () => synth({ logs: { image: 'fluent/fluent-bit' } }), 'Invalid logs.image: "fluent/fluent-bit"'],
    ['a bad priority class', () => synth({ monitoring: { priorityClassName: 'Critical!' } }), 'Invalid monitoring.priorityClassName: "Critical!"'],
    ['a CloudWatch interval of zero', () => synth({ ...EKS, monitoring: { metricsCollectionInterval: 0 } }), 'Invalid monitoring.metricsCollectionInterval: 0. Allowed: an integer from 1 to 86400'],
    ['a bad node label key', () => NodeSelection.matchLabels({ 'bad key': 'x' }), 'Invalid nodes.matchLabels.bad key'],
    ['an unknown taint effect', () => Tolerations.of([{ key: 'a', effect: 'Sometimes' as any }]), 'Invalid tolerations[0].effect: "Sometimes"'],
    ['requests over limits', () => synth({ monitoring: { resources: { limits: { memory: '1' }, requests: { memory: '2' } } } }), 'Invalid monitoring.resources.requests.memory: "2". Allowed: at most the limit 1'],
  ])('rejects %s with the path the user wrote', (_case, build, message) => {
    expect(build).toThrow(message);
  });

  test.each([['generic', {}], ['eks', EKS]])('the %s agents are strictly valid for 1.28 and 1.36 and semantically sound', (_name, props) => {
    const objects = synth(props as ObservabilityChartProps);
    expect(validationErrors(objects)).toEqual([]);
  });
});
