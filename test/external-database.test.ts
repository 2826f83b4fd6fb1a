import { Testing } from 'cdk8s';
import { WordPressChart, WordPressChartProps } from '../charts/wordpress-chart';
import { WordPressFleet } from '../charts/wordpress-fleet';
import { chartPropsFromConfig } from '../src/config/chart-props-from-config';
import { Credentials } from '../src/credentials/credentials';
import { ExternalDatabaseOptions } from '../src/database/external-database';
import { Platform } from '../src/eks/platform';
import { all, find, mainContainer, Manifest } from './helpers';
import { rejectionOf } from './support/rejection';
import { validationErrors } from './support/validity';

const AURORA: ExternalDatabaseOptions = {
  host: 'shop.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com',
  databaseName: 'shop',
  caBundle: { configMapName: 'rds-ca', key: 'global-bundle.pem' },
  secretsManager: { secretId: 'rds!cluster-0123abcd-4567-89ef-0123-456789abcdef', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/shop-db-secret' },
  network: { cidrs: ['10.0.0.0/16'], podSecurityGroupIds: ['sg-0123456789abcdef0'] },
};

function site(props: Partial<WordPressChartProps> = {}): Manifest[] {
  const app = Testing.app();
  const chart = new WordPressChart(app, 'shop', { namespace: 'shop', releaseName: 'shop', ingress: { hosts: ['shop.example.com'] }, externalDatabase: AURORA, ...props });
  return Testing.synth(chart) as Manifest[];
}

/** The value of one env var of a container. */
function env(container: any, name: string): string | undefined {
  return container.env.find((e: any) => e.name === name)?.value;
}

describe('WordPressChart with an external database', () => {
  const objects = site();
  const deployment = find(objects, 'Deployment');
  const job = all(objects, 'Job').find((j) => j.metadata.name.startsWith('shop-update-db'))!;

  test('emits no MySQL: no StatefulSet, claim template, MySQL Service or MySQL NetworkPolicy', () => {
    expect(all(objects, 'StatefulSet')).toEqual([]);
    expect(all(objects, 'Service').map((s) => s.metadata.name)).toEqual(['shop']);
    expect(all(objects, 'NetworkPolicy').map((p) => p.metadata.name).filter((n) => n.includes('mysql'))).toEqual([]);
    // The content and the claim of its content-only backups; no database volume
    expect(all(objects, 'PersistentVolumeClaim').map((c) => c.metadata.name)).toEqual(['shop-content', 'shop-backups']);
  });

  test('WordPress and the update-db Job connect to the host and port, with TLS that verifies the server', () => {
    for (const container of [mainContainer(deployment), job.spec.template.spec.containers[0]]) {
      expect(env(container, 'WORDPRESS_DB_HOST')).toBe(`${AURORA.host}:3306`);
      // MYSQLI_CLIENT_SSL plus CLIENT_SSL_VERIFY_SERVER_CERT (1 << 30): mysqlnd checks chain and name.
      expect(env(container, 'WORDPRESS_CONFIG_EXTRA')).toContain("define('MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL | 1073741824);");
      expect(env(container, 'PHP_INI_SCAN_DIR')).toBe(':/etc/wordpress/php');
      expect(container.volumeMounts).toEqual(expect.arrayContaining([
        { name: 'db-ca', mountPath: '/etc/wordpress/db-ca', readOnly: true },
        { name: 'php-ini', mountPath: '/etc/wordpress/php', readOnly: true },
      ]));
    }
    expect(find(objects, 'ConfigMap', 'shop-db-tls').data['db-tls.ini']).toContain('openssl.cafile = /etc/wordpress/db-ca/global-bundle.pem\n');
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'db-ca', configMap: { name: 'rds-ca', items: [{ key: 'global-bundle.pem', path: 'global-bundle.pem' }], defaultMode: 0o444 } });
  });

  test('the plugins Job (wp-cli) connects like the site: TLS with the CA bundle, a NetworkPolicy and the security group', () => {
    // Given a site on Aurora with a plugin declared
    const withPlugins = site({ wordpress: { plugins: ['akismet@5.3.3'] } });
    const pluginsJob = all(withPlugins, 'Job').find((j) => j.metadata.name.startsWith('shop-plugins-'))!;
    const container = pluginsJob.spec.template.spec.containers[0];
    // Then it verifies the server with the same CA bundle and php.ini as WordPress
    expect(env(container, 'PHP_INI_SCAN_DIR')).toBe(':/etc/wordpress/php');
    expect(container.volumeMounts).toEqual(expect.arrayContaining([
      { name: 'db-ca', mountPath: '/etc/wordpress/db-ca', readOnly: true },
      { name: 'php-ini', mountPath: '/etc/wordpress/php', readOnly: true },
    ]));
    expect(pluginsJob.spec.template.spec.volumes).toContainEqual({ name: 'db-ca', configMap: { name: 'rds-ca', items: [{ key: 'global-bundle.pem', path: 'global-bundle.pem' }], defaultMode: 0o444 } });
    // and reaches the database port (and only the database's ranges), with the pod security group
    const egress = find(withPlugins, 'NetworkPolicy', 'shop-plugins-to-database');
    expect(egress.spec.egress[0].ports).toEqual([{ protocol: 'TCP', port: 3306 }]);
    const selector = find(withPlugins, 'SecurityGroupPolicy').spec.podSelector;
    const podLabels = pluginsJob.spec.template.metadata.labels;
    expect(Object.entries(selector.matchLabels).every(([key, value]) => podLabels[key] === value)).toBe(true);
    expect((selector.matchExpressions ?? []).every((e: any) => e.values.includes(podLabels[e.key]))).toBe(true);
  });

  test('credentials come from Secrets Manager through an ExternalSecret; only the WordPress keys are generated', () => {
    const external = find(objects, 'ExternalSecret');
    expect(external.spec).toMatchObject({
      refreshInterval: '5m',
      secretStoreRef: { name: 'shop-secrets-manager', kind: 'SecretStore' },
      target: { name: 'shop-db-credentials', template: { data: { database: 'shop', username: '{{ .username }}', password: '{{ .password }}' } } },
      dataFrom: [{ extract: { key: AURORA.secretsManager!.secretId } }],
    });
    expect(find(objects, 'SecretStore').spec.provider.aws).toEqual({
      service: 'SecretsManager', region: 'eu-west-1', auth: { jwt: { serviceAccountRef: { name: 'shop-secrets-reader' } } },
    });
    expect(find(objects, 'ServiceAccount', 'shop-secrets-reader').metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': AURORA.secretsManager!.roleArn });
    const generator = all(objects, 'Job').find((j) => j.metadata.name.startsWith('shop-credentials'))!;
    expect(generator.metadata.annotations!['cdk8s-wordpress-eks/creates']).toBe('Secret/shop-keys');
    expect(mainContainer(generator).command[2]).not.toContain('DATABASE_SECRET_NAME');
    expect(find(objects, 'Role').rules[1].resourceNames).toEqual(['shop-keys']);
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'db-credentials', secret: { secretName: 'shop-db-credentials', defaultMode: 0o440 } });
  });

  test('only the WordPress pods get the database security group, and egress reaches only its CIDRs on its port', () => {
    const policy = find(objects, 'SecurityGroupPolicy');
    expect(policy.spec).toEqual({
      podSelector: {
        matchLabels: { 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/name': 'wordpress' },
        matchExpressions: [{ key: 'app.kubernetes.io/component', operator: 'In', values: ['database-upgrade', 'web'] }],
      },
      securityGroups: { groupIds: ['sg-0123456789abcdef0'] },
    });
    for (const name of ['shop-web-to-database', 'shop-update-db-to-database']) {
      expect(find(objects, 'NetworkPolicy', name).spec.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 3306 }], to: [{ ipBlock: { cidr: '10.0.0.0/16' } }] }]);
    }
  });

  test('is strictly valid for every supported Kubernetes version, custom resources included', () => {
    expect(validationErrors(objects)).toEqual([]);
  });

  test('tls required encrypts without verification; disabled sends no flag', () => {
    const required = site({ externalDatabase: { ...AURORA, tls: 'required', caBundle: undefined } });
    expect(env(mainContainer(find(required, 'Deployment')), 'WORDPRESS_CONFIG_EXTRA'))
      .toContain("define('MYSQL_CLIENT_FLAGS', MYSQLI_CLIENT_SSL | MYSQLI_CLIENT_SSL_DONT_VERIFY_SERVER_CERT);");
    expect(all(required, 'ConfigMap').filter((c) => c.metadata.name === 'shop-db-tls')).toEqual([]);
    const plain = site({ externalDatabase: { ...AURORA, tls: 'disabled', caBundle: undefined } });
    expect(env(mainContainer(find(plain, 'Deployment')), 'WORDPRESS_CONFIG_EXTRA')).not.toContain('MYSQL_CLIENT_FLAGS');
  });

  test('without secretsManager the database Secret is the one of Credentials.fromExistingSecrets', () => {
    const objects2 = site({ externalDatabase: { ...AURORA, secretsManager: undefined }, credentials: Credentials.fromExistingSecrets({ database: 'shop-db', wordpressKeys: 'shop-keys' }) });
    expect(all(objects2, 'ExternalSecret')).toEqual([]);
    expect(find(objects2, 'Deployment').spec.template.spec.volumes).toContainEqual({ name: 'db-credentials', secret: { secretName: 'shop-db', defaultMode: 0o440 } });
  });

  test('on EKS, no MySQL disruption budget is added', () => {
    const eks = site({ platform: Platform.eks({ alb: false }) });
    expect(all(eks, 'PodDisruptionBudget')).toEqual([]);
  });
});

