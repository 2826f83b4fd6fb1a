import { spawnSync } from 'child_process';
import { resolve } from 'path';

const LIB = resolve(__dirname, '..', 'lib');

/**
 * Runs `body` in a Node process that may use V8's native syntax (`%OptimizeFunctionOnNextCall`,
 * `%HaveSameMap`), with the compiled library (lib/, built by the global setup) at `lib`, and
 * returns what it prints.
 */
function inV8(body: string): string {
  const script = `const lib = (p) => require(${JSON.stringify(LIB)} + '/' + p);\n${body}`;
  const result = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`node exited ${result.status}: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * Once V8 optimises a function, every object it builds as `{ ...a, more }` gets a hidden class of
 * its own (Node 20), about 250 bytes each: a fleet of 1000 sites kept tens of MiB of them. The
 * objects a synth builds for every object it writes share one instead.
 */
describe('objects built for every synthesized object share hidden classes once V8 optimises their code', () => {
  test('StandardLabels.all', () => {
    // Given the getter optimised
    const out = inV8(`
      const { StandardLabels } = lib('src/common/labels');
      const labels = (i) => new StandardLabels({ name: 'wordpress', instance: 'site-' + i, component: 'web', partOf: 'fleet' });
      const all = Object.getOwnPropertyDescriptor(StandardLabels.prototype, 'all').get;
      %PrepareFunctionForOptimization(all);
      labels(0).all; labels(1).all;
      %OptimizeFunctionOnNextCall(all);
      labels(2).all;
      // When two sites' labels are built, then they share one hidden class
      console.log(%HaveSameMap(labels(3).all, labels(4).all));
    `);
    expect(out).toBe('true');
  });

  test('the objects LinearSynthApp writes (ObjectJson.of)', () => {
    // Given the serialiser optimised on one kind of object
    const out = inV8(`
      const { App, Chart } = require(${JSON.stringify(require.resolve('cdk8s'))});
      const { ObjectJson } = lib('src/synth/object-json');
      const { k8s } = lib('src/common/k8s');
      const app = new App();
      const chart = new Chart(app, 'c');
      const maps = Array.from({ length: 5 }, (_, i) => new k8s.KubeConfigMap(chart, 'm' + i, { data: { key: 'v' + i } }));
      const json = new ObjectJson(app);
      json.of(maps[0]);
      // (the step that builds each written object from the converter's result, kept per class)
      const finisher = json.finishers.get(Object.getPrototypeOf(maps[0]));
      %PrepareFunctionForOptimization(finisher);
      json.of(maps[1]);
      %OptimizeFunctionOnNextCall(finisher);
      json.of(maps[2]);
      // When two objects of that kind are written, then they share one hidden class
      console.log(%HaveSameMap(json.of(maps[3]), json.of(maps[4])));
    `);
    expect(out).toBe('true');
  });
});
