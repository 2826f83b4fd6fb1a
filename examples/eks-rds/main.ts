// WordPress on Amazon EKS with its database in Aurora MySQL: the password RDS manages in Secrets
// Manager, synced by the External Secrets Operator (IRSA); TLS to Aurora verified against the RDS
// CA bundle; security groups for pods so only WordPress reaches the database; an ALB with TLS and
// pod readiness gates; content on EFS with three replicas, backed up daily to S3; the node agents. docs/eks.md lists the
// AWS resources it expects, and iam/ beside this file the IAM policies.
import { App, Chart } from 'cdk8s';
import {
  BackupDestination, EfsStorageClass, LinearSynthApp, markPrunable, ObservabilityChart, Platform, WordPressChart, WorkloadIdentity, writeSynthExtras,
} from 'cdk8s-wordpress-eks';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

export function buildApp(app: App): App {
  const storage = new Chart(app, 'storage');
  const efs = new EfsStorageClass(storage, 'efs', { name: 'efs-wordpress', fileSystemId: 'fs-0123456789abcdef0' });
  // A class dropped from the code is pruned by ./apply.sh (volumes keep their own reclaimPolicy: Retain).
  markPrunable(storage, 'shop');

  const site = new WordPressChart(app, 'shop', {
    namespace: 'shop',
    releaseName: 'shop',
    partOf: 'shop',
    platform: Platform.eks({
      contentStorageClassName: efs.storageClass.name,
      alb: {
        certificateArns: [`arn:aws:acm:${REGION}:${ACCOUNT}:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`],
        sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        deregistrationDelaySeconds: 30,
      },
    }),
    ingress: { hosts: ['shop.example.com'] },
    // Aurora keeps the database in its automated backups and snapshots (point-in-time restore); the
    // backups here hold wp-content only, in S3 with an IAM role of the backup pods (iam/).
    backup: {
      destination: BackupDestination.s3({
        bucket: 'shop-backups-111122223333',
        region: REGION,
        identity: WorkloadIdentity.irsa(`arn:aws:iam::${ACCOUNT}:role/shop-backup`),
      }),
    },
    externalDatabase: {
      // The Aurora cluster's writer endpoint.
      host: 'shop.cluster-c0ffee123456.eu-west-1.rds.amazonaws.com',
      databaseName: 'shop',
      tls: 'verify-identity',
      // kubectl create configmap rds-ca -n shop --from-file=global-bundle.pem (docs/eks.md)
      caBundle: { configMapName: 'rds-ca', key: 'global-bundle.pem' },
      secretsManager: {
        // The secret RDS created for the master user (ManageMasterUserPassword).
        secretId: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:rds!cluster-0123abcd-4567-89ef-0123-456789abcdef-AbCdEf`,
        region: REGION,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/shop-db-secret-reader`,
        refreshInterval: '5m',
      },
      network: { cidrs: ['10.0.0.0/16'], podSecurityGroupIds: ['sg-0a1b2c3d4e5f60718'] },
    },
    wordpress: { replicas: 3, storage: { size: '20Gi' } },
  });
  site.addDependency(storage);

  new ObservabilityChart(app, 'observability', {
    platform: Platform.eks({ clusterName: 'production', region: REGION }),
    logs: { identity: WorkloadIdentity.irsa(`arn:aws:iam::${ACCOUNT}:role/fluent-bit`) },
    monitoring: { identity: WorkloadIdentity.irsa(`arn:aws:iam::${ACCOUNT}:role/cloudwatch-agent`) },
  });
  return app;
}

if (require.main === module) {
  const app = new LinearSynthApp();
  buildApp(app).synth();
  writeSynthExtras(app);
}
