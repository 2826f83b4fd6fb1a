import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { ObservabilityChart, ObservabilityChartProps } from '../../charts/observability-chart';
import { WordPressChart } from '../../charts/wordpress-chart';
import { siteMetricDeclarations } from '../../src/agents/cloudwatch-agent/prometheus-config';
import { LogOutput } from '../../src/agents/fluent-bit/log-output';
import { Platform } from '../../src/eks/platform';
import { LinearSynthApp } from '../../src/synth/linear-synth-app';
import { WorkloadIdentity } from '../../src/eks/iam/irsa-and-pod-identity';
import { ALL_DOCUMENTED } from '../monitoring/documented-metrics';
import { validationErrors } from '../support/validity';
import { all, find, Manifest } from '../helpers';

const EKS = Platform.eks({ clusterName: 'prod', region: 'eu-west-1' });
const synth = (props: ObservabilityChartProps) => Testing.synth(new ObservabilityChart(Testing.app(), 'obs', props)) as Manifest[];
const withPrometheus = (prometheus: any = true, monitoring: object = {}) => synth({ platform: EKS, monitoring: { ...monitoring, prometheus } });
const fluentBitConfig = (objects: Manifest[]) => (find(objects, 'ConfigMap', 'fluent-bit').data['fluent-bit.conf'] as string).replace(/ +/g, ' ');

/** `[SECTION]` blocks of a Fluent Bit classic config, each as its key/value lines (keys may repeat). */
function sections(config: string): { name: string; entries: [string, string][] }[] {
  return config.split(/\n\n+/).map((block) => {
    const [head, ...lines] = block.trim().split('\n');
    return { name: head.replace(/[[\]]/g, ''), entries: lines.map((line) => line.trim().split(/ (.*)/s).slice(0, 2) as [string, string]) };
  });
}
const value = (section: { entries: [string, string][] }, key: string) => section.entries.filter(([k]) => k === key).map(([, v]) => v);

/**
 * Cluster-scoped names of the amazon-cloudwatch-observability add-on (Helm chart
 * aws-observability/helm-charts, charts/amazon-cloudwatch-observability, defaults; read 2026-12-02)
 * and of the Container Insights quick-start manifests it replaced (aws-samples/amazon-cloudwatch-container-insights,
 * k8s-deployment-manifest-templates/deployment-mode: cwagent, fluent-bit, cwagent-prometheus).
 */
const ADD_ON_CLUSTER_SCOPED = [
  'Namespace/amazon-cloudwatch',
  'ClusterRole/cloudwatch-agent-role', 'ClusterRoleBinding/cloudwatch-agent-role-binding',
  'ClusterRole/amazon-cloudwatch-observability-manager-role', 'ClusterRoleBinding/amazon-cloudwatch-observability-manager-rolebinding',
  'ClusterRole/cloudwatch-agent-target-allocator-role', 'ClusterRoleBinding/cloudwatch-agent-target-allocator-rolebinding',
  'ClusterRole/kube-state-metrics-cluster-role', 'ClusterRoleBinding/kube-state-metrics-cluster-role-binding',
  'MutatingWebhookConfiguration/amazon-cloudwatch-observability-mutating-webhook-configuration',
  'ValidatingWebhookConfiguration/amazon-cloudwatch-observability-validating-webhook-configuration',
  'CustomResourceDefinition/amazoncloudwatchagents.cloudwatch.aws.amazon.com', 'CustomResourceDefinition/instrumentations.cloudwatch.aws.amazon.com',
  'CustomResourceDefinition/dcgmexporters.cloudwatch.aws.amazon.com', 'CustomResourceDefinition/neuronmonitors.cloudwatch.aws.amazon.com',
  'ClusterRole/fluent-bit-role', 'ClusterRoleBinding/fluent-bit-role-binding',
  'ClusterRole/cwagent-prometheus-role', 'ClusterRoleBinding/cwagent-prometheus-role-binding',
];

