import { join, resolve } from 'path';
import { Testing } from 'cdk8s';
import { WordPressChart } from '../charts/wordpress-chart';
import { WordPressFleet } from '../charts/wordpress-fleet';
import { Credentials } from '../src/credentials/credentials';
import { readObjects } from './example-synth';
import { semanticProblems } from './support/semantics';
import { strictSchemaProblems } from './support/strict-schema';

const ROOT = resolve(__dirname, '..');

/**
 * Every output the project commits or documents, strictly valid for Kubernetes 1.28 and 1.36 and
 * free of the problems an API server or its controllers would hit.
 */
const outputs: [string, () => any[]][] = [
  ['dist/', () => readObjects(join(ROOT, 'dist'))],
  ['examples/generic/dist/', () => readObjects(join(ROOT, 'examples/generic/dist'))],
  ['examples/eks-production/dist/', () => readObjects(join(ROOT, 'examples/eks-production/dist'))],
  ['examples/fleet/dist/', () => readObjects(join(ROOT, 'examples/fleet/dist'))],
  ['a chart with existing Secrets, LoadBalancer and RWX replicas', () => Testing.synth(new WordPressChart(Testing.app(), 'x', {
    credentials: Credentials.fromExistingSecrets({ database: 'db', wordpressKeys: 'keys' }),
    loadBalancer: { sourceRanges: ['203.0.113.0/24'] },
    ingress: { className: 'nginx', hosts: ['a.example.com'], tlsSecretName: 'tls' },
    wordpress: { replicas: 3, storage: { accessMode: 'ReadWriteMany', storageClassName: 'efs' } },
  }))],
  ['a fleet of three sites', () => new WordPressFleet(Testing.app(), {
    sites: [
      { name: 'grocer', hosts: ['grocer.example.com'] },
      { name: 'bakery', hosts: ['bakery.example.com'], size: 'medium' },
      { name: 'florist', hosts: ['florist.example.com'], size: 'large', replicas: 2, contentStorageClassName: 'efs' },
    ],
  }).sites.flatMap((chart) => Testing.synth(chart))],
];

describe.each(outputs)('%s', (_name, objectsOf) => {
  const objects = objectsOf();

  test('is strictly valid for Kubernetes 1.28 and 1.36', () => {
    expect(objects.length).toBeGreaterThan(10);
    expect(strictSchemaProblems(objects)).toEqual([]);
  });

  test('has sound names, selectors, ports, mounts and references', () => {
    expect(semanticProblems(objects)).toEqual([]);
  });
});

describe('the validators themselves', () => {
  const good = readObjects(join(ROOT, 'dist'));
  const clone = () => JSON.parse(JSON.stringify(good));

  test('an unknown field, a wrong type and an unserved apiVersion are schema problems', () => {
    const objects = clone();
    const deployment = objects.find((o: any) => o.kind === 'Deployment');
    deployment.spec.template.spec.containers[0].imagePullPolice = 'Always';
    deployment.spec.replicas = 'one';
    objects.push({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'old' }, spec: {} });
    const problems = strictSchemaProblems(objects, ['v1.28.0']).join('\n');
    expect(problems).toContain('/spec/template/spec/containers/0 must NOT have additional properties (imagePullPolice)');
    expect(problems).toContain('/spec/replicas must be integer');
    expect(problems).toContain('policy/v1beta1 PodDisruptionBudget is not served');
  });

  test('an explicit null counts as absent', () => {
    const objects = clone();
    objects.find((o: any) => o.kind === 'Deployment').spec.paused = null;
    expect(strictSchemaProblems(objects, ['v1.28.0'])).toEqual([]);
  });

  test('a broken selector, port name, mount and reference are semantic problems', () => {
    const objects = clone();
    const deployment = objects.find((o: any) => o.kind === 'Deployment');
    const container = deployment.spec.template.spec.containers[0];
    deployment.spec.selector.matchLabels['app.kubernetes.io/name'] = 'other';
    container.readinessProbe.httpGet.port = 'web';
    container.volumeMounts.push({ name: 'nowhere', mountPath: '/x' });
    deployment.spec.template.spec.volumes.push({ name: 'cfg', configMap: { name: 'missing' } });
    objects.find((o: any) => o.kind === 'StatefulSet').spec.serviceName = 'wordpress-mysql';
    const problems = semanticProblems(objects).join('\n');
    expect(problems).toContain('Deployment/wordpress/wordpress: selector does not match the pod template');
    expect(problems).toContain('probe names unknown port web');
    expect(problems).toContain('mounts unknown volume nowhere');
    expect(problems).toContain('refers to missing ConfigMap missing');
    expect(problems).toContain('serviceName wordpress-mysql is not a headless Service');
  });
});
