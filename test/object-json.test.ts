import { join } from 'path';
import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { WordPressFleet } from '../charts/wordpress-fleet';
import { buildApp as eksProduction } from '../examples/eks-production/main';
import { buildApp as eksRds } from '../examples/eks-rds/main';
import { buildApp as fleetExample } from '../examples/fleet/main';
import { buildApp as generic } from '../examples/generic/main';
import { buildDefaultApp } from '../src/app';
import { loadAppConfig } from '../src/config/load-app-config';
import { ServiceMonitor } from '../imports/servicemonitor-monitoring.coreos.com';
import { fasterConverter } from '../src/synth/binding-converters';
import { ObjectJson } from '../src/synth/object-json';

const objectsOf = (app: App) => app.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);

/** Ours and the library's, key order included; and how often ours handed an object back to `toJson()`. */
function compare(app: App): { ours: string[]; library: string[]; handedBack: number } {
  const objects = objectsOf(app);
  const json = new ObjectJson(app);
  const spy = jest.spyOn(ApiObject.prototype, 'toJson');
  let ours: string[];
  let handedBack: number;
  try {
    ours = objects.map((object) => JSON.stringify(json.of(object)));
    handedBack = spy.mock.calls.length;
  } finally {
    spy.mockRestore();
  }
  return { ours, library: objects.map((object) => JSON.stringify(object.toJson())), handedBack };
}

describe('ObjectJson: ApiObject.toJson() without the library\'s per-value machinery', () => {
  const apps: { name: string; build: (app: App) => void }[] = [
    { name: 'the default app', build: (app) => buildDefaultApp(app) },
    { name: 'the default app from examples/config/site.yaml', build: (app) => buildDefaultApp(app, loadAppConfig(join(__dirname, '../examples/config/site.yaml'))) },
    { name: 'examples/eks-production', build: eksProduction },
    { name: 'examples/eks-rds', build: eksRds },
    { name: 'examples/fleet', build: fleetExample },
    { name: 'examples/generic', build: generic },
    { name: 'a fleet of 12 sites', build: (app) => new WordPressFleet(app, { sites: Array.from({ length: 12 }, (_, i) => ({ name: `s${i}`, hosts: [`s${i}.example.com`] })) }) },
  ];

  test.each(apps)('$name: every object is exactly what toJson() gives, and none is handed back', ({ build }) => {
    // Given the app's construct tree
    const app = Testing.app();
    build(app);
    // When every object is serialised both ways
    const { ours, library, handedBack } = compare(app);
    // Then the JSON is the same, key order included, and the fast path served every object
    expect(ours.length).toBeGreaterThan(10);
    expect(ours).toEqual(library);
    expect(handedBack).toBe(0);
  });

  type Case = { name: string; build: (chart: Chart) => ApiObject; handedBack: boolean; app?: () => App };
  const cases: Case[] = [
    { name: 'maps with integer-like keys, nulls and empty collections', handedBack: false, build: (c) => new ApiObject(c, 'o', {
      apiVersion: 'v1', kind: 'Thing', metadata: { labels: { b: 'x', a: 'y' }, annotations: {}, finalizers: [] },
      spec: { 10: 'ten', 9: 'nine', z: null, y: undefined, a: [null, 1, { b: 2, a: 1 }, []], e: {}, n: [] },
    }) },
    { name: 'IntOrString and Quantity in a generated binding', handedBack: false, build: (c) => new k8s.KubeService(c, 's', {
      spec: { ports: [{ port: 80, targetPort: k8s.IntOrString.fromString('http') }] },
    }) },
    { name: 'a custom resource binding from imports/', handedBack: false, build: (c) => new ServiceMonitor(c, 'm', {
      spec: { selector: { matchLabels: { app: 'x' } }, endpoints: [{ port: 'metrics' }] },
    }) },
    { name: 'a value-holding object without a prototype (as IntOrString after NumberStringUnionResolver)', handedBack: false, build: (c) => new ApiObject(c, 'o', {
      apiVersion: 'v1', kind: 'Thing', spec: { port: Object.assign(Object.create(null), { value: 8080 }) },
    }) },
    { name: 'a plain object with its own constructor key', handedBack: true, build: (c) => new ApiObject(c, 'o', {
      apiVersion: 'v1', kind: 'Thing', spec: { odd: { constructor: 'x', value: 'y' } },
    }) },
    { name: 'a Lazy', handedBack: true, build: (c) => new k8s.KubeConfigMap(c, 'cm', { data: { x: Lazy.any({ produce: () => 'late' }) } }) },
    { name: 'an implicit token', handedBack: true, build: (c) => new k8s.KubeConfigMap(c, 'cm', { data: { x: { resolve: () => 'token' } as any } }) },
    { name: 'a JSON patch', handedBack: false, build: (c) => {
      const o = new k8s.KubeConfigMap(c, 'cm', { data: { x: '1' } });
      o.addJsonPatch(JsonPatch.add('/data/y', '2'));
      return o;
    } },
    { name: 'a __proto__ key', handedBack: true, build: (c) => new ApiObject(c, 'o', { apiVersion: 'v1', kind: 'Thing', spec: JSON.parse('{"__proto__": {"a": 1}, "b": 2}') }) },
    { name: 'an override of toJson() of another shape', handedBack: true, build: (c) => new (class extends ApiObject {
      public toJson(): any { return { ...super.toJson(), extra: true }; }
    })(c, 'o', { apiVersion: 'v1', kind: 'Thing' }) },
    { name: 'a custom resolver in the App', handedBack: true, app: () => new App({ resolvers: [new (class implements IResolver {
      public resolve(context: ResolutionContext): void { if (context.value === 'x') context.replaceValue('y'); }
    })()] }), build: (c) => new k8s.KubeConfigMap(c, 'cm', { data: { a: 'x' } }) },
  ];

  test.each(cases)('$name: the same JSON as toJson() (handed back: $handedBack)', ({ build, handedBack, app }) => {
    // Given one object of that shape
    const chart = new Chart(app ? app() : Testing.app(), 'c');
    build(chart);
    // When it is serialised both ways
    const result = compare(chart.node.scope as App);
    // Then ours is the library's, and only what the walk cannot vouch for went to toJson()
    expect(result.ours).toEqual(result.library);
    expect(result.handedBack > 0).toBe(handedBack);
  });

  test('CDK8S_DISABLE_SORT hands every object back, so the keys stay unsorted', () => {
    // Given an object with unsorted keys and sorting disabled
    const chart = new Chart(Testing.app(), 'c');
    new k8s.KubeConfigMap(chart, 'cm', { data: { b: '1', a: '2' } });
    process.env.CDK8S_DISABLE_SORT = '1';
    try {
      // When it is serialised both ways
      const result = compare(chart.node.scope as App);
      // Then the library served it
      expect(result.ours).toEqual(result.library);
      expect(result.ours[0]).toContain('{"b":"1","a":"2"}');
      expect(result.handedBack).toBe(1);
    } finally {
      delete process.env.CDK8S_DISABLE_SORT;
    }
  });
});

