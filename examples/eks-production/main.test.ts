import { join } from 'path';
import { expectCommittedOutputIsFresh, readObjects } from '../../test/example-synth';

const DIR = __dirname;

describe('examples/eks-production', () => {
  const objects = readObjects(join(DIR, 'dist'));
  const find = (kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));

  test('its committed dist/ is what cdk8s synth produces', () => {
    expectCommittedOutputIsFresh(DIR);
  });

  test('ALB with TLS and an HTTP to HTTPS redirect', () => {
    const ingress = find('Ingress');
    expect(ingress.spec.ingressClassName).toBe('alb');
    expect(ingress.metadata.annotations).toMatchObject({
      'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP":80},{"HTTPS":443}]',
      'alb.ingress.kubernetes.io/ssl-redirect': '443',
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
    });
  });

  test('IRSA for WordPress, the backups and the agents, each on its own ServiceAccount', () => {
    const annotated = objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.annotations?.['eks.amazonaws.com/role-arn']);
    expect(annotated.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort())
      .toEqual(['observability/cloudwatch-agent', 'observability/cloudwatch-agent-prometheus', 'observability/fluent-bit', `shop/${find('Deployment').spec.template.spec.serviceAccountName}`, 'shop/shop-backup']);
  });

  test('daily verified backups to S3 with their own IAM role, not a claim', () => {
    const cron = find('CronJob', 'shop-backup');
    expect(cron.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe('shop-backup');
    expect(find('ServiceAccount', 'shop-backup').metadata.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::111122223333:role/shop-backup');
    expect(find('ConfigMap', 'shop-backup-scripts').data['site.env']).toContain("S3_BASE='https://shop-backups-111122223333.s3.eu-west-1.amazonaws.com'");
    expect(find('PersistentVolumeClaim', 'shop-backups')).toBeUndefined();
  });

  test('Fluent Bit ships to CloudWatch Logs and the CloudWatch agent runs on every node', () => {
    expect(find('ConfigMap', 'fluent-bit').data['fluent-bit.conf'].replace(/ +/g, ' ')).toContain('log_group_name /aws/containerinsights/production/application');
    expect(find('DaemonSet', 'cloudwatch-agent').metadata.namespace).toBe('observability');
  });

  test('Container Insights: the three log groups, and the site\'s exporters scraped into the prometheus one', () => {
    const logs = find('ConfigMap', 'fluent-bit').data['fluent-bit.conf'].replace(/ +/g, ' ');
    for (const group of ['application', 'dataplane', 'host']) expect(logs).toContain(`log_group_name /aws/containerinsights/production/${group}`);
    const config = find('ConfigMap', 'cloudwatch-agent-prometheus').data;
    expect(JSON.parse(config['cwagentconfig.json']).logs.metrics_collected.prometheus.log_group_name).toBe('/aws/containerinsights/production/prometheus');
    expect(config['prometheus.yaml']).toContain('- shop');
    expect(find('Deployment', 'cloudwatch-agent-prometheus').spec.replicas).toBe(1);
    // The site's metrics ports admit the scraper's namespace as well as kube-prometheus-stack's
    const peers = find('NetworkPolicy', 'shop-web-metrics-in').spec.ingress[0].from.map((f: any) => f.namespaceSelector.matchLabels['kubernetes.io/metadata.name']);
    expect(peers).toEqual(['monitoring', 'observability']);
  });

  test('gp3 for MySQL, EFS for three WordPress replicas spread over zones', () => {
    expect(find('StorageClass', 'gp3-encrypted').provisioner).toBe('ebs.csi.aws.com');
    expect(find('StorageClass', 'efs-wordpress').provisioner).toBe('efs.csi.aws.com');
    expect(find('StatefulSet').spec.volumeClaimTemplates[0].spec.storageClassName).toBe('gp3-encrypted');
    expect(find('PersistentVolumeClaim').spec).toMatchObject({ storageClassName: 'efs-wordpress', accessModes: ['ReadWriteMany'] });
    expect(find('HorizontalPodAutoscaler').spec.minReplicas).toBe(3);
    expect(find('Deployment').spec.template.spec.topologySpreadConstraints[0].topologyKey).toBe('topology.kubernetes.io/zone');
  });

  test('every image comes through the ECR pull-through cache', () => {
    const images = objects.flatMap((o) => {
      const pod = o.spec?.template?.spec;
      return [...pod?.initContainers ?? [], ...pod?.containers ?? []].map((c: any) => c.image);
    });
    // MySQL (and its exporter-user init container), WordPress, the credentials Job, the update-db Job
    // (core from WordPress, then the CLI), the log agent, the CloudWatch agent and its Prometheus
    // scraper, and the two metrics exporters
    expect(images.length).toBe(11);
    for (const image of images) expect(image).toMatch(/^111122223333\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/(docker-hub|ecr-public|quay)\//);
    expect(images.filter((i) => i.includes('/ecr-public/aws-observability/aws-for-fluent-bit:'))).toHaveLength(1);
  });

  test('application metrics: exporters pulled through ECR, a PodMonitor and PrometheusRule for kube-prometheus-stack, a dashboard', () => {
    const containers = [find('StatefulSet'), find('Deployment')].flatMap((w) => w.spec.template.spec.containers);
    const exporters = containers.filter((c: any) => c.name.endsWith('-exporter'));
    expect(exporters.map((c: any) => c.name)).toEqual(['mysqld-exporter', 'apache-exporter']);
    for (const exporter of exporters) expect(exporter.image).toMatch(/^111122223333\.dkr\.ecr\.eu-west-1\.amazonaws\.com\/quay\//);
    expect(find('PodMonitor').metadata.labels.release).toBe('kube-prometheus-stack');
    expect(find('PrometheusRule').spec.groups[0].rules.map((r: any) => r.alert)).toContain('WordPressBackupTooOld');
    expect(find('ConfigMap', 'shop-dashboard').metadata.labels.grafana_dashboard).toBe('1');
  });
});
