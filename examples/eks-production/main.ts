// WordPress on Amazon EKS for production: an internet-facing ALB with TLS and HTTP->HTTPS redirect,
// IRSA for the WordPress pods, MySQL on encrypted gp3, three WordPress replicas on EFS across
// zones, every image pulled through an ECR pull-through cache, and verified daily backups to S3.
import { App, Chart } from 'cdk8s';
import {
  BackupDestination, EfsStorageClass, Gp3StorageClass, ImageRegistry, LinearSynthApp, markPrunable, ObservabilityChart, Platform, WordPressChart, WorkloadIdentity, writeSynthExtras,
} from 'cdk8s-wordpress-eks';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

export function buildApp(app: App): App {
  // Cluster-scoped and EKS-bound: the only objects here that other clusters cannot provision.
  const storage = new Chart(app, 'storage');
  const gp3 = new Gp3StorageClass(storage, 'gp3', { name: 'gp3-encrypted' });
  const efs = new EfsStorageClass(storage, 'efs', { name: 'efs-wordpress', fileSystemId: 'fs-0123456789abcdef0' });
  // A class dropped from the code is pruned by ./apply.sh (volumes keep their own reclaimPolicy: Retain).
  markPrunable(storage, 'shop');

  // One ECR pull-through rule per upstream: Docker Hub (mysql, wordpress, curl), ECR Public (AWS agents) and Quay (exporters).
  const registry = ImageRegistry.ecrPullThroughCache({
    account: ACCOUNT, region: REGION, prefix: 'docker-hub', upstreamPrefixes: { 'public.ecr.aws': 'ecr-public', 'quay.io': 'quay' },
  });
  const site = new WordPressChart(app, 'shop', {
    namespace: 'shop',
    releaseName: 'shop',
    partOf: 'shop',
    platform: Platform.eks({
      databaseStorageClassName: gp3.storageClass.name,
      contentStorageClassName: efs.storageClass.name,
      alb: {
        certificateArns: [`arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`],
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        loadBalancerAttributes: { 'idle_timeout.timeout_seconds': 60 },
        tags: { application: 'shop' },
      },
      wordpressIdentity: WorkloadIdentity.irsa(`arn:aws:iam::${ACCOUNT}:role/shop-wordpress`),
    }),
    imageRegistry: registry,
    ingress: { hosts: ['shop.example.com', 'www.shop.example.com'] },
    mysql: { resources: { requests: { cpu: '500m', memory: '2Gi' }, limits: { cpu: '2', memory: '2Gi' } }, storage: { size: '50Gi' } },
    wordpress: { replicas: 3, storage: { size: '20Gi' } },
    // Off the cluster and its zones: S3, with an IAM role of the backup pods only (not WordPress's).
    backup: {
      destination: BackupDestination.s3({
        bucket: 'shop-backups-111122223333',
        region: REGION,
        identity: WorkloadIdentity.irsa(`arn:aws:iam::${ACCOUNT}:role/shop-backup`),
      }),
      timeZone: 'Europe/Dublin',
      retention: { keepLast: 7, keepDaily: 14, keepWeekly: 8 },
    },
    // Exporters, alerts for kube-prometheus-stack (its Prometheus selects `release: kube-prometheus-stack`)
    // and a Grafana dashboard; behind the ALB, 5xx and latency are CloudWatch's (docs/observability.md).
    // Scraped by kube-prometheus-stack (monitoring) and by the CloudWatch agent (observability).
    metrics: {
      scraperNamespaces: ['monitoring', 'observability'],
      prometheusOperator: { labels: { release: 'kube-prometheus-stack' } },
      grafanaDashboard: true,
      requestMetrics: 'none',
    },
  });
  site.addDependency(storage);

  new ObservabilityChart(app, 'observability', {
    platform: Platform.eks({ clusterName: 'production', region: REGION }),
    imageRegistry: registry,
    logs: { identity: WorkloadIdentity.irsa(`arn:aws:iam::${ACCOUNT}:role/fluent-bit`) },
    // Container Insights: node metrics, and the site's exporters as CloudWatch metrics (one scraper,
    // its own ServiceAccount, the same IAM role: the role's trust policy names both ServiceAccounts).
    monitoring: {
      identity: WorkloadIdentity.irsa(`arn:aws:iam::${ACCOUNT}:role/cloudwatch-agent`),
      prometheus: { namespaces: ['shop'] },
    },
  });
  return app;
}

if (require.main === module) {
  const app = new LinearSynthApp();
  buildApp(app).synth();
  writeSynthExtras(app);
}
