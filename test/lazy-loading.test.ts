import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, relative, resolve } from 'path';

// What a synth loads decides most of its start-up time: these tests run the compiled code (lib/,
// compiled by jest's global setup) in a fresh node and read its module cache, which jest's own
// module registry would hide.

const ROOT = resolve(__dirname, '..');

/** Modules a synth that does not use them must not load: each is loaded where it is first needed. */
const LOADED_ONLY_WHEN_USED: [string, RegExp][] = [
  ['the yaml package (cdk8s bundles its own copy, which is loaded anyway)', /^node_modules\/yaml\//],
  ['Ajv (config file checks)', /^node_modules\/ajv\//],
  ['the config file schema', /^lib\/src\/config\/app-config\.schema\.json$/],
  ['the custom resource bindings (External Secrets, Prometheus Operator, security groups for pods)', /^lib\/imports\//],
  ['the validation engine', /^lib\/src\/validation\/(?!located-object\.js$)/],
];

/** Runs `script` in a fresh node process from a temporary folder; returns the modules it loaded, relative to the project. */
function modulesLoadedBy(script: string, env: Record<string, string> = {}): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'lazy-'));
  try {
    const report = `process.on('exit', () => process.stdout.write(JSON.stringify(Object.keys(require.cache))));\n`;
    const result = spawnSync('node', ['-e', report + script], {
      cwd: dir, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: join(dir, 'dist'), ...env },
    });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    return (JSON.parse(result.stdout) as string[]).map((file) => relative(ROOT, file).split('\\').join('/'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function loadedAmong(modules: string[], pattern: RegExp): string[] {
  return modules.filter((file) => pattern.test(file));
}

describe('a synth loads only what it uses', () => {
  const lib = JSON.stringify(join(ROOT, 'lib/src'));
  const defaultApp = modulesLoadedBy(`require(${lib} + '/main.js');`);
  const asLibrary = modulesLoadedBy(`
    const { chartPropsFromConfig, LinearSynthApp, ObservabilityChart, WordPressChart, writeSynthExtras } = require(${lib} + '/index.js');
    const app = new LinearSynthApp();
    new WordPressChart(app, 'wordpress', chartPropsFromConfig({}));
    new ObservabilityChart(app, 'observability');
    app.synth();
    writeSynthExtras(app);
  `);

  test('the runs synthesized: the charts and the manifest writer were loaded', () => {
    for (const modules of [defaultApp, asLibrary]) {
      expect(modules).toContain('lib/charts/wordpress-chart.js');
      expect(modules).toContain('lib/src/synth/manifest-yaml.js');
    }
  });

  test.each(LOADED_ONLY_WHEN_USED)('the default app (lib/src/main.js) without a config file does not load %s', (_what, pattern) => {
    // Given the default app run as `cdk8s synth` runs it
    // When it has synthesized
    // Then the module was never loaded
    expect(loadedAmong(defaultApp, pattern)).toEqual([]);
  });

  test.each(LOADED_ONLY_WHEN_USED)('the package entry synthesizing the default charts does not load %s', (_what, pattern) => {
    // Given the package required as a library, and the default charts built and synthesized with it
    // When it has synthesized
    // Then the module was never loaded
    expect(loadedAmong(asLibrary, pattern)).toEqual([]);
  });

  test('with a config file, the default app loads the parser, Ajv and the schema it needs', () => {
    // Given a config file
    const dir = mkdtempSync(join(tmpdir(), 'lazy-config-'));
    try {
      const config = join(dir, 'site.yaml');
      writeFileSync(config, 'namespace: blog\n');
      // When the default app runs with it
      const modules = modulesLoadedBy(`require(${lib} + '/main.js');`, { WORDPRESS_EKS_CONFIG: config });
      // Then the loads deferred for a plain synth happen
      expect(loadedAmong(modules, /^node_modules\/yaml\/dist\/index\.js$/)).toHaveLength(1);
      expect(loadedAmong(modules, /^node_modules\/ajv\/dist\/ajv\.js$/)).toHaveLength(1);
      expect(modules).toContain('lib/src/config/app-config.schema.json');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
