import { Testing } from 'cdk8s';
import { ObservabilityChart, ObservabilityChartProps } from '../../charts/observability-chart';
import { LogOutput } from '../../src/agents/fluent-bit/log-output';
import { NodeSelection } from '../../src/agents/node-selection';
import { Tolerations } from '../../src/agents/tolerations';
import { validationErrors } from '../support/validity';
import { all, find, Manifest } from '../helpers';

const synth = (props: ObservabilityChartProps = {}) => Testing.synth(new ObservabilityChart(Testing.app(), 'obs', props)) as Manifest[];
const EKS: ObservabilityChartProps = { platform: 'eks', eks: { clusterName: 'prod', region: 'eu-west-1' } };

describe('ObservabilityChart', () => {
  test('agents get a namespace of their own that enforces privileged and warns at baseline', () => {
    const ns = find(synth(), 'Namespace');
    expect(ns.metadata.name).toBe('observability');
    expect(ns.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'baseline',
      'pod-security.kubernetes.io/audit': 'baseline',
    });
    expect(find(synth(EKS), 'Namespace').metadata.name).toBe('amazon-cloudwatch');
  });

  test('RBAC: exactly the rules each agent needs, no wildcards; node-exporter has none', () => {
    const generic = synth();
    expect(find(generic, 'ClusterRole', 'fluent-bit').rules).toEqual([{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }]);
    expect(all(generic, 'ClusterRole').map((r) => r.metadata.name)).toEqual(['fluent-bit']);
    const eks = synth(EKS);
    expect(find(eks, 'ClusterRole', 'cloudwatch-agent').rules).toEqual([
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
      expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: binding.metadata.name, namespace: 'amazon-cloudwatch' }]);
    }
  });

  test('tokens are mounted only for agents that call the API', () => {
    const tokens = Object.fromEntries(all(synth(), 'DaemonSet').map((d) => [d.metadata.name, d.spec.template.spec.automountServiceAccountToken]));
    expect(tokens).toEqual({ 'fluent-bit': true, 'node-exporter': false });
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
    [() => synth({ platform: 'eks' }), "Invalid eks: undefined. Allowed: { clusterName, region } with platform 'eks'"],
    [() => synth({ ...EKS, eks: { clusterName: 'prod', region: 'Europe' } }), 'Invalid logs.output.region: "Europe". Allowed: an AWS region such as eu-west-1'],
    [() => synth({ ...EKS, eks: { clusterName: '-prod', region: 'eu-west-1' } }), 'Invalid logs.output.clusterName: "-prod"'],
    [() => LogOutput.cloudWatch({ clusterName: 'prod', region: 'eu-west-1', retentionDays: 10 }), 'Invalid logs.output.retentionDays: 10. Allowed: one of 1, 3, 5, 7, 14'],
    [() => LogOutput.http({ host: 'http://logs' }), 'Invalid logs.output.host: "http://logs"'],
    [() => LogOutput.loki({ host: 'loki', port: 70000 }), 'Invalid logs.output.port: 70000'],
    [() => synth({ logs: { maxUnavailable: 0 } }), 'Invalid fluent-bit.maxUnavailable: 0. Allowed: an integer from 1 to 10000'],
    [() => synth({ logs: { maxUnavailable: '0%' } }), 'Invalid fluent-bit.maxUnavailable: "0%"'],
    [() => NodeSelection.matchLabels({ 'bad key': 'x' }), 'Invalid nodes.matchLabels.bad key'],
    [() => Tolerations.of([{ key: 'a', effect: 'Sometimes' as any }]), 'Invalid tolerations[0].effect: "Sometimes"'],
    [() => synth({ monitoring: { resources: { limits: { memory: '1' }, requests: { memory: '2' } } } }), 'Invalid node-exporter.resources.requests.memory: "2". Allowed: at most the limit 1'],
  ])('rejects bad input %#', (build, message) => {
    expect(build).toThrow(message);
  });

  test.each([['generic', {}], ['eks', EKS]])('the %s agents are strictly valid for 1.28 and 1.36 and semantically sound', (_name, props) => {
    const objects = synth(props as ObservabilityChartProps);
    expect(validationErrors(objects)).toEqual([]);
  });

  test('snapshot of the generic agents', () => {
    expect(synth()).toMatchSnapshot();
  });
});
