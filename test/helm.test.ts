import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parseAllDocuments } from 'yaml';
import { readObjects } from './example-synth';
import { findTool, testWithTool } from './support/tools';

const ROOT = resolve(__dirname, '..');
/** helm 3 from the dev dependencies (else PATH); missing: skipped visibly, or failed on CI. */
const helm = findTool('helm');

/** `cdk8s synth --format helm`, the output Argo CD, Flux and Helm users consume. */
describe('cdk8s synth --format helm', () => {
  let work: string;
  let chart: string;
  let helmEnv: NodeJS.ProcessEnv;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'helm-'));
    chart = join(work, 'chart');
    // helm keeps its caches in the test's folder, not in the user's home
    helmEnv = { ...process.env, HELM_CACHE_HOME: join(work, '.helm/cache'), HELM_CONFIG_HOME: join(work, '.helm/config'), HELM_DATA_HOME: join(work, '.helm/data') };
    // Given the project's app synthesized as a Helm chart (lib/ is compiled by jest's global setup)
    execFileSync(join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade', '--format', 'helm', '--chart-version', '0.1.0', '--output', chart],
      { cwd: ROOT, stdio: 'pipe' });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('the chart holds Chart.yaml, the manifests as templates and the diagram at its root; nothing else', () => {
    expect(readdirSync(chart).sort()).toEqual(['Chart.yaml', 'README.md', 'diagram.md', 'templates']);
    expect(readdirSync(join(chart, 'templates')).sort()).toEqual(readdirSync(join(ROOT, 'dist')).filter((f) => f.endsWith('.k8s.yaml')).sort());
  });

  testWithTool(helm)('`helm lint` accepts the chart', (path) => {
    const lint = spawnSync(path, ['lint', chart], { encoding: 'utf8', env: helmEnv });
    expect({ status: lint.status, output: `${lint.stdout}${lint.stderr}` }).toMatchObject({ status: 0 });
    expect(lint.stdout).toContain('0 chart(s) failed');
  });

  testWithTool(helm)('`helm template` renders the same objects as the plain synth', (path) => {
    const rendered = spawnSync(path, ['template', 'wordpress', chart], { encoding: 'utf8', env: helmEnv, maxBuffer: 64 * 1024 * 1024 });
    expect(rendered.stderr).toBe('');
    const objects = parseAllDocuments(rendered.stdout).map((d) => d.toJS()).filter(Boolean);
    // dist/ is the plain synth (test/dist.test.ts proves it is fresh)
    const plain = readObjects(join(ROOT, 'dist'));
    const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    expect(objects.map(key).sort()).toEqual(plain.map(key).sort());
    const byKey = new Map(plain.map((o) => [key(o), o]));
    for (const object of objects) expect(object).toEqual(byKey.get(key(object)));
  });
});
