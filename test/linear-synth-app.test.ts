import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { WordPressChart } from '../charts/wordpress-chart';
import { LinearSynthApp } from '../src/synth/linear-synth-app';

function build(app: App): void {
  const base = new Chart(app, 'base');
  new k8s.KubeNamespace(base, 'ns', { metadata: { name: 'shared' } });
  const a = new WordPressChart(app, 'site-a', { namespace: 'a', releaseName: 'a', ingress: { hosts: ['a.example.com'] } });
  const b = new WordPressChart(app, 'site-b', { namespace: 'b', releaseName: 'b', ingress: false });
  a.addDependency(base);
  b.addDependency(a);
  // a cross-chart construct dependency, which cdk8s turns into object order and chart order
  const extra = new Chart(app, 'extra', { namespace: 'shared' });
  const config = new k8s.KubeConfigMap(extra, 'cm', { data: { x: '1' } });
  const later = new k8s.KubeConfigMap(extra, 'later', { data: { y: '2' } });
  config.addDependency(later);
}

function synthInto(app: App): Map<string, string> {
  app.synth();
  return new Map(readdirSync(app.outdir).sort().map((f) => [f, readFileSync(join(app.outdir, f), 'utf8')]));
}

describe('LinearSynthApp', () => {
  test('writes exactly what cdk8s App.synth() writes, dependencies and file numbering included', () => {
    const work = mkdtempSync(join(tmpdir(), 'linear-'));
    try {
      // Given the same charts in a cdk8s App and in a LinearSynthApp
      const reference = new App({ outdir: join(work, 'reference') });
      const linear = new LinearSynthApp({ outdir: join(work, 'linear') });
      build(reference);
      build(linear);
      // When both synthesize
      const expected = synthInto(reference);
      const actual = synthInto(linear);
      // Then the files and their bytes are identical
      expect([...actual.keys()]).toEqual([...expected.keys()]);
      expect([...actual.keys()][0]).toMatch(/^0000-/);
      for (const [file, text] of expected) expect({ file, text: actual.get(file) }).toEqual({ file, text });
      expect(linear.manifests.map((m) => m.file)).toEqual([...expected.keys()].sort((x, y) => x.localeCompare(y)));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('runs construct validation like App.synth()', () => {
    const work = mkdtempSync(join(tmpdir(), 'linear-'));
    const app = new LinearSynthApp({ outdir: work });
    const chart = new Chart(app, 'c');
    chart.node.addValidation({ validate: () => ['broken on purpose'] });
    expect(() => app.synth()).toThrow('[c] broken on purpose');
    rmSync(work, { recursive: true, force: true });
  });
});
