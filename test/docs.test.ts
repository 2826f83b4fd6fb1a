import { execFileSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '..');

interface Reflection { name: string; kind: number; children?: Reflection[]; comment?: { summary?: unknown[]; blockTags?: { tag: string }[] }; flags?: { isOptional?: boolean } }
const INTERFACE = 256;
const PROPERTY = 1024;

describe('API reference', () => {
  let work: string;
  let project: Reflection;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'docs-'));
    execFileSync(join(ROOT, 'node_modules/.bin/typedoc'), ['--out', join(work, 'api'), '--json', join(work, 'api.json')], { cwd: ROOT, stdio: 'pipe' });
    project = JSON.parse(readFileSync(join(work, 'api.json'), 'utf8'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('docs/api is what typedoc generates from the sources now', () => {
    const committed = readdirSync(join(ROOT, 'docs/api')).sort();
    expect(readdirSync(join(work, 'api')).sort()).toEqual(committed);
    for (const file of committed) {
      expect({ file, text: readFileSync(join(ROOT, 'docs/api', file), 'utf8') }).toEqual({ file, text: readFileSync(join(work, 'api', file), 'utf8') });
    }
  });

  test('every optional prop of every exported props interface has a description and an @default', () => {
    const missing: string[] = [];
    for (const iface of (project.children ?? []).filter((c) => c.kind === INTERFACE)) {
      for (const prop of (iface.children ?? []).filter((c) => c.kind === PROPERTY)) {
        if (!prop.comment?.summary?.length) missing.push(`${iface.name}.${prop.name}: no description`);
        if (prop.flags?.isOptional && !prop.comment?.blockTags?.some((t) => t.tag === '@default')) missing.push(`${iface.name}.${prop.name}: no @default`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('user docs', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

  test.each(['README.md', 'docs/validation.md'])('%s shows how to run every command the package installs', (doc) => {
    // `npm run validate` exists only in this repository; users run the package's bin.
    const text = readFileSync(join(ROOT, doc), 'utf8');
    const bins = Object.keys(pkg.bin ?? {});
    expect(bins.length).toBeGreaterThan(0);
    for (const bin of bins) expect({ bin, shown: text.includes(`npx ${bin} `) }).toEqual({ bin, shown: true });
  });
});