describe('external database props are checked', () => {
  test.each<[string, Partial<ExternalDatabaseOptions> & Record<string, unknown>, string]>([
    ['a host that is not a DNS name', { host: 'shop db' }, 'externalDatabase.host'],
    ['no CIDR to reach the database in', { network: { cidrs: [] } }, 'externalDatabase.network.cidrs'],
    ['a malformed CIDR', { network: { cidrs: ['10.0.0.0/33'] } }, 'externalDatabase.network.cidrs[0]'],
    ['verify-identity without a CA bundle', { caBundle: undefined }, 'externalDatabase.caBundle'],
    ['a CA bundle that nothing would use', { tls: 'required' }, 'externalDatabase.caBundle'],
    ['an unknown TLS mode', { tls: 'prefer' as any }, 'externalDatabase.tls'],
    ['a security group that is not an ID', { network: { cidrs: ['10.0.0.0/16'], podSecurityGroupIds: ['default'] } }, 'externalDatabase.network.podSecurityGroupIds[0]'],
    ['a refresh interval that is not a duration', { secretsManager: { ...AURORA.secretsManager!, refreshInterval: '5 minutes' } }, 'externalDatabase.secretsManager.refreshInterval'],
    ['a role that is not an IAM role ARN', { secretsManager: { ...AURORA.secretsManager!, roleArn: 'shop-db' } }, 'externalDatabase.secretsManager.roleArn'],
  ])('rejects %s', (_name, change, prop) => {
    const { error, written } = rejectionOf((app) => new WordPressChart(app, 'shop', { ingress: false, externalDatabase: { ...AURORA, ...change } as ExternalDatabaseOptions }));
    expect(error.prop).toBe(prop);
    expect(written).toEqual([]);
  });

  test('rejects mysql settings beside an external database', () => {
    const { error } = rejectionOf((app) => new WordPressChart(app, 'shop', { ingress: false, externalDatabase: AURORA, mysql: { replicas: 1 } as any }));
    expect(error.prop).toBe('mysql');
  });
});

