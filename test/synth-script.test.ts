import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { readFiles } from './example-synth';

const ROOT = resolve(__dirname, '..');
const SYNTH = join(ROOT, 'scripts/synth.js');
const CDK8S = join(ROOT, 'node_modules/.bin/cdk8s');
const PLUGIN = join(ROOT, 'lib/src/validation/plugin.js');

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** An object the strict schema refuses: a ConfigMap has no `spec`. */
const BAD_OBJECT = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n  namespace: site\nspec:\n  replicas: 1\n';

describe('npm run synth (scripts/synth.js): cdk8s synth in one process', () => {
  test('writes byte for byte what `cdk8s synth` wrote into dist/, with the kustomization and apply script beside it', () => {
    // Given the project as committed (dist/ is what `cdk8s synth` writes: test/dist.test.ts)
    const work = mkdtempSync(join(tmpdir(), 'synth-script-'));
    try {
      // When the script synthesizes into another folder
      const result = run(process.execPath, [SYNTH, '--output', join(work, 'dist')], ROOT);
      // Then it passes the validation plugin and writes the same files, and the same files beside them
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('Validations ended successfully');
      expect(readFiles(join(work, 'dist'))).toEqual(readFiles(join(ROOT, 'dist')));
      for (const beside of ['kustomization.yaml', 'apply.sh']) {
        expect({ beside, text: readFileSync(join(work, beside), 'utf8') }).toEqual({ beside, text: readFileSync(join(ROOT, beside), 'utf8') });
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  describe('in a project of its own', () => {
    let dir: string;
    const project = (app: string, appScript: string, validations: object[]) => {
      writeFileSync(join(dir, 'app.js'), appScript);
      writeFileSync(join(dir, 'cdk8s.yaml'), JSON.stringify({ language: 'typescript', app, output: 'out', validations }));
    };
    const writesObject = (yaml: string) => [
      "const { mkdirSync, writeFileSync } = require('fs');",
      'const out = process.env.CDK8S_OUTDIR;',
      'mkdirSync(out, { recursive: true });',
      `writeFileSync(out + '/app.k8s.yaml', ${JSON.stringify(yaml)} + '# args: ' + JSON.stringify(process.argv.slice(2)) + '\\n');`,
    ].join('\n');
    const plugin = { package: PLUGIN, version: '0.1.0', class: 'WordPressEksValidation', properties: { previous: false, kubernetesVersions: ['1.36.0'] } };

    beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'synth-script-project-')); });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    test('a plugin\'s error fails the synth with exit code 2 and its report, as under `cdk8s synth`', () => {
      // Given an app that writes an object the validation plugin refuses
      project('node app.js', writesObject(BAD_OBJECT), [plugin]);
      // When both synthesize it
      const script = run(process.execPath, [SYNTH], dir);
      const cli = run(CDK8S, ['synth', '--no-check-upgrade'], dir);
      // Then both fail the same way, naming the rule and the object, after writing the app's output
      expect(script.status).toBe(2);
      expect(cli.status).toBe(2);
      expect(script.stderr).toContain('Validation failed. See above reports for details');
      expect(script.stdout).toContain('  - out/app.k8s.yaml');
      const rules = (stdout: string) => [...stdout.matchAll(/\[1m([a-z.-]+) \(\d+ occurrences\)/g)].map((m) => m[1]);
      expect(rules(script.stdout).length).toBeGreaterThan(0);
      expect(rules(script.stdout)).toEqual(rules(cli.stdout));
      expect(script.stdout).toContain('Resource Name: ConfigMap/site/bad');
    });

    test('--no-validate skips the plugins, and the app gets no arguments, as under the CLI', () => {
      project('node app.js', writesObject(BAD_OBJECT), [plugin]);
      const result = run(process.execPath, [SYNTH, '--no-validate'], dir);
      expect(result.status).toBe(0);
      expect(result.stdout).not.toContain('Performing validations');
      expect(readFileSync(join(dir, 'out/app.k8s.yaml'), 'utf8')).toContain('# args: []');
    });

    test('an app that fails ends the synth with its own message and exit code, before any validation', () => {
      project('node app.js', "process.stderr.write('spec.replicas: -1 is not allowed\\n');\nprocess.exit(1);\n", [plugin]);
      const result = run(process.execPath, [SYNTH], dir);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('spec.replicas: -1 is not allowed');
      expect(result.stdout).not.toContain('Performing validations');
    });

    test('the output folder is emptied before the app runs', () => {
      project('node app.js', writesObject('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: site\n'), []);
      expect(run(process.execPath, [SYNTH], dir).status).toBe(0);
      writeFileSync(join(dir, 'out/left-over.k8s.yaml'), BAD_OBJECT);
      const result = run(process.execPath, [SYNTH], dir);
      expect(result.status).toBe(0);
      expect(Object.fromEntries(readFiles(join(dir, 'out')))).toEqual({ 'app.k8s.yaml': expect.stringContaining('kind: Namespace') });
    });

    test('an app command other than `node <file>` is handed to `cdk8s synth`', () => {
      project('node app.js --verbose', writesObject('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: site\n'), []);
      const result = run(process.execPath, [SYNTH], dir);
      expect(result.stdout).toContain('app: "node app.js --verbose" is not "node <file>": running cdk8s synth');
      expect(result.status).toBe(0);
      expect(readFileSync(join(dir, 'out/app.k8s.yaml'), 'utf8')).toContain('# args: ["--verbose"]');
    });

    test.each([
      ['an option of `cdk8s synth` it does not take', ['--stdout'], 'unknown option "--stdout"'],
      ['--output without a folder', ['--output'], '--output needs a folder'],
    ])('%s is refused before anything is written', (_name, args, message) => {
      project('node app.js', writesObject(BAD_OBJECT), []);
      const result = run(process.execPath, [SYNTH, ...args], dir);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain('npx cdk8s synth');
      expect(existsSync(join(dir, 'out'))).toBe(false);
    });
  });
});
