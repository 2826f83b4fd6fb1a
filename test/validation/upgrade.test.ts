import { execFileSync, spawnSync } from 'child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { App } from 'cdk8s';
import { buildDefaultApp } from '../../src/app';
import { AppConfig } from '../../src/config/app-config';
import { checkUpgrade, Finding, loadManifestFiles, previousFromGit, RULES, validateManifests } from '../../src/validation';
import { SCHEMA_DIR } from '../support/validity';

const ROOT = resolve(__dirname, '../..');
const CASES = join(ROOT, 'test/fixtures/upgrade');
const CLI = join(ROOT, 'lib/src/validation/cli.js');

const describeFinding = (f: Finding) => `${f.rule} ${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name} ${f.path || '-'}`;

/** The `# expect: RULE Kind/namespace/name PATH` lines of a case's new output. */
function expected(dir: string): string[] {
  return [...readFileSync(join(dir, 'new/manifest.yaml'), 'utf8').matchAll(/^# expect: (upgrade\.\S+ \S+ \S+)$/gm)].map((m) => m[1]).sort();
}

const cases = readdirSync(CASES).sort();
const gate = (dir: string) => checkUpgrade(loadManifestFiles([join(dir, 'old')]), loadManifestFiles([join(dir, 'new')]));

describe('the upgrade corpus', () => {
  test('has a failing pair for every upgrade rule', () => {
    const covered = new Set(cases.flatMap((c) => expected(join(CASES, c)).map((e) => e.split(' ')[0])));
    expect(RULES.filter((r) => r.id.startsWith('upgrade.')).map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  test.each(cases.filter((c) => !c.startsWith('clean-')))('%s fires exactly its rules at their paths, each with a migration', (name) => {
    // Given the output applied and a new one with one planted change
    const dir = join(CASES, name);
    // When the gate compares them
    const report = gate(dir);
    // Then exactly the expected findings come out, as errors with the commands of their migration
    expect(report.findings.map(describeFinding).sort()).toEqual(expected(dir));
    for (const finding of report.findings) {
      expect(finding.severity).toBe('error');
      expect(finding.migration).toMatch(/kubectl/);
    }
  });

  test.each(cases.filter((c) => c.startsWith('clean-')))('%s passes', (name) => {
    expect(gate(join(CASES, name)).findings).toEqual([]);
  });

  test('immutable-field findings quote the API server rule they come from', () => {
    const messages = ['statefulset-service-name', 'claim-access-mode', 'deployment-selector', 'storage-class-parameters']
      .map((c) => gate(join(CASES, c)).findings[0].message);
    expect(messages[0]).toContain('ValidateStatefulSetUpdate: "updates to statefulset spec for fields other than');
    expect(messages[1]).toContain('ValidatePersistentVolumeClaimUpdate: "spec is immutable after creation except resources.requests');
    expect(messages[2]).toContain('ValidateDeploymentUpdate: spec.selector "field is immutable"');
    expect(messages[3]).toContain('"updates to parameters are forbidden."');
  });

  test('a rule can be re-levelled, e.g. to acknowledge a migration done by hand', () => {
    const dir = join(CASES, 'volume-layout');
    const report = checkUpgrade(loadManifestFiles([join(dir, 'old')]), loadManifestFiles([join(dir, 'new')]), { rules: { 'upgrade.volume-layout': 'warning' } });
    expect(report).toMatchObject({ errorCount: 0, warningCount: 1 });
  });
});

describe('the default app across an upgrade', () => {
  const work = mkdtempSync(join(tmpdir(), 'upgrade-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Synthesizes the default app with `config` into a directory of its own. */
  function synth(name: string, config: AppConfig = {}): string {
    const outdir = join(work, name);
    buildDefaultApp(new App({ outdir }), config).synth();
    return outdir;
  }
  const before = synth('before');
  const upgrade = (after: string) => validateManifests(loadManifestFiles([after]), { schemaDir: SCHEMA_DIR, previous: loadManifestFiles([before]), applyPath: after });

  test('growing the MySQL volume from 20Gi to 30Gi fails on the StatefulSet rule, with the PVC patch and orphan delete', () => {
    const report = upgrade(synth('mysql-30Gi', { mysql: { storage: { size: '30Gi' } } }));
    expect(report.findings.map(describeFinding)).toEqual([
      'upgrade.statefulset-immutable StatefulSet/wordpress/wordpress-mysql spec.volumeClaimTemplates[0].spec.resources.requests.storage',
    ]);
    expect(report.findings[0].migration).toContain('"storage":"30Gi"');
    expect(report.findings[0].migration).toContain('kubectl -n wordpress delete statefulset wordpress-mysql --cascade=orphan');
  });

  test('a WordPress image tag bump passes', () => {
    const after = synth('wordpress-tag', { wordpress: { image: 'wordpress:7.1.2-php8.3-apache' } });
    expect(readFileSync(join(after, 'wordpress.k8s.yaml'), 'utf8')).toContain('image: wordpress:7.1.2-php8.3-apache');
    const report = upgrade(after);
    expect(report.findings).toEqual([]);
  });

  test('the content claim moving from /var/www/html to wp-content (subPath) is flagged as a layout change that keeps wp-content in place', () => {
    // Given the site's Deployment with the content claim holding all of /var/www/html, then only wp-content
    const withContentMount = (mount: object) => loadManifestFiles([before]).map((source) => ({
      ...source,
      objects: source.objects.map((o: any) => {
        if (o.kind !== 'Deployment') return o;
        const copy = JSON.parse(JSON.stringify(o));
        const mounts = copy.spec.template.spec.containers[0].volumeMounts;
        mounts[mounts.findIndex((m: any) => m.name === 'content')] = { name: 'content', ...mount };
        return copy;
      }),
    }));
    // When the gate compares them
    const report = checkUpgrade(withContentMount({ mountPath: '/var/www/html' }), withContentMount({ mountPath: '/var/www/html/wp-content', subPath: 'wp-content' }));
    // Then the layout rule fires on that mount, saying the files under wp-content stay where they were
    expect(report.findings.map(describeFinding)).toEqual([expect.stringMatching(/^upgrade\.volume-layout Deployment\/wordpress\/wordpress spec\.template\.spec\.containers\[0\]\.volumeMounts\[\d+\]$/)]);
    expect(report.findings[0].message).toContain('the files under /var/www/html/wp-content stay where they were');
  });

  test('a namespace rename fails: the old namespace keeps the data', () => {
    const report = upgrade(synth('renamed', { namespace: 'blog' }));
    expect(report.findings.map(describeFinding)).toEqual(['upgrade.data-removed Namespace/wordpress -']);
    expect(report.findings[0].message).toContain('Namespace/blog instead');
    expect(report.findings[0].migration).toContain('mysqldump');
  });
});

describe('npm run validate -- --previous', () => {
  const cli = (...args: string[]) => spawnSync('node', [CLI, '--schema-dir', SCHEMA_DIR, ...args], { encoding: 'utf8', cwd: ROOT });
  const storageGrowth = join(CASES, 'statefulset-storage-growth');

  test('exits 0 when nothing changes', () => {
    expect(cli('--previous', join(ROOT, 'dist'), join(ROOT, 'dist')).status).toBe(0);
  });

  test('exits 1 with rule, object, path and the migration', () => {
    const result = cli('--previous', join(storageGrowth, 'old'), join(storageGrowth, 'new'));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('StatefulSet/site/db spec.volumeClaimTemplates[0].spec.resources.requests.storage: claim template "data" storage request grows from 20Gi to 30Gi');
    expect(result.stdout).toContain('[upgrade.statefulset-immutable]');
    expect(result.stdout).toContain(`    migration:\n      # expand each existing claim`);
    expect(result.stdout).toContain(`kubectl apply -f ${join(storageGrowth, 'new')}`);
  });

  test('--previous-git reads the committed output; a revision without it skips the gate with a note', () => {
    expect(cli('--previous-git', 'HEAD:dist', 'dist').status).toBe(0);
    const result = cli('--previous-git', 'HEAD:no-such-dir', 'dist');
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('note: no manifests under no-such-dir/ at HEAD: upgrade gate skipped');
  });

  test('outside a git repository the gate is skipped with a note', () => {
    const dir = mkdtempSync(join(tmpdir(), 'no-git-'));
    try {
      expect(previousFromGit('dist', 'HEAD', dir)).toEqual({ note: `${dir} is not in a git repository: upgrade gate skipped` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test.each([
    [['--previous', '/no/such/dir', 'dist'], '--previous: /no/such/dir does not exist'],
    [['--previous-git', 'dist', 'dist'], '--previous-git: "dist" is not REV:DIR'],
    [['--previous', 'dist', '--previous-git', 'HEAD:dist', 'dist'], 'given more than once'],
  ])('exits 2 on a usage error: %j', (args, message) => {
    const result = cli(...args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
  });
});

describe('the cdk8s plugin', () => {
  /** A project whose app writes one PVC with `storageClassName`, with the plugin in its cdk8s.yaml. */
  function project(dir: string, storageClass: string): void {
    writeFileSync(join(dir, 'main.js'), [
      `const { App, Chart, ApiObject } = require(${JSON.stringify(require.resolve('cdk8s'))});`,
      'const app = new App(); const chart = new Chart(app, "site");',
      'new ApiObject(chart, "ns", { apiVersion: "v1", kind: "Namespace", metadata: { name: "site" } });',
      `new ApiObject(chart, "pvc", { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "content", namespace: "site" }, spec: { storageClassName: "${storageClass}", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } });`,
      'app.synth();',
    ].join('\n'));
    writeFileSync(join(dir, 'cdk8s.yaml'), [
      'language: typescript', 'app: node main.js', 'validations:',
      `  - package: ${join(ROOT, 'lib/src/validation/plugin.js')}`, '    version: 0.1.0', '    class: WordPressEksValidation',
    ].join('\n'));
  }
  const synth = (cwd: string) => spawnSync(join(ROOT, 'node_modules/.bin/cdk8s'), ['synth', '--no-check-upgrade'], { cwd, encoding: 'utf8' });
  const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, stdio: 'pipe' });

  test('compares the new synth with the committed dist/ (which cdk8s synth empties first), and skips a first synth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gate-plugin-'));
    try {
      // Given a project whose first synth has nothing to compare with
      mkdirSync(join(dir, 'src'));
      git(dir, 'init', '-q');
      project(dir, 'gp2');
      const first = synth(dir);
      expect(`${first.stdout}${first.stderr}`).toContain('upgrade gate skipped');
      expect(first.status).toBe(0);
      // When its output is committed and the storage class then changes
      git(dir, 'add', '-A');
      git(dir, 'commit', '-qm', 'first');
      project(dir, 'gp3');
      const second = synth(dir);
      // Then the synth fails on the storage class rule with the object and the migration
      const output = `${second.stdout}${second.stderr}`;
      expect(second.status).not.toBe(0);
      expect(output).toContain('upgrade.storage-class-change');
      expect(output).toContain('PersistentVolumeClaim/site/content');
      expect(output).toContain('the data has to move to a new claim');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
