import { spawnSync } from 'child_process';
import { join, resolve } from 'path';
import { Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { buildDefaultApp } from '../src/app';
import { loadAppConfig } from '../src/config/load-app-config';
import { validateManifests } from '../src/validation';
import { expectCommittedOutputIsFresh, readFiles } from './example-synth';
import { findTool, testWithTool } from './support/tools';

const ROOT = resolve(__dirname, '..');
const DIST = join(ROOT, 'dist');

function parseObjects(text: string): any[] {
  return parseAllDocuments(text).map((d) => d.toJS()).filter(Boolean);
}

const committed = readFiles(DIST);
const manifestFiles = [...committed.keys()].filter((f) => /\.(ya?ml|json)$/.test(f));
const objects = manifestFiles.flatMap((f) => parseObjects(committed.get(f)!));
/** The pinned kubectl of the dev dependencies (kustomize built in), else the one on PATH. */
const kubectl = findTool('kubectl');

describe('dist/', () => {
  test('is exactly what `cdk8s synth` produces now, and so is the kustomization beside it', () => {
    expectCommittedOutputIsFresh(ROOT);
  });

  test('holds only manifests and the Markdown diagram, so `kubectl apply -f dist/` applies everything', () => {
    expect([...committed.keys()].filter((f) => !manifestFiles.includes(f))).toEqual(['diagram.md']);
    for (const object of objects) {
      expect(typeof object.apiVersion).toBe('string');
      expect(typeof object.kind).toBe('string');
    }
  });

  test('applies in one pass: namespaces, CRDs and ServiceAccounts come before what uses them', () => {
    // Objects are applied file by file in name order, then in document order.
    const seen = new Set<string>();
    const preexisting = new Set(['Namespace//default', 'Namespace//kube-system', 'ServiceAccount/*/default']);
    const has = (key: string, wildcard?: string) => seen.has(key) || preexisting.has(key) || (wildcard !== undefined && preexisting.has(wildcard));
    for (const object of objects) {
      const ns = object.metadata.namespace;
      if (ns) expect({ object: `${object.kind}/${object.metadata.name}`, needs: `Namespace ${ns}`, ok: has(`Namespace//${ns}`) }).toMatchObject({ ok: true });
      const pod = object.spec?.template?.spec ?? object.spec?.jobTemplate?.spec?.template?.spec;
      const serviceAccount = pod?.serviceAccountName;
      if (serviceAccount) {
        expect({ object: `${object.kind}/${object.metadata.name}`, needs: `ServiceAccount ${serviceAccount}`, ok: has(`ServiceAccount/${ns}/${serviceAccount}`, `ServiceAccount/*/${serviceAccount}`) }).toMatchObject({ ok: true });
      }
      if (object.kind === 'CustomResourceDefinition') seen.add(`CRD//${object.spec.names.kind}.${object.spec.group}`);
      const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
      if (!['', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'discovery.k8s.io'].includes(group)) {
        expect({ object: `${object.kind}/${object.metadata.name}`, ok: seen.has(`CRD//${object.kind}.${group}`) }).toMatchObject({ ok: true });
      }
      seen.add(`${object.kind}/${object.kind === 'Namespace' ? '' : ns ?? ''}/${object.metadata.name}`);
    }
  });

  testWithTool(kubectl)('`kubectl kustomize` renders the same objects as dist/', (path) => {
    const rendered = spawnSync(path, ['kustomize', ROOT], { encoding: 'utf8' });
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
    const key = (o: any) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const objectsRendered = parseObjects(rendered.stdout);
    expect(objectsRendered.map(key).sort()).toEqual(objects.map(key).sort());
    const byKey = new Map(objects.map((o) => [key(o), o]));
    for (const object of objectsRendered) expect(object).toEqual(byKey.get(key(object)));
  });

  test.each([
    ['the defaults', undefined],
    ['the example config file', 'examples/config/site.yaml'],
  ])('a fresh synth of the default app with %s holds no Secret and no credential value (the engine\'s own rule)', (_name, config) => {
    // Given the default app built now (not the committed files), from the same entry point as main.ts
    const app = buildDefaultApp(Testing.app(), config ? loadAppConfig(join(ROOT, config)) : {});
    const fresh = app.charts.flatMap((chart) => Testing.synth(chart));
    // Then no object is a Secret, and policy.credential-value (Secret data, ConfigMap keys and files,
    // env literals, --flag=value arguments) finds nothing
    expect(fresh.filter((o) => o.kind === 'Secret')).toEqual([]);
    const report = validateManifests([{ objects: fresh }], { kubernetesVersions: ['1.36.0'] });
    expect(report.findings.filter((f) => f.rule === 'policy.credential-value')).toEqual([]);
  });

  test('pins every image to a version tag or digest', () => {
    const images = objects.flatMap((o) => {
      const pod = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
      return pod ? [...(pod.initContainers ?? []), ...pod.containers].map((c: any) => c.image as string) : [];
    });
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      expect(image).toMatch(/^[^@]+:(?!latest$)[\w][\w.-]*(@sha256:[0-9a-f]{64})?$|@sha256:[0-9a-f]{64}$/);
    }
  });

  test('the diagram shows the path from the Ingress to the volumes', () => {
    const diagram = committed.get('diagram.md')!;
    expect(diagram).toContain('```mermaid\nflowchart LR');
    expect(diagram).toContain('subgraph ns_wordpress["namespace wordpress"]');
    for (const label of ['Ingress wordpress', 'Service wordpress', 'Deployment wordpress', 'PVC wordpress-content', 'StatefulSet wordpress-mysql', 'Secret wordpress-db-credentials']) {
      expect(diagram).toContain(`["${label}"]`);
    }
  });
});