describe('fasterConverter: the generated toJson_* converters without their quadratic copies', () => {
  const converters = Object.entries(k8s).filter(([name]) => name.startsWith('toJson_')) as [string, Function][];

  test('every converter of cdk8s-plus-28\'s k8s module has a stand-in (a generator change would make synths slower, not wrong)', () => {
    // Given cdk8s-plus-28's generated converters
    // When stand-ins are built from their source
    const missing = converters.filter(([, converter]) => fasterConverter(converter, k8s as any) === undefined).map(([name]) => name);
    // Then none is of an unknown shape
    expect(converters.length).toBeGreaterThan(400);
    expect(missing).toEqual([]);
  });

  test.each([
    { name: 'a map with a __proto__ key', converter: k8s.toJson_KubeConfigMapProps, input: { data: JSON.parse('{"b": "y", "__proto__": "x", "1": "z"}') } },
    { name: 'maps of quantities and lists of IntOrString-like values', converter: k8s.toJson_KubeResourceQuotaProps, input: { spec: { hard: { pods: { value: 3 }, cpu: { value: '2' }, none: undefined }, scopes: ['a', 'b'] } } },
    { name: 'ports with names and numbers', converter: k8s.toJson_KubeServiceProps, input: { spec: { ports: [{ port: 80, targetPort: { value: 'http' } }, { port: 81, targetPort: { value: 8081 } }] } } },
    { name: 'an undefined input', converter: k8s.toJson_KubeServiceProps, input: undefined },
  ])('$name: the stand-in returns what the converter returns, own keys in order', ({ converter, input }) => {
    // Given a generated converter and its stand-in
    const standIn = fasterConverter(converter, k8s as any)!;
    // When both convert the same data
    const expected = converter(input as any);
    const actual = standIn(input);
    // Then the results are equal, key order and own __proto__ keys included
    expect(JSON.stringify(actual)).toEqual(JSON.stringify(expected));
    expect(actual).toStrictEqual(expected);
  });

  test('a converter of another shape gets no stand-in, nor does one that calls it', () => {
    // Given a converter written differently (as another transpiler would) and a generated one calling it
    const exported: Record<string, Function> = {};
    exported.toJson_Inner = new Function('obj', 'return obj === void 0 ? void 0 : { a: obj.a };');
    Object.defineProperty(exported.toJson_Inner, 'name', { value: 'toJson_Inner' });
    const outerSource = Function.prototype.toString.call(k8s.toJson_LocalObjectReference)
      .replace(/toJson_LocalObjectReference/g, 'toJson_Outer').replace("'name': obj.name,", "'name': toJson_Inner(obj.name),");
    exported.toJson_Outer = new Function('toJson_Inner', `return ${outerSource}`)(exported.toJson_Inner);
    // When stand-ins are asked for
    // Then neither has one: the caller uses the converters themselves
    expect(fasterConverter(exported.toJson_Inner, exported)).toBeUndefined();
    expect(fasterConverter(exported.toJson_Outer, exported)).toBeUndefined();
  });
});
