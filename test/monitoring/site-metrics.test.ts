import { Testing } from 'cdk8s';
import { WordPressChart, WordPressChartProps } from '../../charts/wordpress-chart';
import { Credentials } from '../../src/credentials/credentials';
import { APACHE_STATUS_PORT, apacheStatusConfig } from '../../src/monitoring/apache-status';
import { all, find, Manifest } from '../helpers';
import { validationErrors } from '../support/validity';

const SITE = { ingress: { hosts: ['blog.example.com'] } };

function synthChart(props: WordPressChartProps = {}): Manifest[] {
  return Testing.synth(new WordPressChart(Testing.app(), 'site', { ...SITE, ...props })) as Manifest[];
}

const podOf = (workload: Manifest) => workload.spec.template.spec;
const container = (workload: Manifest, name: string) => [...podOf(workload).initContainers ?? [], ...podOf(workload).containers]
  .find((c: any) => c.name === name);
const generatorJob = (objects: Manifest[]) => all(objects, 'Job').find((job) => job.metadata.name.startsWith('wordpress-credentials-'))!;

describe('metrics off (the default)', () => {
  test('no exporter, no metrics Secret and no monitoring object', () => {
    // Given a chart without `metrics`, when synthesized
    const objects = synthChart();
    // Then the pods have only their own containers and the generator makes only the two Secrets
    expect(podOf(find(objects, 'StatefulSet')).containers.map((c: any) => c.name)).toEqual(['mysql']);
    expect(podOf(find(objects, 'Deployment')).containers.map((c: any) => c.name)).toEqual(['wordpress']);
    expect(JSON.stringify(generatorJob(objects))).not.toContain('metrics');
    expect(objects.filter((o) => /PodMonitor|PrometheusRule/.test(o.kind))).toEqual([]);
  });
});

