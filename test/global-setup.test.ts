import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { compileIfStale, staleSources } from './support/compile';

const ROOT = resolve(__dirname, '..');

describe('compiled code under test', () => {
  let project: string;
  const source = () => join(project, 'src/a.ts');
  const output = () => readFileSync(join(project, 'lib/src/a.js'), 'utf8');
  const setAge = (file: string, seconds: number) => {
    const time = new Date(Date.now() - seconds * 1000);
    utimesSync(file, time, time);
  };
  /** An edit made after the last compile: the output is 100 s old, the source 50 s. */
  const editAfterCompile = (text: string) => {
    setAge(join(project, 'lib/src/a.js'), 100);
    writeFileSync(source(), text);
    setAge(source(), 50);
  };

  beforeAll(() => {
    // Given a project compiled like this one (tsconfig.json, outDir lib, incremental)
    project = mkdtempSync(join(tmpdir(), 'compile-'));
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { outDir: 'lib', rootDir: '.', module: 'commonjs', incremental: true, tsBuildInfoFile: 'lib/.tsbuildinfo', types: [] },
      include: ['src/**/*.ts'],
    }));
    writeFileSync(source(), 'export const answer = 1;\n');
    setAge(source(), 200);
    setAge(join(project, 'tsconfig.json'), 200);
  });
  afterAll(() => rmSync(project, { recursive: true, force: true }));

  test('jest compiles before any test runs', () => {
    expect(require(join(ROOT, 'jest.config.js')).globalSetup).toBe('<rootDir>/test/support/global-setup.ts');
  });

  test('missing output is compiled', () => {
    expect(staleSources(project)).toEqual([source()]);
    expect(compileIfStale(project)).toBe(true);
    expect(output()).toContain('answer = 1');
  });

  test('a source edited after the last compile is recompiled, as under `npx jest FILE`', () => {
    // When the source changes after its output was written
    editAfterCompile('export const answer = 2;\n');
    // Then it is stale, and the setup compiles it
    expect(staleSources(project)).toEqual([source()]);
    expect(compileIfStale(project)).toBe(true);
    expect(output()).toContain('answer = 2');
  });

  test('up-to-date output costs no compile, even after a touch that changed no content', () => {
    // When a source is touched without a change (tsc --incremental then writes nothing)
    editAfterCompile('export const answer = 2;\n');
    expect(compileIfStale(project)).toBe(true);
    // Then the next run finds nothing stale
    expect(staleSources(project)).toEqual([]);
    expect(compileIfStale(project)).toBe(false);
  });
});
