import { spawnSync } from 'child_process';
import { findTool, Tool, testWithTool } from './support/tools';

describe('tools the tests run (helm, kubectl)', () => {
  // The layer's binaries are linux x86_64 (CI's platform); elsewhere this is visibly skipped.
  const layerPlatform = process.platform === 'linux' && process.arch === 'x64';
  (layerPlatform ? test.each : test.skip.each)(['helm', 'kubectl'] as const)('%s is available after npm ci on linux x86_64 (pinned in the dev dependencies)', (name) => {
    const tool = findTool(name);
    expect(tool).toMatchObject({ name, path: expect.stringContaining(`node_modules/.cache/cdk8s-wordpress-eks-tools/`) });
    const version = spawnSync((tool as { path: string }).path, ['version', '--client'], { encoding: 'utf8' });
    expect(version.status).toBe(0);
  });

  describe('a missing tool never passes silently', () => {
    const missing: Tool = { name: 'helm', missing: 'not installed' };
    const realTest = global.test;
    const savedCi = process.env.CI;
    let registered: { kind: string; name: string; fn: () => unknown }[];

    beforeEach(() => {
      registered = [];
      const fake: any = (name: string, fn: () => unknown) => registered.push({ kind: 'test', name, fn });
      fake.skip = (name: string, fn: () => unknown) => registered.push({ kind: 'skip', name, fn });
      global.test = fake;
    });
    afterEach(() => {
      global.test = realTest;
      if (savedCi === undefined) delete process.env.CI; else process.env.CI = savedCi;
    });

    test('on CI the test is defined and fails, naming the tool', () => {
      process.env.CI = 'true';
      testWithTool(missing)('renders', () => undefined);
      global.test = realTest;
      expect(registered.map((r) => r.kind)).toEqual(['test']);
      expect(registered[0].fn).toThrow('helm is missing: not installed');
    });

    test('elsewhere it is skipped, and the name says why', () => {
      delete process.env.CI;
      testWithTool(missing)('renders', () => undefined);
      global.test = realTest;
      expect(registered).toEqual([expect.objectContaining({ kind: 'skip', name: 'renders [skipped: helm is missing: not installed]' })]);
    });
  });
});
