import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { App, Testing } from 'cdk8s';
import { buildDefaultApp } from '../src/app';
import { configPathFrom, InvalidConfigError, loadAppConfig } from '../src/config/load-app-config';

const ROOT = resolve(__dirname, '..');
let work: string;
beforeAll(() => { work = mkdtempSync(join(tmpdir(), 'config-')); });
afterAll(() => rmSync(work, { recursive: true, force: true }));

function configFile(name: string, text: string): string {
  const file = join(work, name);
  writeFileSync(file, text);
  return file;
}

describe('the default app config file', () => {
  test('the committed JSON Schema is what the generator makes from AppConfig now', () => {
    const out = join(work, 'schema.json');
    execFileSync(join(ROOT, 'node_modules/.bin/ts-json-schema-generator'), ['-p', 'src/config/app-config.ts', '-t', 'AppConfig',
      '-f', 'tsconfig.json', '--no-type-check', '-j', 'extended', '-o', out], { cwd: ROOT, stdio: 'pipe' });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(JSON.parse(readFileSync(join(ROOT, 'src/config/app-config.schema.json'), 'utf8')));
  });

  test('the example file shapes the chart', () => {
    // Given the documented example
    const config = loadAppConfig(join(ROOT, 'examples/config/site.yaml'));
    // When the default app is built from it
    const objects = Testing.synth(buildDefaultApp(Testing.app(), config).charts[0]) as any[];
    // Then its values reach the objects
    const sts = objects.find((o) => o.kind === 'StatefulSet');
    expect(sts.metadata.namespace).toBe('blog');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('50Gi');
    expect(objects.find((o) => o.kind === 'Ingress').spec.ingressClassName).toBe('nginx');
    expect(objects.find((o) => o.kind === 'Job').spec.template.spec.containers[0].env).toContainEqual({ name: 'DATABASE_NAME', value: 'blog' });
  });

  test('the site options of the example file reach wp-config, PHP, the Ingress, a CronJob, mail, the plugins Job and Redis', () => {
    // Given the documented example, which turns the site options on
    const config = loadAppConfig(join(ROOT, 'examples/config/site.yaml'));
    // When the default app is built from it
    const objects = Testing.synth(buildDefaultApp(Testing.app(), config).charts[0]) as any[];
    // Then each option shows in the objects
    const deployment = objects.find((o) => o.kind === 'Deployment');
    const extra = deployment.spec.template.spec.containers[0].env.find((e: any) => e.name === 'WORDPRESS_CONFIG_EXTRA').value;
    expect(extra).toContain("define('WP_HOME', 'https://blog.example.com');");
    expect(extra).toContain("define('CDK8S_SMTP_HOST', 'email-smtp.eu-west-1.amazonaws.com');");
    expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'blog-php').data['zz-wordpress.ini']).toContain('upload_max_filesize = 64M');
    expect(objects.find((o) => o.kind === 'Ingress').metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('64m');
    expect(objects.filter((o) => o.kind === 'CronJob').map((o) => o.metadata.name)).toEqual(['blog-cron', 'blog-backup']);
    expect(objects.filter((o) => o.kind === 'Job').map((o) => o.metadata.labels['app.kubernetes.io/component'])).toContain('plugins');
    expect(objects.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name)).toEqual(['blog', 'blog-redis']);
  });

  test('a misspelt site option is reported with the keys allowed there', () => {
    const file = configFile('typo.yaml', 'wordpress:\n  php:\n    uploadMaxFileSize: 64M\n');
    expect(() => loadAppConfig(file)).toThrow('wordpress.php.uploadMaxFileSize: unknown key; allowed keys: maxExecutionTime, memoryLimit, postMaxSize, uploadMaxFilesize');
  });

  test('existing Secrets can be named in the file', () => {
    const config = loadAppConfig(configFile('existing.yaml', 'credentials:\n  existingSecrets: { database: db, wordpressKeys: keys }\n'));
    const objects = Testing.synth(buildDefaultApp(Testing.app(), config).charts[0]) as any[];
    // No credentials generator: the one Job left is the schema upgrade
    expect(objects.filter((o) => o.kind === 'Job').map((o) => o.metadata.labels['app.kubernetes.io/component'])).toEqual(['database-upgrade']);
  });

  test('every schema problem is reported at once, naming the key, the value and what is allowed', () => {
    const file = configFile('bad.yaml', [
      'mysql:', '  storag: 10Gi', '  image: 5',
      'wordpress:', '  storage:', '    accessMode: ReadWriteSometimes',
      'ingress: true',
    ].join('\n'));
    expect(() => loadAppConfig(file)).toThrow(InvalidConfigError);
    try {
      loadAppConfig(file);
    } catch (error) {
      expect((error as InvalidConfigError).problems.sort()).toEqual([
        'ingress: true is not allowed; allowed: an object (IngressOptions) or false',
        'mysql.image: 5 is not allowed; it must be string',
        'mysql.storag: unknown key; allowed keys: configOverrides, image, name, resources, storage, terminationGracePeriodSeconds',
        'wordpress.storage.accessMode: "ReadWriteSometimes" is not allowed; allowed: "ReadWriteOnce", "ReadWriteMany"',
      ]);
    }
  });

  test('a file that is not YAML is rejected with the parser message', () => {
    expect(() => loadAppConfig(configFile('broken.yaml', 'mysql: [unclosed'))).toThrow(/Invalid configuration in .*broken.yaml:\n {2}- cannot be read as YAML or JSON/);
  });

  test('an empty file means the defaults', () => {
    expect(loadAppConfig(configFile('empty.yaml', ''))).toEqual({});
  });

  test('the path comes from --config or WORDPRESS_EKS_CONFIG, the flag first', () => {
    expect(configPathFrom({}, ['node', 'main.js'])).toBeUndefined();
    expect(configPathFrom({ WORDPRESS_EKS_CONFIG: 'a.yaml' }, ['node', 'main.js'])).toBe('a.yaml');
    expect(configPathFrom({ WORDPRESS_EKS_CONFIG: 'a.yaml' }, ['node', 'main.js', '--config', 'b.json'])).toBe('b.json');
    expect(() => configPathFrom({}, ['node', 'main.js', '--config'])).toThrow('--config needs a file path');
  });

  test('bad input stops the synth with a message and writes no file', () => {
    // Given a config that passes the schema but breaks a construct rule
    const file = configFile('replicas.yaml', 'wordpress:\n  replicas: 2\n');
    const out = mkdtempSync(join(work, 'out-'));
    // When the compiled app runs (as `cdk8s synth` runs it)
    const result = spawnSync('node', [join(ROOT, 'lib/src/main.js'), '--config', file], { env: { ...process.env, CDK8S_OUTDIR: out }, encoding: 'utf8' });
    // Then it exits 1 with the construct's message, and the output folder stays empty
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("Invalid wordpress.replicas: 2. Allowed: 1 with storage.accessMode 'ReadWriteOnce'");
    expect(readdirSync(out)).toEqual([]);
  });

  test('without an ingress key the default app routes only <releaseName>.localhost, for a local cluster', () => {
    // Given no config, then a config naming the release
    const hostsOf = (config: object) => (Testing.synth(buildDefaultApp(Testing.app(), config).charts[0]) as any[])
      .find((o) => o.kind === 'Ingress').spec.rules.map((rule: any) => rule.host);
    // Then the Ingress has that one host and no catch-all rule
    expect(hostsOf({})).toEqual(['wordpress.localhost']);
    expect(hostsOf({ releaseName: 'blog' })).toEqual(['blog.localhost']);
  });

  test('with platform: eks the hosts must be given: the ALB is public', () => {
    expect(() => buildDefaultApp(Testing.app(), { platform: 'eks' })).toThrow('Invalid ingress.hosts: undefined. Allowed: at least one host name');
    const objects = Testing.synth(buildDefaultApp(Testing.app(), { platform: 'eks', ingress: { hosts: ['shop.example.com'] } }).charts[0]) as any[];
    expect(objects.find((o) => o.kind === 'Ingress').spec.rules.map((rule: any) => rule.host)).toEqual(['shop.example.com']);
  });

  test('every host only with anyHost: true in the file', () => {
    const config = loadAppConfig(configFile('any-host.yaml', 'ingress:\n  anyHost: true\n'));
    const ingress = (Testing.synth(buildDefaultApp(Testing.app(), config).charts[0]) as any[]).find((o) => o.kind === 'Ingress');
    expect(ingress.spec.rules).toEqual([{ http: expect.any(Object) }]);
  });

  test('imageRegistry in the file rewrites every image of the site', () => {
    // Given a mirror prefix in the file
    const config = loadAppConfig(configFile('registry.yaml', 'imageRegistry:\n  prefix: registry.example.com/mirror\n'));
    // When the default app is built
    const objects = Testing.synth(buildDefaultApp(Testing.app(), config).charts[0]) as any[];
    // Then every container image comes through the mirror
    const images = objects.flatMap((o) => o.spec?.template?.spec?.containers?.map((c: any) => c.image) ?? []);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/^registry\.example\.com\/mirror\//);
  });

  test('imageRegistry with both ecr and prefix is rejected, naming both choices', () => {
    const config = loadAppConfig(configFile('registries.yaml', [
      'imageRegistry:', '  prefix: registry.example.com/mirror', '  ecr: { account: "123456789012", region: eu-west-1, prefix: hub }',
    ].join('\n')));
    expect(() => buildDefaultApp(Testing.app(), config)).toThrow('Invalid imageRegistry: ');
    expect(() => buildDefaultApp(Testing.app(), config)).toThrow('Allowed: either ecr or prefix, not both.');
  });

  test('an app built in code needs no config at all', () => {
    expect(buildDefaultApp(new App({ outdir: join(work, 'code') })).charts.map((c) => c.node.id)).toEqual(['wordpress', 'observability']);
  });
});

describe('EKS Pod Identity from a config file', () => {
  test('the synth writes the associations beside the output folder, not in it', () => {
    // Given a config that gives WordPress a role through Pod Identity
    const file = configFile('pod-identity.yaml', 'platform: eks\ningress:\n  hosts: [shop.example.com]\neks:\n  wordpressRoleArn: arn:aws:iam::111122223333:role/shop\n  identityMode: pod-identity\n');
    const root = mkdtempSync(join(work, 'pia-'));
    // When the compiled app synthesizes into ROOT/dist
    const result = spawnSync('node', [join(ROOT, 'lib/src/main.js'), '--config', file], { env: { ...process.env, CDK8S_OUTDIR: join(root, 'dist') }, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    // Then ROOT/pod-identity-associations.json lists it, and dist/ holds only manifests and the diagram
    expect(JSON.parse(readFileSync(join(root, 'pod-identity-associations.json'), 'utf8'))).toEqual({
      podIdentityAssociations: [{ namespace: 'wordpress', serviceAccount: 'wordpress', roleArn: 'arn:aws:iam::111122223333:role/shop' }],
    });
    expect(readdirSync(join(root, 'dist')).filter((f) => !/\.k8s\.yaml$/.test(f))).toEqual(['diagram.md']);
  });
});
