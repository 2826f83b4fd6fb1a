import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { parseAllDocuments } from 'yaml';
import { SUPPORTED_MINORS } from './support/validity';

const ROOT = resolve(__dirname, '..');

/**
 * The published package, used the way an outside repository uses it: packed, installed from the
 * tarball into a fresh project, compiled against its .d.ts files and synthesized.
 */
describe('the npm package', () => {
  let work: string;
  let objects: any[];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'consumer-'));
    // Given the packed tarball, built by the package's own `prepack`
    const tarball = execFileSync('npm', ['pack', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop()!;
    // And a fresh project that installs it with its peer dependencies, preferring the npm cache
    const project = join(work, 'project');
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', join(work, tarball),
      'cdk8s@2', 'cdk8s-plus-28@2', 'constructs@10'], { cwd: project, stdio: 'pipe' });
    // When a TypeScript app importing the public API and the validation entry point is compiled and run there
    writeFileSync(join(project, 'main.ts'), [
      "import { App } from 'cdk8s';",
      "import { Credentials, WordPressChart, WordPressChartProps, writeSynthExtras } from 'cdk8s-wordpress-eks';",
      "import { validateManifests, ValidationReport } from 'cdk8s-wordpress-eks/validation';",
      'const app = new App();',
      "const props: WordPressChartProps = { namespace: 'shop', releaseName: 'shop', ingress: { hosts: ['shop.example.com'] } };",
      "new WordPressChart(app, 'shop', props);",
      "new WordPressChart(app, 'blog', { namespace: 'blog', ingress: false, credentials: Credentials.fromExistingSecrets({ database: 'db', wordpressKeys: 'keys' }) });",
      "new WordPressChart(app, 'defaults', { ingress: { hosts: ['wordpress.localhost'] } });",
      'app.synth();',
      'writeSynthExtras(app);',
      'const report: ValidationReport = validateManifests(app.charts.map((chart) => ({ objects: chart.toJson() })));',
      'if (report.errorCount > 0) throw new Error(`${report.errorCount} validation errors`);',
    ].join('\n'));
    // with the tsconfig `cdk8s init typescript-app` generates (CommonJS: moduleResolution node10, which
    // ignores `exports`), made explicit so a newer TypeScript default cannot hide a regression
    const template = JSON.parse(readFileSync(join(ROOT, 'node_modules/cdk8s-cli/templates/typescript-app/tsconfig.json'), 'utf8'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      ...template,
      compilerOptions: { ...template.compilerOptions, moduleResolution: 'node10', skipLibCheck: false, types: [] },
      include: ['main.ts'],
    }));
    const compile = spawnSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    if (compile.status !== 0) throw new Error(`the consumer project does not compile:\n${compile.stdout}${compile.stderr}`);
    execFileSync('node', ['main.js'], { cwd: project, stdio: 'pipe' });
    const dist = join(project, 'dist');
    objects = readdirSync(dist).filter((file) => file.endsWith('.yaml')).flatMap((file) => parseAllDocuments(readFileSync(join(dist, file), 'utf8')).map((d) => d.toJS()));
  });

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  test('compiles against the published types and synthesizes both charts', () => {
    // Then both sites are in the output, in their own namespaces
    const namespaces = objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name).sort();
    expect(namespaces).toEqual(['blog', 'shop', 'wordpress']);
    expect(objects.find((o) => o.kind === 'Ingress' && o.metadata.namespace === 'shop').spec.rules[0].host).toBe('shop.example.com');
  });

  test('writeSynthExtras works with the consumer\'s plain cdk8s App', () => {
    expect(readFileSync(join(work, 'project/kustomization.yaml'), 'utf8')).toContain('  - dist/shop.k8s.yaml\n');
    expect(readdirSync(join(work, 'project/dist'))).toContain('diagram.md');
  });

  test('its validation engine, imported from the package, passes the consumer\'s output', () => {
    // The engine ships its own Kubernetes definitions: no schema directory is given.
    const script = "const v = require('cdk8s-wordpress-eks/validation'); const r = v.validateManifests(v.loadManifestFiles(['dist'])); "
      + "console.log(JSON.stringify({ errors: r.errorCount, objects: r.objectCount })); process.exit(r.errorCount ? 1 : 0);";
    const result = spawnSync('node', ['-e', script], { cwd: join(work, 'project'), encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ errors: 0, objects: objects.length });
  });

  test('ships compiled JS, declarations and the definitions of every supported Kubernetes minor', () => {
    const listing = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const files: string[] = JSON.parse(listing)[0].files.map((f: any) => f.path);
    expect(files).toContain('lib/src/index.js');
    expect(files).toContain('lib/src/index.d.ts');
    expect(files).toContain('lib/charts/wordpress-chart.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/'))).toEqual([]);
    // The vendored CRDs the engine validates custom resources against, and the compiled bindings of imports/
    expect(files).toContain('crds/external-secrets.io_externalsecrets.yaml');
    expect(files).toContain('lib/imports/externalsecret-external-secrets.io.d.ts');
    // the definitions of every supported minor, so users validate offline
    expect(files.filter((f) => f.startsWith('schemas/')).sort()).toEqual(SUPPORTED_MINORS.map((minor) => `schemas/k8s/v${minor}.0/_definitions.json.gz`));
  });

  test('runs no script when installed: it is built when packed', () => {
    // npm, pnpm and yarn warn about (or refuse) dependencies with install-time scripts.
    const installed = JSON.parse(readFileSync(join(work, 'project/node_modules/cdk8s-wordpress-eks/package.json'), 'utf8'));
    const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((name) => installed.scripts?.[name]);
    expect(installScripts).toEqual([]);
    expect(installed.scripts.prepack).toBe('tsc -p tsconfig.json');
  });
});

describe('the lockfile', () => {
  test('installs only packages that accept every Node.js the project\'s `engines` accepts (no EBADENGINE on `npm ci`)', () => {
    // Given the oldest Node.js the project claims
    const semver = require('semver');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const oldest = semver.minVersion(pkg.engines.node).version;
    // Then every locked package (what `npm ci` installs, dev dependencies included) accepts it
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    const refusing = Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)
      .filter(([path, entry]) => path && typeof entry.engines?.node === 'string' && !semver.satisfies(oldest, entry.engines.node))
      .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')} wants node ${entry.engines!.node}`);
    expect(refusing).toEqual([]);
  });
});
