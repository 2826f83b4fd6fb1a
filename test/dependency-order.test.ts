import { App, Chart, DependencyGraph, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { dependencyOrder } from '../src/synth/dependency-order';

const paths = (constructs: IConstruct[]) => constructs.map((c) => c.node.path);

/** Charts named like array indices and not, chart and object dependencies, one across charts. */
function build(app: App): void {
  const charts = ['site-b', '10', 'site-a', '2', '0'].map((id) => new Chart(app, id, { namespace: id === '0' ? 'zero' : `ns-${id}` }));
  const [b, ten, a, two] = charts;
  const maps = charts.map((chart) => [
    new k8s.KubeConfigMap(chart, 'first', { data: { x: '1' } }),
    new k8s.KubeConfigMap(chart, 'second', { data: { y: '2' } }),
  ]);
  a.addDependency(b);
  two.addDependency(ten);
  maps[0][0].addDependency(maps[0][1]);
  maps[2][1].addDependency(maps[4][0]);
}

describe('dependencyOrder', () => {
  test.each([
    ['the whole app', (app: App) => app],
    ['a chart with a dependency inside it', (app: App) => app.node.findChild('site-b')],
    ['a chart with a dependency on another chart', (app: App) => app.node.findChild('site-a')],
    ['a chart named like an array index', (app: App) => app.node.findChild('10')],
  ])('orders %s exactly like cdk8s DependencyGraph', (_, scopeOf) => {
    // given an app with charts named like array indices and dependencies within and across charts
    const app = Testing.app();
    build(app);
    const scope = scopeOf(app);
    // when both order it
    const expected = new DependencyGraph(scope.node).topology();
    // then: the same constructs in the same order
    expect(paths(dependencyOrder(scope, scope.node.findAll()))).toEqual(paths(expected));
  });

  test('a dependency cycle fails with cdk8s\'s own error', () => {
    // given two objects that depend on each other
    const app = Testing.app();
    const chart = new Chart(app, 'c');
    const first = new k8s.KubeConfigMap(chart, 'first', {});
    const second = new k8s.KubeConfigMap(chart, 'second', {});
    first.addDependency(second);
    second.addDependency(first);
    // then: the error is the one cdk8s throws
    expect(() => new DependencyGraph(chart.node)).toThrow(/Dependency cycle detected/);
    expect(() => dependencyOrder(chart, chart.node.findAll())).toThrow(/Dependency cycle detected: c\/first => c\/second => c\/first/);
  });
});
