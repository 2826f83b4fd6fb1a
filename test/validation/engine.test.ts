import { readdirSync, readFileSync } from 'fs';
import { join, resolve } from 'path';
import { loadManifestFiles, RULES, Severity, validateManifests, ValidationOptions } from '../../src/validation';

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/validation');
/** The project's own gzipped definitions (what users have). */
const SCHEMAS = join(ROOT, 'schemas/k8s');
const OPTIONS: ValidationOptions = { schemaDir: SCHEMAS, kubernetesVersions: ['1.28.0', '1.36.0'] };

/** `# expect: RULE PATH` and `# options: --strict | --rule ID=LEVEL` headers of a fixture. */
function header(file: string): { rule: string; path: string; options: ValidationOptions } {
  const text = readFileSync(file, 'utf8');
  const [, rule, path] = /^# expect: (\S+) (\S+)$/m.exec(text)!;
  const flags = /^# options: (.+)$/m.exec(text)?.[1] ?? '';
  const rules = Object.fromEntries([...flags.matchAll(/--rule (\S+)=(\S+)/g)].map((m) => [m[1], m[2] as Severity | 'off']));
  return { rule, path, options: { ...OPTIONS, strict: flags.includes('--strict'), rules } };
}

const broken = readdirSync(join(FIXTURES, 'broken')).sort().map((f) => join(FIXTURES, 'broken', f));

describe('the broken corpus', () => {
  test('covers every rule of a single output at least once (the upgrade rules have pairs in test/fixtures/upgrade)', () => {
    const covered = new Set(broken.map((file) => header(file).rule));
    expect(RULES.map((r) => r.id).filter((id) => !id.startsWith('upgrade.') && !covered.has(id))).toEqual([]);
  });

  test.each(broken.map((file) => [file.split('/').pop()!, file]))('%s fires its rule at its path', (_name, file) => {
    // Given a manifest with one planted problem
    const { rule, path, options } = header(file);
    // When it is validated for 1.28 and 1.36
    const report = validateManifests(loadManifestFiles([file]), options);
    // Then that rule fires at that path, at the rule's default severity
    const expected = RULES.find((r) => r.id === rule)!;
    expect(report.findings).toContainEqual(expect.objectContaining({ rule, path, severity: expected.severity, fix: expected.fix, file }));
  });
});

describe('clean input', () => {
  test('third-party shapes pass: multi-document files, nulls, Lists, JSON, custom resources', () => {
    const report = validateManifests(loadManifestFiles([join(FIXTURES, 'clean')]), OPTIONS);
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    // The List's item, the CRD, the Widget it validates, the custom resources and the JSON file all count.
    expect(report.objectCount).toBe(16);
    // Only the Certificate has no CRD: the ServiceMonitor, SecretStore, ExternalSecret and
    // SecurityGroupPolicy, VolumeSnapshot, PrometheusRule and SecretProviderClass are checked against the CRDs the package ships.
    expect(report.skipped).toEqual([expect.objectContaining({ kind: 'Certificate', reason: 'custom resource without a CRD schema' })]);
  });

  test('the committed dist/ is clean for Kubernetes 1.28 and 1.36, with no warning either', () => {
    const report = validateManifests(loadManifestFiles([join(ROOT, 'dist')]), OPTIONS);
    expect(report.findings).toEqual([]);
    expect(report.objectCount).toBeGreaterThan(25);
  });

  test('the bundled definitions are used when no schema directory is given', () => {
    const report = validateManifests(loadManifestFiles([join(ROOT, 'dist')]));
    expect(report.errorCount).toBe(0);
  });
});

