import { spawnSync } from 'child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { readFiles } from './example-synth';

const ROOT = resolve(__dirname, '..');

/** The vendored CRD files (crds/cdk8s.yaml is the import configuration, not a CRD). */
function crdFiles(): string[] {
  return readdirSync(join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml') && f !== 'cdk8s.yaml').sort();
}

/** Preloaded into the CLI: any attempt to reach the network fails the import. */
const NO_NETWORK = `
const fail = (what) => () => { throw new Error('network used during cdk8s import: ' + what); };
for (const m of ['net', 'tls']) { const mod = require(m); mod.connect = fail(m); mod.createConnection = fail(m); }
for (const m of ['http', 'https']) { const mod = require(m); mod.request = fail(m); mod.get = fail(m); }
globalThis.fetch = fail('fetch');
`;

describe('imports/', () => {
  test('is exactly what `cdk8s import` generates, offline, from the CRDs vendored in crds/', () => {
    // Given a copy of crds/ (its cdk8s.yaml and the CRD files) with nothing else, and a CLI that cannot reach the network
    const work = mkdtempSync(join(tmpdir(), 'imports-'));
    try {
      cpSync(join(ROOT, 'crds'), join(work, 'crds'), { recursive: true });
      writeFileSync(join(work, 'no-network.js'), NO_NETWORK);
      // When `cdk8s import` runs there with no spec (every entry of crds/cdk8s.yaml `imports:`), as the README says
      const result = spawnSync(join(ROOT, 'node_modules/.bin/cdk8s'), ['import', '--no-check-upgrade', '--output', '../imports'], {
        cwd: join(work, 'crds'), encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${join(work, 'no-network.js')}` },
      });
      expect({ status: result.status, error: result.status === 0 ? '' : result.stderr }).toEqual({ status: 0, error: '' });
      // Then it writes the committed files, byte for byte
      const committed = readFiles(join(ROOT, 'imports'));
      const fresh = readFiles(join(work, 'imports'));
      expect([...committed.keys()]).toEqual([...fresh.keys()]);
      for (const [file, text] of fresh) expect({ file, same: committed.get(file) === text }).toEqual({ file, same: true });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('crds/cdk8s.yaml imports every vendored CRD file, each under its own module name', () => {
    const imports: string[] = parse(readFileSync(join(ROOT, 'crds/cdk8s.yaml'), 'utf8')).imports;
    expect(imports.map((spec) => spec.split(':=')[1]).sort()).toEqual(crdFiles());
    expect(new Set(imports.map((spec) => spec.split(':=')[0])).size).toBe(imports.length);
  });

  test("the app's cdk8s.yaml imports nothing, so `cdk8s synth --format helm` does not put these CRDs in the chart", () => {
    expect(parse(readFileSync(join(ROOT, 'cdk8s.yaml'), 'utf8')).imports).toBeUndefined();
  });

  test('crds/README.md names every vendored file and its pinned tag', () => {
    const readme = readFileSync(join(ROOT, 'crds/README.md'), 'utf8');
    for (const file of crdFiles()) {
      expect({ file, listed: new RegExp(`\\| \`${file.replace(/\./g, '\\.')}\` \\|.*\\| v\\d+\\.\\d+\\.\\d+ \\(`).test(readme) }).toEqual({ file, listed: true });
      for (const doc of parseAllDocuments(readFileSync(join(ROOT, 'crds', file), 'utf8'))) {
        expect(doc.toJS()?.kind).toBe('CustomResourceDefinition');
      }
    }
  });
});
