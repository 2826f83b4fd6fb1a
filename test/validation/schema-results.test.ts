import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { gunzipSync, gzipSync } from 'zlib';
import { loadManifestFiles, ManifestSource, ValidationOptions, ValidationReport } from '../../src/validation';

const ROOT = resolve(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/validation/broken');
const SCHEMAS = join(ROOT, 'schemas/k8s');

/** validateManifests from a fresh module registry: a new process, with nothing compiled in memory. */
function validateInNewProcess(sources: ManifestSource[], options: ValidationOptions, fs?: Partial<typeof import('fs')>): ValidationReport {
  let report: ValidationReport | undefined;
  jest.isolateModules(() => {
    if (fs) jest.doMock('fs', () => ({ ...jest.requireActual('fs'), ...fs }));
    report = require('../../src/validation').validateManifests(sources, options);
  });
  jest.dontMock('fs');
  return report!;
}

const messages = (report: ValidationReport) => report.findings.map((f) => `${f.rule} ${f.object.kind}/${f.object.name} ${f.path}: ${f.message}`);

describe('kept schema results (validator cache)', () => {
  let cache: string;
  beforeEach(() => { cache = mkdtempSync(join(tmpdir(), 'results-')); });
  afterEach(() => rmSync(cache, { recursive: true, force: true }));

  const configMap: ManifestSource[] = [{ file: 'cm.yaml', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, data: { a: 'b' }, datta: {} }] }];
  const options = (extra: ValidationOptions = {}): ValidationOptions => ({ schemaDir: SCHEMAS, kubernetesVersions: ['1.36.0'], validatorCacheDir: cache, ...extra });
  const resultFiles = () => readdirSync(cache, { recursive: true }).map(String).filter((f) => /results[\\/][^.][^/\\]*\.json$/.test(f));
  const doctorResults = () => {
    for (const file of resultFiles()) writeFileSync(join(cache, file), JSON.stringify([['schema.invalid', 'doctored', 'from the kept result']]));
  };

  test('give the same findings as checking afresh, in a later process too', () => {
    // Given objects with schema problems (and the file they came from)
    const sources = loadManifestFiles([join(FIXTURES, 'schema-invalid.yaml'), join(FIXTURES, 'schema-unknown-field.yaml')]).concat(configMap);
    const afresh = validateInNewProcess(sources, options({ validatorCacheDir: undefined }));
    // When they are validated with a cache, then again in a new process that reads what was kept
    const first = validateInNewProcess(sources, options());
    const second = validateInNewProcess(sources, options());
    // Then all three report exactly the same findings, one kept result per object and version
    expect(messages(afresh)).toEqual(expect.arrayContaining([expect.stringContaining('schema.invalid Deployment/web spec.replicas'), expect.stringContaining('schema.unknown-field ConfigMap/c datta')]));
    expect(first.findings).toEqual(afresh.findings);
    expect(second.findings).toEqual(afresh.findings);
    expect(resultFiles()).toHaveLength(3);
  });

  test('are what a later process reports for an unchanged object', () => {
    validateInNewProcess(configMap, options());
    // When the kept result says something else than the validator would
    doctorResults();
    // Then the kept one is reported: the object was not checked again
    expect(messages(validateInNewProcess(configMap, options()))).toContain('schema.invalid ConfigMap/c doctored: from the kept result');
  });

  test('are not reused for a changed object', () => {
    validateInNewProcess(configMap, options());
    doctorResults();
    const changed = [{ objects: [{ ...(configMap[0].objects[0] as object), data: { a: 'c' } }] }];
    expect(messages(validateInNewProcess(changed, options()))).toEqual(['schema.unknown-field ConfigMap/c datta: unknown field "datta" for Kubernetes 1.36.0']);
  });

  test('die with a change to the engine that turns verdicts into findings', () => {
    validateInNewProcess(configMap, options());
    doctorResults();
    // When schema.ts reads differently (an edit of the engine)
    const engineFile = require.resolve('../../src/validation/schema');
    const actual = jest.requireActual('fs') as typeof import('fs');
    const edited = ((path: any, ...rest: any[]) => (path === engineFile ? Buffer.from('// edited\n') : (actual.readFileSync as any)(path, ...rest))) as typeof actual.readFileSync;
    // Then the object is checked again
    expect(messages(validateInNewProcess(configMap, options(), { readFileSync: edited }))).toEqual(['schema.unknown-field ConfigMap/c datta: unknown field "datta" for Kubernetes 1.36.0']);
  });

  test('die with a change to the definitions', () => {
    validateInNewProcess(configMap, options());
    doctorResults();
    // When the definitions of that version change (one more definition)
    const schemas = mkdtempSync(join(tmpdir(), 'schemas-'));
    try {
      cpSync(join(SCHEMAS, 'v1.36.0'), join(schemas, 'v1.36.0'), { recursive: true });
      const file = join(schemas, 'v1.36.0/_definitions.json.gz');
      const definitions = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
      definitions.definitions['io.example.Unused'] = { type: 'object' };
      writeFileSync(file, gzipSync(JSON.stringify(definitions)));
      // Then the object is checked again
      expect(messages(validateInNewProcess(configMap, options({ schemaDir: schemas })))).toEqual(['schema.unknown-field ConfigMap/c datta: unknown field "datta" for Kubernetes 1.36.0']);
    } finally {
      rmSync(schemas, { recursive: true, force: true });
    }
  });
});
