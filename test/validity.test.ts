import { execFileSync } from 'child_process';
import { readFileSync, statSync } from 'fs';
import { join, resolve } from 'path';
import { Testing } from 'cdk8s';
import { WordPressChart } from '../charts/wordpress-chart';
import { WordPressFleet } from '../charts/wordpress-fleet';
import { Credentials } from '../src/credentials/credentials';
import { readObjects } from './example-synth';
import { SCHEMA_DIR, SHIPPED_VERSIONS, SUPPORTED_MINORS, validationErrors } from './support/validity';

const ROOT = resolve(__dirname, '..');

/**
 * Every output the project commits or documents, checked by the project's own validation engine:
 * strict schema for every Kubernetes minor the project supports (1.28 to 1.36, from the definitions
 * shipped in schemas/), API-server semantics and error-level policy.
 */
const outputs: [string, () => any[]][] = [
  ['dist/', () => readObjects(join(ROOT, 'dist'))],
  ['examples/generic/dist/', () => readObjects(join(ROOT, 'examples/generic/dist'))],
  ['examples/eks-production/dist/', () => readObjects(join(ROOT, 'examples/eks-production/dist'))],
  ['examples/fleet/dist/', () => readObjects(join(ROOT, 'examples/fleet/dist'))],
  ['examples/eks-rds/dist/', () => readObjects(join(ROOT, 'examples/eks-rds/dist'))],
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

describe('the shipped Kubernetes definitions', () => {
  test('cover every supported minor, inside the project, gzipped', () => {
    // Given the definitions the engine finds by itself (the package's schemas/k8s)
    expect(SCHEMA_DIR).toBe(join(ROOT, 'schemas/k8s'));
    // Then there is one per supported minor, no more
    expect(SHIPPED_VERSIONS).toEqual(SUPPORTED_MINORS.map((minor) => `${minor}.0`));
    for (const version of SHIPPED_VERSIONS) {
      const { size } = statSync(join(SCHEMA_DIR, `v${version}`, '_definitions.json.gz'));
      expect({ version, kb: Math.round(size / 1000), compressed: size > 150_000 && size < 250_000 }).toMatchObject({ version, compressed: true });
    }
  });

  test('are the only ones the project points at: nothing reads the developers\' ../shared', () => {
    // A user's clone has nothing beside it (.ci/run proves that end to end; this names the file).
    const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n')
      .filter((file) => file && file !== 'test/validity.test.ts' && !/\.(gz|png|jpg)$/.test(file) && !file.startsWith('docs/api/'));
    const pointing = tracked.filter((file) => /\.\.\/shared\b|shared\/k8s-schemas/.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(pointing).toEqual([]);
  });
});

describe.each(outputs)('%s', (_name, objectsOf) => {
  test('is strictly valid for every Kubernetes minor from 1.28 to 1.36, semantically sound and within policy', () => {
    const objects = objectsOf();
    expect(objects.length).toBeGreaterThan(10);
    expect(validationErrors(objects)).toEqual([]);
  });
});
