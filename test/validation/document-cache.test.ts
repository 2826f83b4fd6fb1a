import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parseManifest } from '../../src/validation';
import { DocumentCache } from '../../src/validation/document-cache';

const ROOT = resolve(__dirname, '../..');

describe('parsed documents kept between synths (DocumentCache)', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'documents-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const texts: [string, string][] = [
    ['the committed default app', readFileSync(join(ROOT, 'dist/wordpress.k8s.yaml'), 'utf8')],
    ['a block scalar, comments and an empty document', 'a: |\n  line\n  --- not a marker\n# comment\n---\n---\nb: 1\n--- # trailing\nc: [1, 2]\n'],
    ['a List, expanded into its items', 'kind: ConfigMapList\napiVersion: v1\nitems:\n  - { kind: ConfigMap, apiVersion: v1, metadata: { name: a } }\n'],
    ['values JSON cannot hold (not cached, still parsed)', 'a: .inf\nb: -0\nc: .nan\n'],
    ['a %YAML directive (not cut into documents)', '%YAML 1.1\n---\na: yes\n---\nb: 1\n'],
    ['`...` end markers (not cut into documents)', 'a: 1\n...\n---\nb: 2\n'],
    ['a document marker with content on its line', '--- |\n  text\n--- !!str\nplain\n'],
  ];

  test.each(texts)('%s: the same objects as parsing without a cache, from the cache too', (_name, text) => {
    // Given the objects of a plain parse
    const plain = parseManifest(text, 'f.yaml');
    // When the text is parsed through a cache, then again through a new cache on the same directory
    const first = parseManifest(text, 'f.yaml', new DocumentCache(dir));
    const second = parseManifest(text, 'f.yaml', new DocumentCache(dir));
    // Then both give exactly the plain objects
    expect(first).toEqual(plain);
    expect(second).toEqual(plain);
    expect(Object.is((second[0] as any)?.b, (plain[0] as any)?.b)).toBe(true);
  });

  test('a later process reads each document from disk instead of parsing it', () => {
    // Given a cache directory filled by one parse
    parseManifest('a: 1\n---\nb: 2\n', 'f.yaml', new DocumentCache(dir, 'p1'));
    const entries = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(entries).toHaveLength(2);
    // When an entry holds another value than the text would parse to (only a read can tell)
    for (const entry of entries) writeFileSync(join(dir, entry), JSON.stringify({ from: 'disk' }));
    // Then a cache of the same parser in a fresh process answers from disk
    jest.isolateModules(() => {
      const { DocumentCache: Fresh } = require('../../src/validation/document-cache');
      expect(parseManifest('a: 1\n---\nb: 2\n', 'f.yaml', new Fresh(dir, 'p1'))).toEqual([{ from: 'disk' }, { from: 'disk' }]);
      // And another parser (a new yaml version or splitting rule) does not see those entries
      expect(parseManifest('a: 1\n---\nb: 2\n', 'f.yaml', new Fresh(dir, 'p2'))).toEqual([{ a: 1 }, { b: 2 }]);
    });
  });

  test('by default the parser is the yaml version and the format', () => {
    const { version } = require('yaml/package.json');
    const cache = new DocumentCache(dir);
    cache.set('a: 1\n', { a: 1 });
    expect(new DocumentCache(dir, `documents-1/yaml@${version}`).get('a: 1\n')).toEqual({ value: { a: 1 } });
  });

  test('a document with errors fails with the same message as without a cache', () => {
    const text = 'a: 1\n---\nb: [1, 2\n';
    expect(() => parseManifest(text, 'f.yaml')).toThrow();
    const message = (() => { try { parseManifest(text, 'f.yaml'); } catch (e) { return (e as Error).message; } return ''; })();
    expect(() => parseManifest(text, 'f.yaml', new DocumentCache(dir))).toThrow(message);
  });

  test('values are fresh copies: a caller changing one does not change the next', () => {
    const cache = new DocumentCache(dir);
    const [first] = parseManifest('a: { b: 1 }\n', 'f.yaml', cache) as any[];
    first.a.b = 2;
    expect(parseManifest('a: { b: 1 }\n', 'f.yaml', cache)).toEqual([{ a: { b: 1 } }]);
  });
});
