import { execFile, spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { promisify } from 'util';
import { stringify } from 'yaml';
import { FakeApiServer, parseSelector } from './support/fake-api-server';

describe('the fake API server\'s label selectors', () => {
  const labels = { app: 'web', tier: 'front' };
  test.each<[string, string, boolean]>([
    ['equality, matching', 'app=web', true],
    ['double equals', 'app==web', true],
    ['equality, other value', 'app=db', false],
    ['inequality', 'app!=db', true],
    ['set membership', 'app in (db,web)', true],
    ['set membership, absent value', 'app in (db)', false],
    ['set exclusion', 'app notin (db)', true],
    ['existence', 'tier', true],
    ['non-existence', '!tier', false],
    ['several requirements, one failing', 'app in (web, db),tier=back', false],
    ['empty selects everything', '', true],
  ])('%s: "%s"', (_case, selector, matches) => {
    expect(parseSelector(selector)(labels)).toBe(matches);
  });
});

const KUBECTL = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim() || undefined;

(KUBECTL || process.env.CI ? describe : describe.skip)('the fake API server with the real kubectl', () => {
  let fake: FakeApiServer;
  let work: string;
  const kubectl = async (...args: string[]) => promisify(execFile)(KUBECTL!, args, { env: { ...process.env, KUBECONFIG: fake.writeKubeconfig(work) } });

  beforeEach(async () => {
    if (!KUBECTL) throw new Error('kubectl is not on PATH (CI=true makes this an error)');
    fake = await FakeApiServer.start();
    work = mkdtempSync(join(tmpdir(), 'fake-api-'));
  });
  afterEach(async () => {
    await fake.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const write = (file: string, objects: object[]) => {
    writeFileSync(join(work, file), objects.map((o) => stringify(o)).join('---\n'));
    return join(work, file);
  };
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } };
  const configMap = (data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'a', labels: { app: 'x' } }, data });

  test('a re-apply patches the stored object: changed keys replaced, removed keys deleted', async () => {
    // given a ConfigMap applied once
    await kubectl('apply', '-f', write('v1.yaml', [ns, configMap({ kept: '1', dropped: '2' })]));
    // when a changed version is applied
    await kubectl('apply', '-f', write('v2.yaml', [ns, configMap({ kept: '3' })]));
    // then: kubectl patched it and the fake merged the patch
    expect(fake.requests.some((r) => r.method === 'PATCH' && r.path === '/api/v1/namespaces/a/configmaps/c')).toBe(true);
    expect(fake.get('ConfigMap', 'a', 'c').data).toEqual({ kept: '3' });
  });

  test('deleting a Namespace removes the objects in it and records them', async () => {
    // given a Namespace with a ConfigMap
    await kubectl('apply', '-f', write('v1.yaml', [ns, configMap({ k: 'v' })]));
    // when the Namespace is deleted
    await kubectl('delete', 'namespace', 'a', '--wait=false');
    // then: both are gone, the ConfigMap recorded as taken along
    expect(fake.objects()).toEqual([]);
    expect(fake.deletions).toEqual([
      { kind: 'Namespace', name: 'a' },
      { kind: 'ConfigMap', namespace: 'a', name: 'c', withNamespace: 'a' },
    ]);
  });

  test('get with a label selector lists only the matching objects', async () => {
    // given two ConfigMaps, one labelled app=x
    await kubectl('apply', '-f', write('v1.yaml', [ns, configMap({}), { ...configMap({}), metadata: { name: 'd', namespace: 'a' } }]));
    // when listed by label
    const { stdout } = await kubectl('get', 'configmaps', '-n', 'a', '-l', 'app in (x)', '-o', 'name');
    // then
    expect(stdout.trim()).toBe('configmap/c');
  });
});