describe('Fluent Bit in Container Insights\' log groups (EKS)', () => {
  const objects = synth({ platform: EKS });
  const blocks = sections(fluentBitConfig(objects));
  const outputs = blocks.filter((s) => s.name === 'OUTPUT');

  test('application, dataplane and host, each with Container Insights\' stream names', () => {
    // Given the EKS default output, then one CloudWatch output per log group, matching its own tag
    expect(outputs.map((o) => [value(o, 'Match')[0], value(o, 'log_group_name')[0], value(o, 'log_stream_prefix')[0]])).toEqual([
      ['application.*', '/aws/containerinsights/prod/application', '${HOST_NAME}-'],
      ['dataplane.*', '/aws/containerinsights/prod/dataplane', '${HOST_NAME}-'],
      ['host.*', '/aws/containerinsights/prod/host', '${HOST_NAME}.'],
    ]);
    for (const output of outputs) expect(value(output, 'log_retention_days')).toEqual(['30']);
  });

  test('container logs are tagged application.<file>, so streams are <node>-application.var.log.containers.<file>', () => {
    const tail = blocks.find((s) => s.name === 'INPUT' && value(s, 'Path')[0] === '/var/log/containers/*.log')!;
    expect(value(tail, 'Tag')).toEqual(['application.*']);
    // aws-node and kube-proxy go to dataplane, as in Container Insights; the agents' own logs nowhere
    expect(value(tail, 'Exclude_Path')).toEqual(['/var/log/containers/*_observability_*.log, /var/log/containers/aws-node*, /var/log/containers/kube-proxy*']);
    const kubernetes = blocks.find((s) => value(s, 'Name')[0] === 'kubernetes')!;
    expect(value(kubernetes, 'Match')).toEqual(['application.*']);
    expect(value(kubernetes, 'Kube_Tag_Prefix')).toEqual(['application.var.log.containers.']);
  });

  test.each([
    ['dataplane.systemd.*', ['_SYSTEMD_UNIT=kubelet.service', '_SYSTEMD_UNIT=containerd.service', '_SYSTEMD_UNIT=docker.service']],
    ['host.dmesg', ['_TRANSPORT=kernel']],
    ['host.messages', ['PRIORITY=0', 'PRIORITY=1', 'PRIORITY=2', 'PRIORITY=3', 'PRIORITY=4', 'PRIORITY=5', 'PRIORITY=6']],
    ['host.secure', ['SYSLOG_FACILITY=10']],
  ])('journald input %s reads the node\'s journal from its tail, any of its filters', (tag, filters) => {
    const input = blocks.find((s) => value(s, 'Name')[0] === 'systemd' && value(s, 'Tag')[0] === tag)!;
    expect(value(input, 'Systemd_Filter')).toEqual(filters);
    expect(value(input, 'Systemd_Filter_Type')).toEqual(['Or']);
    expect(value(input, 'Path')).toEqual(['/var/log/journal']);
    expect(value(input, 'Read_From_Tail')).toEqual(['On']);
    expect(value(input, 'DB')[0]).toMatch(/^\/var\/fluent-bit\/state\//);
  });

  test('every tail and journal position has its own database', () => {
    const databases = blocks.flatMap((s) => value(s, 'DB'));
    expect(new Set(databases).size).toBe(databases.length);
  });

  test('the journal is read through the read-only /var/log mount; the pod keeps its posture', () => {
    const pod = find(objects, 'DaemonSet', 'fluent-bit').spec.template.spec;
    const volume = pod.volumes.find((v: any) => v.hostPath?.path === '/var/log');
    expect(pod.containers[0].volumeMounts.find((m: any) => m.name === volume.name)).toEqual({ name: volume.name, mountPath: '/var/log', readOnly: true });
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  test('nodeLogs: false keeps the application group only, with its stream names', () => {
    const config = fluentBitConfig(synth({ platform: EKS, logs: { output: LogOutput.cloudWatch({ clusterName: 'prod', region: 'eu-west-1', nodeLogs: false }) } }));
    expect(config).not.toContain('systemd');
    expect(config.match(/log_group_name .*/g)).toEqual(['log_group_name /aws/containerinsights/prod/application']);
    expect(config).toContain('Tag application.*');
    expect(config).toContain('Exclude_Path /var/log/containers/*_observability_*.log\n');
  });

  test.each([
    ['stdout', LogOutput.stdout()],
    ['loki', LogOutput.loki({ host: 'loki.example.com' })],
  ])('the %s output keeps container logs only, tagged kube.*', (_name, output) => {
    const config = fluentBitConfig(synth({ platform: EKS, logs: { output } }));
    expect(config).not.toContain('systemd');
    expect(config).not.toContain('Kube_Tag_Prefix');
    expect(config).toContain('Tag kube.*');
  });
});

describe('Container Insights Prometheus (EKS, monitoring.prometheus)', () => {
  const objects = withPrometheus();
  const deployment = find(objects, 'Deployment', 'cloudwatch-agent-prometheus');
  const configMap = find(objects, 'ConfigMap', 'cloudwatch-agent-prometheus');
  const agentConfig = JSON.parse(configMap.data['cwagentconfig.json']);
  const scrape = parse(configMap.data['prometheus.yaml']);

  test('off unless asked for', () => {
    expect(all(synth({ platform: EKS }), 'Deployment')).toEqual([]);
  });

  test('one scraper for the cluster, never two at once: every agent would scrape every pod', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    // The node agents stay a DaemonSet without Prometheus
    expect(JSON.parse(find(objects, 'ConfigMap', 'cloudwatch-agent').data['cwagentconfig.json']).logs.metrics_collected.prometheus).toBeUndefined();
  });

  test('writes into Container Insights\' prometheus log group of the platform\'s cluster', () => {
    expect(agentConfig.agent).toEqual({ region: 'eu-west-1' });
    expect(agentConfig.logs.metrics_collected.prometheus).toMatchObject({
      cluster_name: 'prod',
      log_group_name: '/aws/containerinsights/prod/prometheus',
      prometheus_config_path: '/etc/prometheusconfig/prometheus.yaml',
    });
    const mounts = deployment.spec.template.spec.containers[0].volumeMounts;
    expect(mounts).toEqual([
      { name: 'agent-config', mountPath: '/etc/cwagentconfig', readOnly: true },
      { name: 'prometheus-config', mountPath: '/etc/prometheusconfig', readOnly: true },
    ]);
    // The agent reads every file of /etc/cwagentconfig as its configuration: only its JSON is there
    expect(deployment.spec.template.spec.volumes.map((v: any) => v.configMap.items)).toEqual([
      [{ key: 'cwagentconfig.json', path: 'cwagentconfig.json' }], [{ key: 'prometheus.yaml', path: 'prometheus.yaml' }],
    ]);
  });

  test('least privilege: its own ServiceAccount, which may list and watch pods and nothing else', () => {
    expect(find(objects, 'ClusterRole', 'observability-cloudwatch-agent-prometheus').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch'] }]);
    expect(find(objects, 'ClusterRoleBinding', 'observability-cloudwatch-agent-prometheus').subjects)
      .toEqual([{ kind: 'ServiceAccount', name: 'cloudwatch-agent-prometheus', namespace: 'observability' }]);
    expect(deployment.spec.template.spec.serviceAccountName).toBe('cloudwatch-agent-prometheus');
    expect(deployment.spec.template.spec.containers[0].securityContext).toEqual({
      allowPrivilegeEscalation: false, privileged: false, readOnlyRootFilesystem: false, capabilities: { drop: ['ALL'] },
    });
    expect(deployment.spec.template.spec.volumes.filter((v: any) => v.hostPath)).toEqual([]);
  });

  test('the IAM identity is the CloudWatch agent\'s unless it has its own', () => {
    const role = (arn: string) => WorkloadIdentity.irsa(arn);
    const annotation = (o: Manifest[]) => find(o, 'ServiceAccount', 'cloudwatch-agent-prometheus').metadata.annotations?.['eks.amazonaws.com/role-arn'];
    expect(annotation(withPrometheus(true, { identity: role('arn:aws:iam::111122223333:role/cw') }))).toBe('arn:aws:iam::111122223333:role/cw');
    expect(annotation(withPrometheus({ identity: role('arn:aws:iam::111122223333:role/prom') }, { identity: role('arn:aws:iam::111122223333:role/cw') })))
      .toBe('arn:aws:iam::111122223333:role/prom');
  });

  test('scrapes every namespace by default, or only those listed, at the interval asked', () => {
    expect(scrape.scrape_configs[0].kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    expect(scrape.global.scrape_interval).toBe('60s');
    const listed = parse(find(withPrometheus({ namespaces: ['shop'], scrapeIntervalSeconds: 30 }), 'ConfigMap', 'cloudwatch-agent-prometheus').data['prometheus.yaml']);
    expect(listed.scrape_configs[0].kubernetes_sd_configs).toEqual([{ role: 'pod', namespaces: { names: ['shop'] } }]);
    expect(listed.global.scrape_interval).toBe('30s');
  });

  test('a config change rolls the pod', () => {
    const hash = (o: Manifest[]) => find(o, 'Deployment', 'cloudwatch-agent-prometheus').spec.template.metadata.annotations['cdk8s-wordpress-eks/config-hash'];
    expect(hash(objects)).not.toEqual(hash(withPrometheus({ scrapeIntervalSeconds: 30 })));
  });

  test('beside the add-on, only the scraper: nodeMetrics false drops the node agent and its roles', () => {
    const only = withPrometheus(true, { nodeMetrics: false });
    expect(all(only, 'DaemonSet').map((d) => d.metadata.name)).toEqual(['fluent-bit']);
    expect(all(only, 'Deployment').map((d) => d.metadata.name)).toEqual(['cloudwatch-agent-prometheus']);
    expect(only.filter((o) => /Role/.test(o.kind) && o.metadata.name.includes('cloudwatch-agent') && !o.metadata.name.includes('prometheus'))).toEqual([]);
    expect(() => synth({ platform: EKS, monitoring: { nodeMetrics: false } })).toThrow('Invalid monitoring.nodeMetrics: false. Allowed: true, or monitoring.prometheus on');
  });

  test.each([
    ['no namespace', { namespaces: [] }, 'Invalid monitoring.prometheus.namespaces: []. Allowed: at least one namespace'],
    ['a bad namespace', { namespaces: ['Shop'] }, 'Invalid monitoring.prometheus.namespaces[0]: "Shop"'],
    ['a scrape every second', { scrapeIntervalSeconds: 1 }, 'Invalid monitoring.prometheus.scrapeIntervalSeconds: 1. Allowed: an integer from 10 to 3600'],
    ['requests over limits', { resources: { requests: { cpu: '2' } } }, 'Invalid monitoring.prometheus.resources.requests.cpu: "2"'],
  ])('rejects %s with the path the user wrote', (_case, prometheus, message) => {
    expect(() => withPrometheus(prometheus)).toThrow(message);
  });

  test.each([
    ['prometheus', { prometheus: true }],
    ['nodeMetrics', { nodeMetrics: false }],
  ])('%s is refused on the generic platform, where node-exporter would drop it', (key, monitoring) => {
    expect(() => synth({ monitoring: monitoring as any })).toThrow(`Invalid monitoring.${key}: `);
    expect(() => synth({ monitoring: monitoring as any })).toThrow('Platform.eks({ clusterName, region })');
  });

  test('an unpinned image is rejected at monitoring.image, with or without the node agent', () => {
    for (const nodeMetrics of [true, false]) {
      expect(() => withPrometheus(true, { nodeMetrics, image: 'cloudwatch-agent' })).toThrow('Invalid monitoring.image: "cloudwatch-agent"');
    }
  });

  test('strictly valid for 1.28 to 1.36', () => {
    expect(validationErrors(objects)).toEqual([]);
  });
});

describe('what the scraper finds in a site', () => {
  // Given a site whose metrics ports admit the agents' namespace
  const site = Testing.synth(new WordPressChart(Testing.app(), 'shop', {
    namespace: 'shop', releaseName: 'shop', ingress: { hosts: ['shop.example.com'] }, metrics: { scraperNamespaces: ['monitoring', 'observability'] },
  })) as Manifest[];
  const scrape = parse(find(withPrometheus(), 'ConfigMap', 'cloudwatch-agent-prometheus').data['prometheus.yaml']).scrape_configs[0];
  const keep = scrape.relabel_configs[0];
  // Prometheus anchors relabel expressions at both ends
  const kept = (container: string, port: string) => new RegExp(`^(?:${keep.regex})$`).test(`${container};${port}`);
  const ports = [find(site, 'StatefulSet'), find(site, 'Deployment')].flatMap((w) => w.spec.template.spec.containers
    .flatMap((c: any) => (c.ports ?? []).map((p: any) => ({ workload: w, container: c.name, port: p.name, number: p.containerPort }))));

  test('exactly the two exporters\' metrics ports are targets', () => {
    expect(keep.source_labels).toEqual(['__meta_kubernetes_pod_container_name', '__meta_kubernetes_pod_container_port_name']);
    expect(ports.filter((p) => kept(p.container, p.port)).map((p) => `${p.container}:${p.number}`)).toEqual(['mysqld-exporter:9104', 'apache-exporter:9117']);
    expect(ports.filter((p) => !kept(p.container, p.port)).length).toBeGreaterThan(0);
  });

  test('the NetworkPolicies of those ports admit the scraper\'s namespace', () => {
    for (const name of ['shop-mysql-metrics-in', 'shop-web-metrics-in']) {
      const peers = find(site, 'NetworkPolicy', name).spec.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
      expect(peers).toContain('observability');
    }
  });

  test('the Release dimension is the site\'s instance label', () => {
    const release = scrape.relabel_configs.find((r: any) => r.target_label === 'Release');
    const label = release.source_labels[0].replace('__meta_kubernetes_pod_label_', '');
    for (const p of ports) {
      const labels = p.workload.spec.template.metadata.labels;
      const key = Object.keys(labels).find((k) => k.replace(/[^a-zA-Z0-9_]/g, '_') === label);
      expect(key && labels[key]).toBe('shop');
    }
  });

  test('every declaration selects one of the exporters\' containers and the labels the scrape sets', () => {
    const containers = ports.filter((p) => kept(p.container, p.port)).map((p) => p.container);
    const targetLabels = new Set(['ClusterName', ...scrape.relabel_configs.map((r: any) => r.target_label).filter(Boolean)]);
    for (const declaration of siteMetricDeclarations()) {
      expect(containers.some((c) => new RegExp(declaration.label_matcher).test([c, ...declaration.source_labels.slice(1).map(() => 'busy')].join(';')))).toBe(true);
      for (const dimension of declaration.dimensions.flat()) {
        // `state` is apache_exporter's own label on apache_workers
        expect(targetLabels.has(dimension) || dimension === 'state').toBe(true);
      }
    }
  });
});

describe('metric declarations', () => {
  const selected = siteMetricDeclarations().flatMap((d) => d.metric_selectors);

  test.each(selected)('%s names one documented metric exactly', (selector) => {
    expect(selector).toMatch(/^\^[a-z_]+\$$/);
    expect(ALL_DOCUMENTED.has(selector.slice(1, -1))).toBe(true);
  });

  test('the signals the alerts use are all there', () => {
    expect(selected.map((s) => s.slice(1, -1))).toEqual(expect.arrayContaining([
      'mysql_up', 'mysql_global_status_threads_connected', 'mysql_global_variables_max_connections', 'mysql_global_status_slow_queries',
      'apache_up', 'apache_accesses_total', 'apache_workers', 'apache_duration_ms_total',
    ]));
  });
});

describe('beside the amazon-cloudwatch-observability add-on', () => {
  test('no cluster-scoped name of ours is one of the add-on\'s', () => {
    // Given everything on, logs and metrics, in the default namespace
    const objects = withPrometheus(true);
    const ours = objects.filter((o) => o.metadata.namespace === undefined).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(ours.length).toBeGreaterThan(0);
    expect(ours.filter((name) => ADD_ON_CLUSTER_SCOPED.includes(name))).toEqual([]);
    // and no namespaced object lands in the add-on's namespace
    expect(objects.filter((o) => o.metadata.namespace === 'amazon-cloudwatch')).toEqual([]);
  });

  test('the guard would catch a clash (guards the test above)', () => {
    expect(ADD_ON_CLUSTER_SCOPED).toContain('ClusterRole/cloudwatch-agent-role');
    expect(() => synth({ platform: EKS, namespace: 'amazon-cloudwatch' })).toThrow('amazon-cloudwatch');
  });
});

describe('sites the Prometheus scraper cannot reach are refused at synth', () => {
  let outdir: string;
  beforeEach(() => { outdir = mkdtempSync(join(tmpdir(), 'scraper-reach-')); });
  afterEach(() => rmSync(outdir, { recursive: true, force: true }));

  /** An app of one site admitting `scrapers` and the agents scraping `namespaces`. */
  function appWith(scrapers: string[], namespaces?: string[]): LinearSynthApp {
    const app = new LinearSynthApp({ outdir });
    new WordPressChart(app, 'shop', { namespace: 'shop', releaseName: 'shop', ingress: { hosts: ['shop.example.com'] }, metrics: { scraperNamespaces: scrapers } });
    new ObservabilityChart(app, 'obs', { platform: EKS, monitoring: { prometheus: namespaces ? { namespaces } : true } });
    return app;
  }

  test('a site that does not admit the agents\' namespace fails the synth, naming both and the fix, before any file is written', () => {
    // Given a site admitting only kube-prometheus-stack's namespace, scraped by the CloudWatch agent
    const app = appWith(['monitoring']);
    // When synthesized, then it is refused with both namespaces and the prop to change
    expect(() => app.synth()).toThrow(/the site "shop" \(namespace shop\) admits metrics scrapers from monitoring only, so the CloudWatch scraper in namespace "observability" cannot reach its exporters\. Add "observability" to that site's metrics.scraperNamespaces/);
    expect(readdirSync(outdir)).toEqual([]);
  });

  test.each([
    { name: 'the site admits the agents\' namespace', scrapers: ['monitoring', 'observability'], namespaces: undefined },
    { name: 'the scraper is limited to other namespaces', scrapers: ['monitoring'], namespaces: ['blog'] },
  ])('no error when $name', ({ scrapers, namespaces }) => {
    expect(() => appWith(scrapers, namespaces).synth()).not.toThrow();
  });
});
