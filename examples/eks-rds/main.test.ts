import { readFileSync } from 'fs';
import { join } from 'path';
import { expectCommittedOutputIsFresh, readObjects } from '../../test/example-synth';
import { validationErrors } from '../../test/support/validity';

const DIR = __dirname;

describe('examples/eks-rds', () => {
  const objects = readObjects(join(DIR, 'dist'));
  const find = (kind: string, name?: string) => objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  const deployment = find('Deployment', 'shop');
  const env = (name: string) => deployment.spec.template.spec.containers[0].env.find((e: any) => e.name === name)?.value;

  test('its committed dist/ is what cdk8s synth produces', () => {
    expectCommittedOutputIsFresh(DIR);
  });

  test('is strictly valid for Kubernetes 1.28 and 1.36, its custom resources against the vendored CRDs', () => {
    expect(validationErrors(objects, ['1.28.0', '1.36.0'])).toEqual([]);
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['ExternalSecret', 'SecretStore', 'SecurityGroupPolicy']));
  });

  test('Aurora instead of MySQL in the cluster, over TLS verified against the RDS CA bundle', () => {
    expect(objects.filter((o) => o.kind === 'StatefulSet')).toEqual([]);
    expect(env('WORDPRESS_DB_HOST')).toBe('shop.cluster-c0ffee123456.eu-west-1.rds.amazonaws.com:3306');
    expect(env('WORDPRESS_CONFIG_EXTRA')).toContain('MYSQLI_CLIENT_SSL | 1073741824');
    expect(find('ConfigMap', 'shop-db-tls').data['db-tls.ini']).toContain('openssl.cafile = /etc/wordpress/db-ca/global-bundle.pem');
  });

  test('the password RDS manages comes from Secrets Manager through IRSA, refreshed every 5 minutes', () => {
    expect(find('ExternalSecret').spec.refreshInterval).toBe('5m');
    expect(find('ServiceAccount', 'shop-secrets-reader').metadata.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::111122223333:role/shop-db-secret-reader');
  });

  test('ALB with TLS, readiness gates, and pods that outlive their deregistration', () => {
    expect(find('Namespace', 'shop').metadata.labels['elbv2.k8s.aws/pod-readiness-gate-inject']).toBe('enabled');
    expect(find('Ingress').metadata.annotations['alb.ingress.kubernetes.io/target-group-attributes']).toBe('deregistration_delay.timeout_seconds=30');
    expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(30);
    expect(find('Ingress').metadata.annotations['alb.ingress.kubernetes.io/ssl-redirect']).toBe('443');
  });

  test('backs up wp-content daily to S3 with its own role; the database is left to Aurora\'s snapshots', () => {
    const cron = find('CronJob', 'shop-backup');
    expect(cron.spec.jobTemplate.spec.template.spec.initContainers).toBeUndefined();
    expect(find('ConfigMap', 'shop-backup-scripts').data['site.env']).toContain("DATABASE='external'");
    expect(find('ServiceAccount', 'shop-backup').metadata.annotations['eks.amazonaws.com/role-arn']).toBe('arn:aws:iam::111122223333:role/shop-backup');
    expect(objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.includes('mysql'))).toEqual([]);
    expect(readFileSync(join(DIR, 'iam/shop-backup-trust.json'), 'utf8')).toContain('system:serviceaccount:shop:shop-backup');
    expect(JSON.parse(readFileSync(join(DIR, 'iam/shop-backup-policy.json'), 'utf8')).Statement[1].Resource)
      .toBe(`arn:aws:s3:::${new URL(find('ConfigMap', 'shop-backup-scripts').data['site.env'].match(/S3_BASE='([^']+)'/)[1]).hostname.split('.')[0]}/wordpress-backups/*`);
  });

  test('the IAM policies beside it name the role, the service account and the secret the app uses', () => {
    const trust = readFileSync(join(DIR, 'iam/shop-db-secret-reader-trust.json'), 'utf8');
    const policy = JSON.parse(readFileSync(join(DIR, 'iam/shop-db-secret-reader-policy.json'), 'utf8'));
    expect(trust).toContain(`system:serviceaccount:shop:${find('ServiceAccount', 'shop-secrets-reader').metadata.name}`);
    expect(policy.Statement[0].Resource).toBe(find('ExternalSecret').spec.dataFrom[0].extract.key);
  });
});
