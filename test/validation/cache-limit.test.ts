import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

/** A fresh copy of the module: it checks each directory once per process. */
function freshLimit(): typeof import('../../src/validation/cache-limit') {
  let module!: typeof import('../../src/validation/cache-limit');
  jest.isolateModules(() => { module = require('../../src/validation/cache-limit'); });
  return module;
}

/** `count` entries, entry-0 written first (one second apart). */
function fill(dir: string, count: number): void {
  for (let i = 0; i < count; i++) {
    const file = join(dir, `entry-${i}.json`);
    writeFileSync(file, '{}');
    utimesSync(file, 1_000_000 + i, 1_000_000 + i);
  }
}

describe('the parsed-document and schema-result caches stay bounded', () => {
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'cache-limit-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a directory over the limit keeps the newest half', () => {
    // Given 12 entries and a limit of 10
    fill(dir, 12);
    // When a process is about to add to it
    freshLimit().limitCacheEntries(dir, 10);
    // Then the 5 written last remain
    expect(readdirSync(dir).sort()).toEqual(['entry-10.json', 'entry-11.json', 'entry-7.json', 'entry-8.json', 'entry-9.json']);
  });

  test('a directory at the limit, and files that are not entries, are left alone', () => {
    // Given 10 entries, a limit of 10, and a temporary file of a concurrent writer
    fill(dir, 10);
    writeFileSync(join(dir, '.entry-99.json.1234'), '{');
    // When checked
    freshLimit().limitCacheEntries(dir, 10);
    // Then nothing is removed
    expect(readdirSync(dir)).toHaveLength(11);
  });

  test('a directory is listed once per process, not on every write', () => {
    // Given a process that already checked the directory
    const { limitCacheEntries } = freshLimit();
    limitCacheEntries(dir, 10);
    fill(dir, 12);
    // When it checks again
    limitCacheEntries(dir, 10);
    // Then nothing is removed until the next process
    expect(readdirSync(dir)).toHaveLength(12);
  });

  test('a missing directory is not an error', () => {
    expect(() => freshLimit().limitCacheEntries(join(dir, 'absent'), 10)).not.toThrow();
  });

  test('the document cache applies the limit when it adds an entry', () => {
    // Given a document cache directory over the limit
    const { MAX_CACHE_ENTRIES } = freshLimit();
    fill(dir, MAX_CACHE_ENTRIES + 1);
    let DocumentCache!: typeof import('../../src/validation/document-cache').DocumentCache;
    jest.isolateModules(() => { ({ DocumentCache } = require('../../src/validation/document-cache')); });
    // When a synth keeps a new document
    new DocumentCache(dir).set('a: 1\n', { a: 1 });
    // Then the oldest half is gone and the new entry is kept
    expect(readdirSync(dir)).toHaveLength(Math.floor(MAX_CACHE_ENTRIES / 2) + 1);
    expect(readdirSync(dir)).not.toContain('entry-0.json');
  });
});