describe('fleets and the config file choose the database per site', () => {
  test('a shared Aurora cluster gives each site its own database and secret; a site may have its own server', () => {
    // Given a fleet on one Aurora cluster, with one site on a database of its own
    const app = Testing.app();
    const { secretsManager, databaseName: _name, ...server } = AURORA;
    const fleet = new WordPressFleet(app, {
      sites: [
        { name: 'shop', hosts: ['shop.example.com'] },
        { name: 'blog-eu', hosts: ['blog.example.com'] },
        { name: 'legacy', hosts: ['legacy.example.com'], externalDatabase: { ...AURORA, host: 'legacy.abcdefghijkl.eu-west-1.rds.amazonaws.com' } },
      ],
      sharedDatabase: { ...server, secretsManager: { ...secretsManager!, secretIdPrefix: 'wordpress/' } },
    });
    const bySite: Record<string, Manifest[]> = Object.fromEntries(fleet.sites.map((chart) => [chart.namespace, Testing.synth(chart) as Manifest[]]));
    // Then each shared site reads its own secret into its own database, and no site runs MySQL
    expect(find(bySite['blog-eu'], 'ExternalSecret').spec.dataFrom).toEqual([{ extract: { key: 'wordpress/blog-eu' } }]);
    expect(find(bySite['blog-eu'], 'ExternalSecret').spec.target.template.data.database).toBe('blog_eu');
    expect(env(mainContainer(find(bySite.legacy, 'Deployment')), 'WORDPRESS_DB_HOST')).toBe('legacy.abcdefghijkl.eu-west-1.rds.amazonaws.com:3306');
    expect(Object.values(bySite).flatMap((objects2) => all(objects2, 'StatefulSet'))).toEqual([]);
  });

  test('the config file passes externalDatabase through to the chart', () => {
    const props = chartPropsFromConfig({ ingress: false, externalDatabase: AURORA });
    const chart = new WordPressChart(Testing.app(), 'site', props);
    expect(chart.externalDatabase?.host).toBe(AURORA.host);
    expect(chart.mysql).toBeUndefined();
  });
});