describe('metrics on', () => {
  const objects = synthChart({ metrics: { prometheusOperator: { labels: { release: 'kube-prometheus-stack' } }, grafanaDashboard: true } });
  const mysql = find(objects, 'StatefulSet');
  const web = find(objects, 'Deployment');

  test('the output is valid on every supported Kubernetes version', () => {
    expect(validationErrors(objects)).toEqual([]);
  });

  test.each([
    ['mysqld-exporter', 'StatefulSet', 9104],
    ['apache-exporter', 'Deployment', 9117],
  ])('%s runs non-root with a read-only root filesystem and serves on a port named metrics', (name, kind, port) => {
    const exporter = container(find(objects, kind), name);
    expect(exporter.ports).toEqual([{ name: 'metrics', containerPort: port, protocol: 'TCP' }]);
    expect(exporter.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(exporter.env).toBeUndefined();
  });

  test('mysqld-exporter reads its credentials from a file on a memory volume, written from the metrics Secret', () => {
    const exporter = container(mysql, 'mysqld-exporter');
    expect(exporter.args).toEqual(['--config.my-cnf=/etc/mysqld-exporter/my.cnf']);
    const volumes = Object.fromEntries(podOf(mysql).volumes.map((v: any) => [v.name, v]));
    expect(volumes['exporter-client'].emptyDir.medium).toBe('Memory');
    expect(volumes['metrics-credentials'].secret.secretName).toBe('wordpress-metrics-credentials');
  });

  test('the exporter user is created or updated at every MySQL start, with least privilege', () => {
    // Given the init container's script and the server's arguments
    const script: string = container(mysql, 'exporter-user').command[2];
    // Then mysqld runs the statements at start (fresh and existing data directories alike)
    expect(container(mysql, 'mysql').args).toEqual(['mysqld', '--init-file=/var/run/mysql-init/exporter-user.sql']);
    expect(script).toContain("CREATE USER IF NOT EXISTS 'exporter'@'localhost'");
    expect(script).toContain("ALTER USER 'exporter'@'localhost'");
    expect(script).toContain('WITH MAX_USER_CONNECTIONS 3');
    // And it may read status, never the site's tables
    expect(script).toContain("GRANT PROCESS, REPLICATION CLIENT ON *.* TO 'exporter'@'localhost';");
    expect(script).toContain("GRANT SELECT ON performance_schema.* TO 'exporter'@'localhost';");
    expect(script).not.toMatch(/GRANT [^;]*SELECT[^;]*ON \*\.\*/);
  });

  test('the credentials generator also creates the metrics Secret, and may read it back', () => {
    const job = generatorJob(objects);
    const env = Object.fromEntries(podOf(job).containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env.METRICS_SECRET_NAME).toBe('wordpress-metrics-credentials');
    expect(podOf(job).containers[0].command[2]).toContain('ensure "$METRICS_SECRET_NAME"');
    const role = all(objects, 'Role').find((r) => r.metadata.name === 'wordpress-credentials-generator')!;
    expect(role.rules[1].resourceNames).toContain('wordpress-metrics-credentials');
  });

  test.each([
    ['wordpress-mysql-metrics-in', 9104],
    ['wordpress-web-metrics-in', 9117],
  ])('NetworkPolicy %s opens the metrics port to the scraper namespace only', (name, port) => {
    const policy = all(objects, 'NetworkPolicy').find((p) => p.metadata.name === name)!;
    expect(policy.spec.ingress).toEqual([{
      ports: [{ protocol: 'TCP', port }],
      from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
    }]);
  });

  test('Apache serves the status page on the loopback address only, and refuses it on the site', () => {
    // Given the Apache configuration mounted into the WordPress container
    const config: string = find(objects, 'ConfigMap', 'wordpress-apache-status').data['status.conf'];
    expect(config).toBe(apacheStatusConfig());
    // Then the status port listens on 127.0.0.1 only, and every other virtual host denies /server-status
    expect(config.match(/^Listen .*/gm)).toEqual([`Listen 127.0.0.1:${APACHE_STATUS_PORT}`]);
    const [global] = config.split('<VirtualHost');
    expect(global).toMatch(/<Location "\/server-status">\s+Require all denied\s+<\/Location>/);
    expect(global).not.toContain('SetHandler');
    // And neither the Service nor the Ingress route to the status or exporter ports
    expect(find(objects, 'Service', 'wordpress').spec.ports.map((p: any) => p.targetPort)).toEqual(['http']);
    const backends = find(objects, 'Ingress').spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.backend.service.port));
    expect(backends.every((port: any) => port.name === 'http')).toBe(true);
    expect(container(web, 'apache-exporter').args).toEqual([`--scrape_uri=http://127.0.0.1:${APACHE_STATUS_PORT}/server-status?auto`]);
  });

  test('a PodMonitor and a PrometheusRule carry the Prometheus selector labels; no scrape annotations', () => {
    const monitor = find(objects, 'PodMonitor');
    const rule = find(objects, 'PrometheusRule');
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(rule.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(rule.spec.groups[0].rules.map((r: any) => r.alert)).toContain('WordPressMySqlDown');
    expect(mysql.spec.template.metadata.annotations['prometheus.io/scrape']).toBeUndefined();
  });

  test('the dashboard ConfigMap has the label Grafana\'s sidecar loads, and valid JSON', () => {
    const dashboard = find(objects, 'ConfigMap', 'wordpress-dashboard');
    expect(dashboard.metadata.labels?.grafana_dashboard).toBe('1');
    const model = JSON.parse(dashboard.data['wordpress.json']);
    expect(model.panels.length).toBeGreaterThan(5);
  });
});

describe('metrics without the operator', () => {
  test('the pods carry the conventional prometheus.io annotations instead', () => {
    const objects = synthChart({ metrics: { scraperNamespaces: ['prometheus', 'observability'] } });
    expect(find(objects, 'StatefulSet').spec.template.metadata.annotations).toMatchObject({
      'prometheus.io/scrape': 'true', 'prometheus.io/port': '9104', 'prometheus.io/path': '/metrics',
    });
    expect(find(objects, 'Deployment').spec.template.metadata.annotations).toMatchObject({ 'prometheus.io/port': '9117' });
    expect(objects.filter((o) => /PodMonitor|PrometheusRule/.test(o.kind))).toEqual([]);
    const policy = all(objects, 'NetworkPolicy').find((p) => p.metadata.name === 'wordpress-mysql-metrics-in')!;
    expect(policy.spec.ingress[0].from.map((peer: any) => peer.namespaceSelector.matchLabels['kubernetes.io/metadata.name'])).toEqual(['prometheus', 'observability']);
  });
});

