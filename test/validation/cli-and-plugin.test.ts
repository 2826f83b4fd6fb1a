import { spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { RULES } from '../../src/validation';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'lib/src/validation/cli.js');
/** The project's own gzipped definitions, given explicitly to exercise --schema-dir. */
const SCHEMAS = join(ROOT, 'schemas/k8s');
const BROKEN = join(ROOT, 'test/fixtures/validation/broken');

/** The compiled CLI, as `npm run validate --` runs it (lib/ is compiled by `npm test`). */
function cli(...args: string[]) {
  return spawnSync('node', [CLI, ...args], { encoding: 'utf8' });
}

describe('npm run validate', () => {
  test('exits 0 on the project output', () => {
    const result = cli('--schema-dir', SCHEMAS, '--k8s-versions', '1.28.0,1.36.0', join(ROOT, 'dist'));
    expect(result.stdout).toContain(' 0 errors, 0 warnings, 0 skipped');
    expect(result.status).toBe(0);
  });

  test('exits 1 with a report naming file, object, path, rule and fix', () => {
    const result = cli('--schema-dir', SCHEMAS, join(BROKEN, 'policy-image-pinned.yaml'));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`ERROR ${join(BROKEN, 'policy-image-pinned.yaml')}: Deployment/default/web spec.template.spec.containers[0].image: image "nginx:latest" is not pinned to a version tag or digest [policy.image-pinned]`);
    expect(result.stdout).toContain('fix: Pin a version tag or a sha256 digest.');
  });

  test('--format json gives the structured report', () => {
    const result = cli('--format', 'json', '--schema-dir', SCHEMAS, join(BROKEN, 'semantic-duplicate.yaml'));
    const report = JSON.parse(result.stdout);
    expect(report.errorCount).toBe(1);
    expect(report.findings[0]).toMatchObject({ rule: 'semantic.duplicate', path: 'metadata.name', object: { kind: 'ConfigMap', name: 'cm' } });
  });

  test('--rule and --external change the verdict', () => {
    expect(cli('--rule', 'policy.image-pinned=off', join(BROKEN, 'policy-image-pinned.yaml')).status).toBe(0);
    expect(cli('--external', 'Secret/default/missing', join(BROKEN, 'semantic-missing-reference.yaml')).status).toBe(0);
  });

  test.each([
    [[], 'no PATH given'],
    [['--format', 'xml', 'dist'], '--format: "xml" is not text or json'],
    [['--k8s-versions', '1.28', 'dist'], '--k8s-versions: "1.28" is not a version such as 1.28.0'],
    [['--rule', 'nope=off', 'dist'], '--rule: unknown rule "nope"'],
    [['--rule', 'policy.probes=loud', 'dist'], '--rule policy.probes: level "loud" is not error, warning or off'],
    [['--bogus', 'dist'], 'unknown option --bogus'],
    [['/no/such/path'], 'ENOENT'],
  ])('exits 2 on a usage error: %j', (args, message) => {
    const result = cli(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('the cdk8s validation plugin', () => {
  test('`cdk8s synth` fails on an injected violation and prints the report', () => {
    // Given an app that writes an unpinned image, with the plugin listed in its cdk8s.yaml
    const work = mkdtempSync(join(tmpdir(), 'plugin-'));
    try {
      writeFileSync(join(work, 'main.js'), [
        `const { App, Chart, ApiObject } = require(${JSON.stringify(require.resolve('cdk8s'))});`,
        'const app = new App(); const chart = new Chart(app, "bad");',
        'new ApiObject(chart, "cm", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings", namespace: "default" }, data: { DB_PASSWORD: "hunter2" } });',
        'app.synth();',
      ].join('\n'));
      writeFileSync(join(work, 'cdk8s.yaml'), [
        'language: typescript', 'app: node main.js', 'validations:',
        `  - package: ${join(ROOT, 'lib/src/validation/plugin.js')}`, '    version: 0.1.0', '    class: WordPressEksValidation',
      ].join('\n'));
      // When it synthesizes
      const result = spawnSync(join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade'], { cwd: work, encoding: 'utf8' });
      // Then the synth fails and the report names the rule and the object
      expect(result.status).not.toBe(0);
      const output = `${result.stdout}${result.stderr}`;
      expect(output).toContain('policy.credential-value');
      expect(output).toContain('ConfigMap/default/settings');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe('docs/validation.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/validation.md'), 'utf8');

  test('documents every rule with its default severity', () => {
    for (const rule of RULES) expect(doc).toContain(`| \`${rule.id}\` | ${rule.severity} |`);
  });

  test('documents every flag of the CLI', () => {
    const flags = [...readFileSync(join(ROOT, 'src/validation/cli.ts'), 'utf8').matchAll(/case '(--[a-z0-9-]+)'/g)].map((m) => m[1]).filter((f) => f !== '--help');
    expect(flags.length).toBeGreaterThan(8);
    for (const flag of flags) expect(doc).toContain(`\`${flag}`);
  });
});

describe('the compiled-validator cache', () => {
  test('a warm cache gives exactly the findings of a cold compile', () => {
    // Given an empty cache directory
    const cache = mkdtempSync(join(tmpdir(), 'validators-'));
    try {
      const run = () => spawnSync('node', [CLI, '--format', 'json', '--strict', BROKEN], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache } });
      // When the whole broken corpus is validated by a process that compiles, then by one that reads the cache
      const cold = run();
      const warm = run();
      // Then the cache holds the compiled definitions and both reports are identical
      expect(readdirSync(join(cache, 'cdk8s-wordpress-eks', 'validators')).length).toBe(2);
      expect(JSON.parse(cold.stdout).errorCount).toBeGreaterThan(25);
      expect(warm.stdout).toEqual(cold.stdout);
      expect(spawnSync('node', [CLI, '--format', 'json', '--strict', '--no-validator-cache', BROKEN], { encoding: 'utf8' }).stdout).toEqual(cold.stdout);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
