import { execFileSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import * as ts from 'typescript';

// The synth path's build is plain JavaScript (it runs before anything is compiled).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { transpileStale, project } = require('../scripts/transpile.js') as {
  transpileStale(root: string): string[];
  project(root: string): { sources: { source: string; output: string }[] };
};

const ROOT = resolve(__dirname, '..');
const TSC = require.resolve('typescript/bin/tsc');

describe('npm run synth transpiles what changed (scripts/transpile.js)', () => {
  test('transpiles exactly the files `tsc -p tsconfig.json` emits, to the same paths', () => {
    // Given this project's tsconfig.json, as tsc reads it
    const parsed = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
    const tscOutputs = parsed.fileNames.flatMap((f) => ts.getOutputFileNames(parsed, f, false)).filter((f) => f.endsWith('.js')).sort();
    // Then the fast path writes the same JavaScript files
    expect(project(ROOT).sources.map(({ output }) => output).sort()).toEqual(tscOutputs);
  });

  describe('in a project', () => {
    let dir: string;
    const write = (file: string, text: string, ageSeconds: number) => {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
      const time = new Date(Date.now() - ageSeconds * 1000);
      utimesSync(join(dir, file), time, time);
    };
    const read = (file: string) => readFileSync(join(dir, file), 'utf8');

    beforeEach(() => {
      // Given a project compiled like this one (outDir lib, incremental build info in lib/)
      dir = mkdtempSync(join(tmpdir(), 'transpile-'));
      write('tsconfig.json', JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'commonjs', rootDir: '.', outDir: 'lib', strict: true, esModuleInterop: true, resolveJsonModule: true, incremental: true, tsBuildInfoFile: 'lib/.tsbuildinfo' },
        include: ['src/**/*.ts'], exclude: ['src/**/*.test.ts'],
      }), 300);
      write('src/a.ts', "import data from './data.json';\nexport const answer: number = data.value;\n", 200);
      write('src/data.json', '{ "value": 1 }\n', 200);
      write('src/a.test.ts', 'export {};\n', 200);
      write('src/types.d.ts', 'declare const x: number;\n', 200);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    test('a fresh clone (no lib/) gets every source, and the JSON modules they require', () => {
      // When nothing was compiled yet
      expect(transpileStale(dir)).toEqual([join(dir, 'src/a.ts')]);
      // Then lib/ holds strict CommonJS and the JSON beside it; excluded files and .d.ts get nothing
      const answer = () => { jest.resetModules(); return require(join(dir, 'lib/src/a.js')).answer; };
      expect(read('lib/src/a.js')).toMatch(/^"use strict";/);
      expect(answer()).toBe(1);
      expect(existsSync(join(dir, 'lib/src/a.test.js'))).toBe(false);
      expect(existsSync(join(dir, 'lib/src/types.js'))).toBe(false);
      // And nothing is stale afterwards
      expect(transpileStale(dir)).toEqual([]);
    });

    test('an edit after the last build transpiles that file only', () => {
      transpileStale(dir);
      write('src/b.ts', 'export const b = 2;\n', 200);
      write('lib/src/b.js', 'exports.b = 2;\n', 100);
      // When a.ts is edited after its output was written
      write('lib/src/a.js', read('lib/src/a.js'), 100);
      write('src/a.ts', "import data from './data.json';\nexport const answer: number = data.value + 1;\n", 50);
      // Then only a.ts is transpiled
      expect(transpileStale(dir)).toEqual([join(dir, 'src/a.ts')]);
      expect(read('lib/src/a.js')).toContain('.value + 1');
    });

    test('the next tsc writes a transpiled file again, even when its edit was reverted, and stays incremental', () => {
      // Given a project built by tsc (with its incremental build info)
      write('src/b.ts', "import { answer } from './a';\nexport const b = answer;\n", 200);
      execFileSync(process.execPath, [TSC, '-p', dir]);
      const built = read('lib/src/a.js');
      write('lib/src/a.js', built, 100);
      // When a.ts is edited, transpiled here, and the edit is then reverted
      write('src/a.ts', "import data from './data.json';\nexport const answer: number = data.value + 1;\n", 50);
      expect(transpileStale(dir)).toEqual([join(dir, 'src/a.ts')]);
      write('src/a.ts', "import data from './data.json';\nexport const answer: number = data.value;\n", 10);
      // Then the build info is kept, and tsc writes a.js again as it would from the reverted source
      expect(existsSync(join(dir, 'lib/.tsbuildinfo'))).toBe(true);
      execFileSync(process.execPath, [TSC, '-p', dir]);
      expect(read('lib/src/a.js')).toEqual(built);
    });

    test('a build info of another format is deleted, so the next tsc builds everything', () => {
      transpileStale(dir);
      write('lib/.tsbuildinfo', '{"program": {}}', 100);
      write('lib/src/a.js', read('lib/src/a.js'), 100);
      write('src/a.ts', 'export const answer = 2;\n', 50);
      transpileStale(dir);
      expect(existsSync(join(dir, 'lib/.tsbuildinfo'))).toBe(false);
    });

    test('an up-to-date lib/ keeps tsc\'s build info', () => {
      transpileStale(dir);
      write('lib/.tsbuildinfo', '{}', 0);
      expect(transpileStale(dir)).toEqual([]);
      expect(existsSync(join(dir, 'lib/.tsbuildinfo'))).toBe(true);
    });

    test.each([
      ['unset', undefined],
      ['set by the user', '1'],
    ])('esbuild\'s worker-thread setting, %s, is as it was afterwards', (_name, value) => {
      // Given the environment's setting (the transpile turns esbuild's worker threads off while it loads it)
      const before = process.env.ESBUILD_WORKER_THREADS;
      if (value === undefined) delete process.env.ESBUILD_WORKER_THREADS;
      else process.env.ESBUILD_WORKER_THREADS = value;
      try {
        // When a stale source is transpiled
        jest.isolateModules(() => {
          const { transpileStale: fresh } = require('../scripts/transpile.js');
          expect(fresh(dir)).toEqual([join(dir, 'src/a.ts')]);
        });
        // Then the app and everything it starts see the setting unchanged
        expect(process.env.ESBUILD_WORKER_THREADS).toBe(value);
      } finally {
        if (before === undefined) delete process.env.ESBUILD_WORKER_THREADS;
        else process.env.ESBUILD_WORKER_THREADS = before;
      }
    });

    test('a changed tsconfig.json makes every output stale', () => {
      transpileStale(dir);
      write('lib/src/a.js', read('lib/src/a.js'), 100);
      write('tsconfig.json', read('tsconfig.json'), 50);
      expect(transpileStale(dir)).toEqual([join(dir, 'src/a.ts')]);
    });

    test('a JSON module edited on its own is copied again', () => {
      transpileStale(dir);
      write('lib/src/data.json', read('lib/src/data.json'), 100);
      write('src/data.json', '{ "value": 3 }\n', 50);
      transpileStale(dir);
      expect(read('lib/src/data.json')).toContain('3');
    });
  });
});
