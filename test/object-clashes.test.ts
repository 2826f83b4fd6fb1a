import { mkdtempSync, readdirSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { ObservabilityChart } from '../charts/observability-chart';
import { WordPressChart } from '../charts/wordpress-chart';
import { WordPressFleet } from '../charts/wordpress-fleet';
import { LinearSynthApp } from '../src/synth/linear-synth-app';

/** Hosts every site needs for its Ingress (the chart refuses to route every host by default). */
const SITE_HOSTS = { hosts: ['blog.example.com'] };

type AppKind = [string, (outdir: string) => App];
const APP_KINDS: AppKind[] = [
  ['cdk8s App', (outdir) => new App({ outdir })],
  ['LinearSynthApp', (outdir) => new LinearSynthApp({ outdir })],
];

/** Synthesizes into a fresh directory; returns the error message (or undefined) and the files written. */
function synthesize(makeApp: (outdir: string) => App, build: (app: App) => void): { error?: string; files: string[] } {
  const outdir = mkdtempSync(join(tmpdir(), 'clash-'));
  try {
    const app = makeApp(outdir);
    build(app);
    let error: string | undefined;
    try {
      app.synth();
    } catch (e) {
      error = (e as Error).message;
    }
    return { error, files: readdirSync(outdir) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const site = (hosts: string[]) => ({ name: hosts[0].split('.')[0], hosts });

describe.each(APP_KINDS)('clashing objects are rejected before anything is written (%s)', (_kind, makeApp) => {
  test('two WordPressCharts with default props', () => {
    // Given two sites with every default, hence the same namespace and names
    const { error, files } = synthesize(makeApp, (app) => {
      new WordPressChart(app, 'blog', { ingress: SITE_HOSTS });
      new WordPressChart(app, 'shop', { ingress: SITE_HOSTS });
    });
    // Then synth fails naming both charts and the shared namespace, and writes no file
    expect(error).toContain('Charts "blog" and "shop" both emit Namespace wordpress, ');
    expect(error).toMatch(/and \d+ more: /);
    expect(error).toContain('give each its own namespace');
    expect(files).toEqual([]);
  });

  test('two releases in one namespace', () => {
    const { error, files } = synthesize(makeApp, (app) => {
      new WordPressChart(app, 'a', { ingress: SITE_HOSTS, namespace: 'sites', releaseName: 'a' });
      new WordPressChart(app, 'b', { ingress: SITE_HOSTS, namespace: 'sites', releaseName: 'b' });
    });
    expect(error).toContain('Charts "a" and "b" both emit Namespace sites:');
    expect(files).toEqual([]);
  });

  test('a WordPressChart in the namespace of a fleet site', () => {
    const { error, files } = synthesize(makeApp, (app) => {
      new WordPressFleet(app, { sites: [site(['bakery.example.com']), site(['grocer.example.com'])] });
      new WordPressChart(app, 'shop', { ingress: SITE_HOSTS, namespace: 'grocer', releaseName: 'shop' });
    });
    expect(error).toContain('Charts "grocer" and "shop" both emit Namespace grocer:');
    expect(files).toEqual([]);
  });

  test('the same object from two plain charts: one API group, two versions', () => {
    const { error, files } = synthesize(makeApp, (app) => {
      const a = new Chart(app, 'first', { namespace: 'team' });
      const b = new Chart(app, 'second', { namespace: 'team' });
      new k8s.KubeConfigMap(a, 'settings', { metadata: { name: 'settings' } });
      new k8s.KubeConfigMap(b, 'settings', { metadata: { name: 'settings' } });
      new k8s.KubeHorizontalPodAutoscaler(a, 'hpa', { metadata: { name: 'web' }, spec: { maxReplicas: 2, scaleTargetRef: { kind: 'Deployment', name: 'web' } } });
      new k8s.KubeHorizontalPodAutoscalerV2(b, 'hpa', { metadata: { name: 'web' }, spec: { maxReplicas: 2, scaleTargetRef: { kind: 'Deployment', name: 'web' } } });
      new WordPressChart(app, 'site', { ingress: SITE_HOSTS });
    });
    expect(error).toContain('Charts "first" and "second" both emit ConfigMap team/settings, autoscaling/HorizontalPodAutoscaler team/web:');
    expect(files).toEqual([]);
  });

  test('one chart emitting the same object twice', () => {
    const { error } = synthesize(makeApp, (app) => {
      const chart = new Chart(app, 'team', { namespace: 'team' });
      new k8s.KubeConfigMap(chart, 'one', { metadata: { name: 'settings' } });
      new k8s.KubeConfigMap(chart, 'two', { metadata: { name: 'settings' } });
      new WordPressChart(app, 'site', { ingress: SITE_HOSTS });
    });
    expect(error).toContain('Chart "team" emits ConfigMap team/settings twice (team/one and team/two)');
  });

  test('what Kubernetes keeps apart is accepted: other namespace, other group, other kind', () => {
    const { error, files } = synthesize(makeApp, (app) => {
      const a = new Chart(app, 'first', { namespace: 'one' });
      const b = new Chart(app, 'second', { namespace: 'two' });
      new k8s.KubeConfigMap(a, 'settings', { metadata: { name: 'settings' } });
      new k8s.KubeConfigMap(b, 'settings', { metadata: { name: 'settings' } });
      new k8s.KubeRole(a, 'role', { metadata: { name: 'settings' } });
      new k8s.KubeIngress(a, 'ingress', { metadata: { name: 'web' } });
      new k8s.KubeIngressClass(b, 'class', { metadata: { name: 'web' } });
      new WordPressChart(app, 'site-a', { ingress: SITE_HOSTS, namespace: 'site-a', releaseName: 'a' });
      new WordPressChart(app, 'site-b', { ingress: SITE_HOSTS, namespace: 'site-b', releaseName: 'b' });
    });
    expect(error).toBeUndefined();
    expect(files.length).toBe(4);
  });
});

test('LinearSynthApp guards plain charts on its own', () => {
  const { error } = synthesize((outdir) => new LinearSynthApp({ outdir }), (app) => {
    new k8s.KubeNamespace(new Chart(app, 'a'), 'ns', { metadata: { name: 'team' } });
    new k8s.KubeNamespace(new Chart(app, 'b'), 'ns', { metadata: { name: 'team' } });
  });
  expect(error).toContain('Charts "a" and "b" both emit Namespace team:');
});

test('the check runs once per synth, however many charts ask for it', () => {
  // Given a LinearSynthApp, a fleet and two more charts, all of which register the check, and one clash
  const { error } = synthesize((outdir) => new LinearSynthApp({ outdir }), (app) => {
    new WordPressFleet(app, { sites: Array.from({ length: 20 }, (_, i) => site([`site${i}.example.com`])) });
    new ObservabilityChart(app, 'observability');
    new WordPressChart(app, 'copy', { ingress: SITE_HOSTS, namespace: 'site3', releaseName: 'copy' });
  });
  // Then the clash is reported once: one validation, one pass over the objects
  expect(error!.split('both emit Namespace site3').length - 1).toBe(1);
});

describe('a chart id equal to a fleet site name', () => {
  test('a fleet after the chart names the site and the chart in the way', () => {
    const app = new App();
    new WordPressChart(app, 'grocer', { ingress: SITE_HOSTS, namespace: 'shop', releaseName: 'shop' });
    expect(() => new WordPressFleet(app, { sites: [site(['bakery.example.com']), site(['grocer.example.com'])] }))
      .toThrow('Invalid sites[1].name: "grocer". Allowed: a name no other construct directly under the app has: "grocer" already exists (a WordPressFleet names each site\'s chart after the site).');
  });

  test.each([
    ['WordPressChart', (app: App) => new WordPressChart(app, 'grocer', { ingress: SITE_HOSTS, namespace: 'shop', releaseName: 'shop' })],
    ['ObservabilityChart', (app: App) => new ObservabilityChart(app, 'grocer')],
  ])('after the fleet, %s names the id in the way', (_kind, build) => {
    const app = new App();
    new WordPressFleet(app, { sites: [site(['grocer.example.com'])] });
    expect(() => build(app)).toThrow('Invalid id: "grocer". Allowed: a name no other construct directly under the app has: "grocer" already exists');
  });
});

describe('reserved namespaces are rejected', () => {
  const RESERVED = ['kube-system', 'kube-public', 'kube-node-lease', 'default', 'amazon-cloudwatch'];
  test.each(RESERVED)('WordPressChart in %s', (namespace) => {
    expect(() => new WordPressChart(new App(), 'site', { namespace }))
      .toThrow(`Invalid namespace: "${namespace}". Allowed: a namespace of its own, not one of kube-system, kube-public, kube-node-lease, default, amazon-cloudwatch`);
  });
  test.each(RESERVED)('a fleet site named %s', (name) => {
    expect(() => new WordPressFleet(new App(), { sites: [{ name, hosts: ['a.example.com'] }] }))
      .toThrow(`Invalid sites[0].name: "${name}". Allowed: a namespace of its own`);
  });
  test.each(RESERVED)('ObservabilityChart in %s', (namespace) => {
    expect(() => new ObservabilityChart(new App(), 'observability', { namespace }))
      .toThrow(`Invalid namespace: "${namespace}". Allowed: a namespace of its own`);
  });
});
