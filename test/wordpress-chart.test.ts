import { Testing } from 'cdk8s';
import { WordPressChart, WordPressChartProps } from '../charts/wordpress-chart';
import { Credentials } from '../src/credentials/credentials';
import { all, find, Manifest } from './helpers';

function synthChart(props: WordPressChartProps = {}): Manifest[] {
  return Testing.synth(new WordPressChart(Testing.app(), 'site', props)) as Manifest[];
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

  test('default exposure: an Ingress on the default class for every host', () => {
    const ingress = find(synthChart(), 'Ingress', 'wordpress');
    expect(ingress.spec).toEqual({
      rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'wordpress', port: { name: 'http' } } } }] } }],
    });
    expect(all(synthChart(), 'Service').filter((s) => s.spec.type === 'LoadBalancer')).toHaveLength(0);
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
    expect(all(objects, 'Job')).toHaveLength(0);
    expect(all(objects, 'Role')).toHaveLength(0);
    for (const workload of [find(objects, 'StatefulSet'), find(objects, 'Deployment')]) {
      expect(workload.metadata.annotations).toEqual({ 'cdk8s-wordpress-eks/external-refs': 'Secret/db,Secret/keys' });
    }
  });

  test('only the credentials generator mounts a ServiceAccount token', () => {
    const podSpecs = [...all(synthChart(), 'Deployment'), ...all(synthChart(), 'StatefulSet'), ...all(synthChart(), 'Job')]
      .map((w) => [w.kind, w.spec.template.spec.automountServiceAccountToken]);
    expect(podSpecs).toEqual([['Deployment', false], ['StatefulSet', false], ['Job', true]]);
  });

  test.each([
    [{ namespace: 'Blog' }, 'Invalid namespace: "Blog"'],
    [{ releaseName: 'a'.repeat(41) }, 'Invalid releaseName'],
    [{ partOf: 'x_y' }, 'Invalid partOf: "x_y"'],
    [{ ingress: { hosts: ['bad host'] } }, 'Invalid ingress.hosts[0]: "bad host"'],
    [{ ingress: { tlsSecretName: 'tls' } }, 'Invalid ingress.tlsSecretName: "tls". Allowed: only together with ingress.hosts'],
    [{ ingress: { className: 'Nginx' } }, 'Invalid ingress.className: "Nginx"'],
    [{ loadBalancer: { port: 70000 } }, 'Invalid loadBalancer.port: 70000. Allowed: an integer from 1 to 65535'],
    [{ loadBalancer: { sourceRanges: ['10.0.0.0/33'] } }, 'Invalid loadBalancer.sourceRanges[0]: "10.0.0.0/33"'],
    [{ mysql: { storage: { size: 'big' } } }, 'Invalid mysql.storage.size: "big"'],
    [{ wordpress: { replicas: 3 } }, 'Invalid wordpress.replicas: 3'],
  ])('rejects %j with a message naming the prop', (props, message) => {
    expect(() => synthChart(props as WordPressChartProps)).toThrow(message);
  });

  test('default synth snapshot', () => {
    expect(synthChart()).toMatchSnapshot();
  });
});
