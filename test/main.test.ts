import { spawnSync } from 'child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';

const ROOT = resolve(__dirname, '..');
const MAIN = join(ROOT, 'lib/src/main.js');

/** A project folder whose cdk8s.yaml runs the compiled default app (lib/ is compiled by jest's global setup). */
function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'main-'));
  writeFileSync(join(dir, 'cdk8s.yaml'), `language: typescript\napp: node ${MAIN}\noutput: dist\n`);
  return dir;
}

/** `cdk8s synth` in `dir`, as a user runs it: the CLI deletes dist/, then runs the app. */
function cdk8sSynth(dir: string, env: Record<string, string> = {}) {
  return spawnSync(join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
}

describe('the default app (lib/src/main.js)', () => {
  let dir: string;
  beforeEach(() => { dir = project(); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a config file that fails the schema: exit 1, the key named, nothing written', () => {
    // Given a config file with a misspelt key
    writeFileSync(join(dir, 'site.yaml'), 'wordpress:\n  replicaz: 2\n');
    // When the default app runs with it into a fresh output folder
    const result = spawnSync('node', [MAIN], { cwd: dir, encoding: 'utf8', env: { ...process.env, WORDPRESS_EKS_CONFIG: join(dir, 'site.yaml'), CDK8S_OUTDIR: join(dir, 'dist') } });
    // Then it fails naming the key, and writes neither manifests nor a kustomization (no fallback to defaults)
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('wordpress.replicaz: unknown key');
    expect(existsSync(join(dir, 'dist'))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['cdk8s.yaml', 'site.yaml']);
  });

  test('a failed synth leaves no kustomization listing the files `cdk8s synth` deleted', () => {
    // Given an earlier successful synth, with its kustomization beside dist/
    expect(cdk8sSynth(dir).status).toBe(0);
    expect(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).toContain('dist/wordpress.k8s.yaml');
    // When the next synth fails on its config
    writeFileSync(join(dir, 'site.yaml'), 'wordpress:\n  replicaz: 2\n');
    const result = cdk8sSynth(dir, { WORDPRESS_EKS_CONFIG: join(dir, 'site.yaml') });
    // Then dist/ is gone and so is the kustomization that listed it
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain('wordpress.replicaz: unknown key');
    expect(readdirSync(dir).sort()).toEqual(['cdk8s.yaml', 'site.yaml']);
  });

  test('a failed synth keeps a kustomization the synth did not write', () => {
    // Given a hand-written kustomization beside the output folder
    const handWritten = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [other/]\n';
    writeFileSync(join(dir, 'kustomization.yaml'), handWritten);
    mkdirSync(join(dir, 'dist'));
    // When a synth fails
    writeFileSync(join(dir, 'site.yaml'), 'wordpress:\n  replicaz: 2\n');
    const result = spawnSync('node', [MAIN, '--config', join(dir, 'site.yaml')], { cwd: dir, encoding: 'utf8', env: { ...process.env, CDK8S_OUTDIR: join(dir, 'dist') } });
    // Then that file is untouched
    expect(result.status).toBe(1);
    expect(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).toBe(handWritten);
  });
});
