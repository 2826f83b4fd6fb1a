import { join, resolve } from 'path';
import { Testing } from 'cdk8s';
import { WordPressChart } from '../charts/wordpress-chart';
import { WordPressFleet } from '../charts/wordpress-fleet';
import { Credentials } from '../src/credentials/credentials';
import { readObjects } from './example-synth';
import { validationErrors } from './support/validity';

const ROOT = resolve(__dirname, '..');

/**
 * Every output the project commits or documents, checked by the project's own validation engine:
 * strict schema for Kubernetes 1.28 and 1.36, API-server semantics and error-level policy.
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
  test('is strictly valid for Kubernetes 1.28 and 1.36, semantically sound and within policy', () => {
    const objects = objectsOf();
    expect(objects.length).toBeGreaterThan(10);
    expect(validationErrors(objects)).toEqual([]);
  });
});