describe('metrics: bad input', () => {
  test.each<[string, WordPressChartProps, RegExp]>([
    ['existing Secrets without a metrics Secret', {
      credentials: Credentials.fromExistingSecrets({ database: 'db', wordpressKeys: 'keys' }), metrics: {},
    }, /credentials.*metrics/],
    ['a scraper namespace that is no DNS label', { metrics: { scraperNamespaces: ['monitoring', 'Monitoring!'] } }, /metrics\.scraperNamespaces\[1\]/],
    ['no scraper namespace', { metrics: { scraperNamespaces: [] } }, /metrics\.scraperNamespaces.*at least one/],
    ['an ingress namespace label that is no Prometheus label', { metrics: { ingressNamespaceLabel: 'exported-namespace' } }, /metrics\.ingressNamespaceLabel/],
    ['an exporter image on latest', { metrics: { mysqldExporterImage: 'prom/mysqld-exporter:latest' } }, /metrics\.mysqldExporterImage/],
  ])('%s is refused, naming the field', (_case, props, message) => {
    expect(() => synthChart(props)).toThrow(message);
  });

  test('existing Secrets with a metrics Secret are used as they are', () => {
    const objects = synthChart({
      credentials: Credentials.fromExistingSecrets({ database: 'db', wordpressKeys: 'keys', metrics: 'exporter' }), metrics: {},
    });
    const volume = podOf(find(objects, 'StatefulSet')).volumes.find((v: any) => v.name === 'metrics-credentials');
    expect(volume.secret.secretName).toBe('exporter');
  });
});

describe('metrics in the config file', () => {
  test('a `metrics` key turns the exporters on in the default app', () => {
    // Given a config file with metrics and the operator on
    const { buildDefaultApp } = require('../../src/app');
    const objects = Testing.synth(buildDefaultApp(Testing.app(), { metrics: { prometheusOperator: true } }).charts[0]) as Manifest[];
    // Then the site has its exporters and its PodMonitor
    expect(podOf(find(objects, 'StatefulSet')).containers.map((c: any) => c.name)).toEqual(['mysql', 'mysqld-exporter']);
    expect(find(objects, 'PodMonitor').metadata.name).toBe('wordpress');
  });
});

describe('request metrics', () => {
  const alertsOf = (props: WordPressChartProps) => find(synthChart(props), 'PrometheusRule').spec.groups[0].rules.map((r: any) => r.alert);

  test('behind ingress-nginx (the default) the 5xx and latency alerts select the site\'s Ingress', () => {
    const rules = find(synthChart({ metrics: { prometheusOperator: true } }), 'PrometheusRule').spec.groups[0].rules;
    expect(rules.find((r: any) => r.alert === 'WordPressHigh5xxRatio').expr).toContain('exported_namespace="wordpress",ingress="wordpress"');
  });

  test('with requestMetrics: none they are left out (an ALB reports them to CloudWatch)', () => {
    expect(alertsOf({ metrics: { prometheusOperator: true, requestMetrics: 'none' } })).not.toContain('WordPressHigh5xxRatio');
  });
});

describe('the exporter-user init script, run by bash', () => {
  const { execFileSync } = require('child_process');
  const { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } = require('fs');
  const { join } = require('path');
  const { tmpdir } = require('os');
  const script: string = container(find(synthChart({ metrics: {} }), 'StatefulSet'), 'exporter-user').command[2];

  /** Runs the script with its three directories moved under a temporary one. */
  function run(password: string): { status: number; sql?: string; cnf?: string; stderr: string } {
    const dir = mkdtempSync(join(tmpdir(), 'exporter-user-'));
    try {
      for (const sub of ['pw', 'init', 'client']) mkdirSync(join(dir, sub));
      writeFileSync(join(dir, 'pw', 'password'), password);
      const local = script.replace(/\/etc\/mysql\/metrics-credentials/g, join(dir, 'pw'))
        .replace(/\/var\/run\/mysql-init/g, join(dir, 'init')).replace(/\/etc\/mysqld-exporter/g, join(dir, 'client'));
      try {
        execFileSync('bash', ['-c', local], { stdio: 'pipe' });
      } catch (error: any) {
        return { status: error.status, stderr: String(error.stderr) };
      }
      return {
        status: 0, stderr: '',
        sql: readFileSync(join(dir, 'init', 'exporter-user.sql'), 'utf8'), cnf: readFileSync(join(dir, 'client', 'my.cnf'), 'utf8'),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('writes one statement a line and the client file with the password', () => {
    const { status, sql, cnf } = run('Abc123xyz');
    expect(status).toBe(0);
    expect(sql!.trimEnd().split('\n')).toHaveLength(4);
    expect(sql).toContain("IDENTIFIED BY 'Abc123xyz'");
    expect(cnf).toBe('[client]\nuser=exporter\npassword=Abc123xyz\nsocket=/var/run/mysqld/mysqld.sock\n');
  });

  test.each([['a quote', "ab'c"], ['a backslash', 'ab\\c'], ['a space', 'ab c'], ['nothing', '']])('refuses a password with %s', (_case, password) => {
    const { status, stderr } = run(password);
    expect(status).not.toBe(0);
    expect(stderr).toContain('key password of the metrics Secret');
  });
});