describe('options', () => {
  const file = join(FIXTURES, 'broken/policy-image-pinned.yaml');

  test('a rule can be re-levelled or turned off', () => {
    expect(validateManifests(loadManifestFiles([file]), { ...OPTIONS, rules: { 'policy.image-pinned': 'warning' } }).errorCount).toBe(0);
    expect(validateManifests(loadManifestFiles([file]), { ...OPTIONS, rules: { 'policy.image-pinned': 'off' } }).findings).toEqual([]);
    expect(() => validateManifests([], { ...OPTIONS, rules: { 'no.such-rule': 'off' } })).toThrow('Unknown rule "no.such-rule"');
  });

  test('a reference can be declared external', () => {
    const missing = join(FIXTURES, 'broken/semantic-missing-reference.yaml');
    expect(validateManifests(loadManifestFiles([missing]), { ...OPTIONS, external: ['Secret/default/missing'] }).findings).toEqual([]);
  });

  test('the bundled CRDs can be turned off, and a CRD given explicitly replaces its bundled one', () => {
    // Given an ExternalSecret with a misspelt field, which the bundled CRD rejects
    const file = join(FIXTURES, 'broken/schema-unknown-field-custom-resource.yaml');
    // When the bundled CRDs are off, Then it is skipped as a custom resource without a CRD
    const off = validateManifests(loadManifestFiles([file]), { ...OPTIONS, bundledCrds: false });
    expect({ errors: off.errorCount, skipped: off.skipped.map((s) => s.kind) }).toEqual({ errors: 0, skipped: ['ExternalSecret'] });
    // When a CRD of the same kind that keeps unknown fields is given, Then it is the one used
    const lenient = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'externalsecrets.external-secrets.io' },
      spec: { group: 'external-secrets.io', names: { kind: 'ExternalSecret', plural: 'externalsecrets' }, scope: 'Namespaced',
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] } };
    expect(validateManifests(loadManifestFiles([file]), { ...OPTIONS, crds: [lenient] }).findings).toEqual([]);
  });

  test('unserved APIs are reported per version', () => {
    const report = validateManifests([{ objects: [{ apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec: {} }] }], OPTIONS);
    expect(report.findings.filter((f) => f.rule === 'schema.unserved-api').map((f) => f.kubernetesVersion)).toEqual(['1.28.0', '1.36.0']);
  });
});

describe('a schema URL with a local cache', () => {
  test('downloads a missing version once, then works from the cache', async () => {
    const { spawn } = await import('child_process');
    const { mkdtempSync, existsSync, rmSync } = await import('fs');
    const { tmpdir } = await import('os');
    // Given a server (its own process: validation is synchronous) that serves the official definitions
    const served: string[] = [];
    const server = spawn('node', ['-e', [
      "const http = require('http'), fs = require('fs'), path = require('path');",
      `const root = ${JSON.stringify(SCHEMAS)};`,
      // Served as upstream serves them (plain JSON), from the project's gzipped copies.
      "http.createServer((req, res) => { console.log('GET ' + req.url); const file = path.join(root, req.url) + '.gz';",
      "  if (!file.startsWith(root) || !fs.existsSync(file)) { res.writeHead(404); return res.end(); }",
      "  res.end(require('zlib').gunzipSync(fs.readFileSync(file))); }).listen(0, '127.0.0.1', function () { console.log('PORT ' + this.address().port); });",
    ].join('\n')]);
    const port = await new Promise<number>((resolvePort) => server.stdout.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.startsWith('PORT ')) resolvePort(Number(line.slice(5)));
        if (line.startsWith('GET ')) served.push(line.slice(4));
      }
    }));
    const cache = mkdtempSync(join(tmpdir(), 'schema-cache-'));
    try {
      const options: ValidationOptions = { schemaDir: cache, schemaUrlTemplate: `http://127.0.0.1:${port}/{version}/_definitions.json`, kubernetesVersions: ['1.31.0'] };
      const objects = loadManifestFiles([join(FIXTURES, 'broken/schema-unknown-field.yaml')]);
      // When a version missing from the cache is asked for, twice
      const first = validateManifests(objects, options);
      const second = validateManifests(objects, options);
      // Then it was downloaded once into the cache and both runs judge alike
      expect(existsSync(join(cache, 'v1.31.0/_definitions.json'))).toBe(true);
      expect(first.findings.map((f) => f.rule)).toContain('schema.unknown-field');
      expect(second.findings).toEqual(first.findings);
      await new Promise((r) => setTimeout(r, 100));
      expect(served).toEqual(['/v1.31.0/_definitions.json']);
    } finally {
      server.kill();
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
