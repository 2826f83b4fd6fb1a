import { Testing } from 'cdk8s';
import { WordPressChart, WordPressChartProps } from '../charts/wordpress-chart';
import { Credentials } from '../src/credentials/credentials';
import { all, find, Manifest } from './helpers';
import { expectRejected, rejectionOf, RejectionCase } from './support/rejection';

const HOSTS = { hosts: ['blog.example.com'] };

function synthChart(props: WordPressChartProps = {}): Manifest[] {
  return Testing.synth(new WordPressChart(Testing.app(), 'site', { ingress: HOSTS, ...props })) as Manifest[];
}

const CLUSTER_SCOPED = new Set(['Namespace']);

describe('WordPressChart', () => {
  test('creates its namespace, labelled restricted for Pod Security, first in the output', () => {
    const objects = synthChart();
    const namespace = find(objects, 'Namespace', 'wordpress');
    expect(objects[0]).toBe(namespace);
    expect(namespace.metadata.namespace).toBeUndefined();
    expect(namespace.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('every namespaced object is in the namespace and carries the standard labels', () => {
    const objects = synthChart({ namespace: 'blog', releaseName: 'shop', partOf: 'sites' });
    for (const object of objects) {
      expect(object.metadata.namespace).toBe(CLUSTER_SCOPED.has(object.kind) ? undefined : 'blog');
      expect(object.metadata.labels).toMatchObject({
        'app.kubernetes.io/instance': 'shop',
        'app.kubernetes.io/part-of': 'sites',
        'app.kubernetes.io/managed-by': 'cdk8s',
      });
      expect(Object.keys(object.metadata.labels!)).toEqual(expect.arrayContaining(['app.kubernetes.io/name', 'app.kubernetes.io/component']));
    }
  });

  test('network: default deny, DNS out, MySQL only from WordPress on 3306, WordPress in on 80', () => {
    const objects = synthChart();
    const policies = Object.fromEntries(all(objects, 'NetworkPolicy').map((p) => [p.metadata.name, p.spec]));
    const mysqlPods = find(objects, 'StatefulSet').spec.selector.matchLabels;
    const wordpressPods = find(objects, 'Deployment').spec.selector.matchLabels;
    expect(policies['wordpress-default-deny']).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(policies['wordpress-allow-dns'].egress).toEqual([{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }]);
    expect(policies['wordpress-mysql-from-web']).toEqual({
      podSelector: { matchLabels: mysqlPods },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: 3306 }], from: [{ podSelector: { matchLabels: wordpressPods } }] }],
    });
    expect(policies['wordpress-web-to-mysql']).toEqual({
      podSelector: { matchLabels: wordpressPods },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'TCP', port: 3306 }], to: [{ podSelector: { matchLabels: mysqlPods } }] }],
    });
    expect(policies['wordpress-web-http-in']).toEqual({
      podSelector: { matchLabels: wordpressPods },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ protocol: 'TCP', port: 80 }] }],
    });
    // Its destinations (public addresses only) are tested in network-policies.test.ts.
    expect(policies['wordpress-web-internet-out'].egress[0].ports).toEqual([{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 443 }]);
  });

  test('internet egress for WordPress can be turned off', () => {
    const names = all(synthChart({ allowInternetEgress: false }), 'NetworkPolicy').map((p) => p.metadata.name);
    expect(names).not.toContain('wordpress-web-internet-out');
  });

  test('the default objects: one of each part of the site, named after the release', () => {
    // Given a chart with only its hosts
    const objects = synthChart();
    // When its objects are listed by kind and name
    const inventory = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    // Then the credentials generator has its Job with its own identity and egress (its names are its own business)
    const generator = inventory.filter((key) => key.includes('/wordpress-credentials'));
    expect(generator.map((key) => key.split('/')[0]).sort()).toEqual(['Job', 'NetworkPolicy', 'Role', 'RoleBinding', 'ServiceAccount']);
    // and the schema upgrade Job is named after the release and a hash of its pod (the image)
    const upgradeJob = inventory.filter((key) => key.startsWith('Job/wordpress-update-db-'));
    expect(upgradeJob).toEqual([expect.stringMatching(/^Job\/wordpress-update-db-[0-9a-f]{8}$/)]);
    // and the rest is the site's parts and nothing else: no autoscaler, no budget, no LoadBalancer
    expect(inventory.filter((key) => !generator.includes(key) && !upgradeJob.includes(key))).toEqual([
      'ConfigMap/wordpress-backup-scripts',
      'ConfigMap/wordpress-mysql-config',
      'CronJob/wordpress-backup',
      'Deployment/wordpress',
      'Ingress/wordpress',
      'Namespace/wordpress',
      'NetworkPolicy/wordpress-allow-dns',
      'NetworkPolicy/wordpress-backup-to-mysql',
      'NetworkPolicy/wordpress-default-deny',
      'NetworkPolicy/wordpress-mysql-from-backup',
      'NetworkPolicy/wordpress-mysql-from-update-db',
      'NetworkPolicy/wordpress-mysql-from-web',
      'NetworkPolicy/wordpress-update-db-to-mysql',
      'NetworkPolicy/wordpress-web-http-in',
      'NetworkPolicy/wordpress-web-internet-out',
      'NetworkPolicy/wordpress-web-to-mysql',
      'PersistentVolumeClaim/wordpress-backups',
      'PersistentVolumeClaim/wordpress-content',
      'Service/wordpress',
      'Service/wordpress-mysql',
      'Service/wordpress-mysql-headless',
      'ServiceAccount/wordpress',
      'ServiceAccount/wordpress-backup',
      'ServiceAccount/wordpress-mysql',
      'ServiceAccount/wordpress-update-db',
      'StatefulSet/wordpress-mysql',
    ]);
  });

  test('the Ingress routes only the given hosts, on the default class', () => {
    const ingress = find(synthChart(), 'Ingress', 'wordpress');
    expect(ingress.spec).toEqual({
      rules: [{ host: 'blog.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'wordpress', port: { name: 'http' } } } }] } }],
    });
    expect(ingress.spec.rules.every((rule: any) => rule.host !== undefined)).toBe(true);
  });

  test('every host is matched only on explicit opt-in, for a local cluster', () => {
    // Given anyHost and no hosts
    const ingress = find(synthChart({ ingress: { anyHost: true } }), 'Ingress');
    // Then the one rule has no host
    expect(ingress.spec.rules).toEqual([{ http: expect.any(Object) }]);
  });

  test('the LoadBalancer Service passes sourceRanges as loadBalancerSourceRanges', () => {
    const lb = find(synthChart({ loadBalancer: { sourceRanges: ['203.0.113.0/24', '2001:db8::/32'] } }), 'Service', 'wordpress-public');
    expect(lb.spec.loadBalancerSourceRanges).toEqual(['203.0.113.0/24', '2001:db8::/32']);
    expect(find(synthChart({ loadBalancer: {} }), 'Service', 'wordpress-public').spec.loadBalancerSourceRanges).toBeUndefined();
  });

  test('Ingress class, hosts and TLS are props; a LoadBalancer Service can be added or used alone', () => {
    const objects = synthChart({
      ingress: { className: 'nginx', hosts: ['blog.example.com', '*.example.org'], tlsSecretName: 'blog-tls' },
      loadBalancer: { port: 8080 },
    });
    const ingress = find(objects, 'Ingress');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.rules.map((r: any) => r.host)).toEqual(['blog.example.com', '*.example.org']);
    expect(ingress.spec.tls).toEqual([{ hosts: ['blog.example.com', '*.example.org'], secretName: 'blog-tls' }]);
    const lb = find(objects, 'Service', 'wordpress-public');
    expect(lb.spec).toMatchObject({ type: 'LoadBalancer', ports: [{ name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' }] });
    expect(lb.spec.selector).toEqual(find(objects, 'Deployment').spec.selector.matchLabels);
    expect(all(synthChart({ ingress: false, loadBalancer: {} }), 'Ingress')).toHaveLength(0);
  });

  test('with existing Secrets there is no generator and the workloads declare the external refs', () => {
    const objects = synthChart({ credentials: Credentials.fromExistingSecrets({ database: 'db', wordpressKeys: 'keys' }) });
    expect(all(objects, 'Job').map((job) => job.metadata.labels!['app.kubernetes.io/component'])).toEqual(['database-upgrade']);
    expect(all(objects, 'Role')).toHaveLength(0);
    for (const workload of [find(objects, 'StatefulSet'), find(objects, 'Deployment'), find(objects, 'Job')]) {
      expect(workload.metadata.annotations).toEqual({ 'cdk8s-wordpress-eks/external-refs': 'Secret/db,Secret/keys' });
    }
  });

  test('only the credentials generator mounts a ServiceAccount token', () => {
    const podSpecs = [...all(synthChart(), 'Deployment'), ...all(synthChart(), 'StatefulSet'), ...all(synthChart(), 'Job')]
      .map((w) => [w.metadata.name.replace(/-[0-9a-f]{8}$/, ''), w.spec.template.spec.automountServiceAccountToken]);
    expect(podSpecs.sort()).toEqual([
      ['wordpress', false], ['wordpress-credentials', true], ['wordpress-mysql', false], ['wordpress-update-db', false],
    ]);
  });

  describe('rejects bad input before anything is written', () => {
    const cases: (RejectionCase & { props: WordPressChartProps })[] = [
      { name: 'an upper-case namespace', props: { namespace: 'Blog' }, prop: 'namespace', value: 'Blog', allowed: 'a DNS-1123 label' },
      { name: 'a release name over 40 characters', props: { releaseName: 'a'.repeat(41) }, prop: 'releaseName', value: 'a'.repeat(41), allowed: 'at most 40 characters' },
      { name: 'an underscore in partOf', props: { partOf: 'x_y' }, prop: 'partOf', value: 'x_y', allowed: 'a DNS-1123 label' },
      { name: 'an Ingress without hosts (every host: the first visitor owns the site)', props: { ingress: undefined }, prop: 'ingress.hosts', value: undefined, allowed: 'ingress.anyHost: true to route every host on a local cluster' },
      { name: 'an empty host list', props: { ingress: { hosts: [] } }, prop: 'ingress.hosts', value: [], allowed: 'at least one host name' },
      { name: 'anyHost together with hosts', props: { ingress: { hosts: ['a.example.com'], anyHost: true } }, prop: 'ingress.anyHost', value: true, allowed: 'false (or unset) when ingress.hosts are given' },
      { name: 'a host with a space', props: { ingress: { hosts: ['bad host'] } }, prop: 'ingress.hosts[0]', value: 'bad host', allowed: 'a DNS-1123 subdomain' },
      { name: 'an IPv4 address as host', props: { ingress: { hosts: ['203.0.113.10'] } }, prop: 'ingress.hosts[0]', value: '203.0.113.10', allowed: 'not an IP address' },
      { name: 'a duplicate host', props: { ingress: { hosts: ['a.example.com', 'b.example.com', 'a.example.com'] } }, prop: 'ingress.hosts[2]', value: 'a.example.com', allowed: 'ingress.hosts[0] is also "a.example.com"' },
      { name: 'TLS without hosts', props: { ingress: { anyHost: true, tlsSecretName: 'tls' } }, prop: 'ingress.tlsSecretName', value: 'tls', allowed: 'only together with ingress.hosts' },
      { name: 'an upper-case IngressClass', props: { ingress: { ...HOSTS, className: 'Nginx' } }, prop: 'ingress.className', value: 'Nginx', allowed: 'a DNS-1123 subdomain' },
      { name: 'a LoadBalancer port over 65535', props: { loadBalancer: { port: 70000 } }, prop: 'loadBalancer.port', value: 70000, allowed: 'an integer from 1 to 65535' },
      { name: 'a source range with host bits set', props: { loadBalancer: { sourceRanges: ['203.0.113.7/24'] } }, prop: 'loadBalancer.sourceRanges[0]', value: '203.0.113.7/24', allowed: 'whose address is the network address, such as 203.0.113.0/24 or 2001:db8::/32 (here 203.0.113.0/24)' },
      { name: 'a source range with two :: in it', props: { loadBalancer: { sourceRanges: ['fd00::1::/64'] } }, prop: 'loadBalancer.sourceRanges[0]', value: 'fd00::1::/64', allowed: 'an IPv4 or IPv6 CIDR block' },
      { name: 'a source range with a /33 prefix', props: { loadBalancer: { sourceRanges: ['10.0.0.0/33'] } }, prop: 'loadBalancer.sourceRanges[0]', value: '10.0.0.0/33', allowed: 'an IPv4 or IPv6 CIDR block' },
      { name: 'a database size that is not a quantity', props: { mysql: { storage: { size: 'big' } } }, prop: 'mysql.storage.size', value: 'big', allowed: 'a positive Kubernetes quantity' },
      { name: 'several replicas on ReadWriteOnce storage', props: { wordpress: { replicas: 3 } }, prop: 'wordpress.replicas', value: 3, allowed: "1 with storage.accessMode 'ReadWriteOnce'" },
      { name: 'ReadWriteMany content without a StorageClass', props: { wordpress: { replicas: 2, storage: { accessMode: 'ReadWriteMany' } } }, prop: 'wordpress.storage.storageClassName', value: undefined, allowed: 'a ReadWriteMany StorageClass' },
    ];
    test.each(cases)('$name', ({ props, ...expected }) => {
      expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: HOSTS, ...props })), expected);
    });
  });
});
