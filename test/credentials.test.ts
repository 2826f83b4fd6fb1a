import { execFileSync, spawn } from 'child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'fs';
import { createServer, Server } from 'https';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { Credentials } from '../src/credentials/credentials';
import { all, find, mainContainer, synth, testChart, testLabels } from './helpers';

function synthCredentials(credentials: Credentials) {
  const chart = testChart('site-ns');
  const bound = credentials.bind(chart, { namePrefix: 'site', labels: testLabels });
  return { bound, objects: synth(chart) };
}

describe('Credentials.generated()', () => {
  test('a Job creates the Secrets in the cluster: no Secret and no value in the manifests', () => {
    // Given generated credentials
    const { bound, objects } = synthCredentials(Credentials.generated());
    // Then no Secret object is synthesized, and the Job declares the two it creates
    expect(all(objects, 'Secret')).toHaveLength(0);
    const job = find(objects, 'Job');
    expect(job.metadata.annotations!['cdk8s-wordpress-eks/creates']).toBe('Secret/site-db-credentials,Secret/site-keys');
    expect(bound.secretNames).toEqual({ database: 'site-db-credentials', wordpressKeys: 'site-keys' });
    expect(bound.workloadAnnotations).toEqual({});
  });

  test('its ServiceAccount may create Secrets and read only these two', () => {
    const { objects } = synthCredentials(Credentials.generated());
    const role = find(objects, 'Role', 'site-credentials-generator');
    expect(role.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['site-db-credentials', 'site-keys'], verbs: ['get'] },
    ]);
    const binding = find(objects, 'RoleBinding', 'site-credentials-generator');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'site-credentials-generator' });
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'site-credentials-generator', namespace: 'site-ns' }]);
    const job = find(objects, 'Job');
    expect(job.spec.template.spec.serviceAccountName).toBe('site-credentials-generator');
    expect(job.spec.template.spec.automountServiceAccountToken).toBe(true);
    expect(find(objects, 'ServiceAccount').automountServiceAccountToken).toBe(false);
  });

  test('the Job name changes with its spec, because Job templates are immutable', () => {
    const a = find(synthCredentials(Credentials.generated()).objects, 'Job').metadata.name;
    const b = find(synthCredentials(Credentials.generated({ databaseName: 'blog' })).objects, 'Job').metadata.name;
    expect(a).toMatch(/^site-credentials-[0-9a-f]{8}$/);
    expect(a).not.toEqual(b);
  });

  test('the generator runs as the curl image user (100:101), non-root, read-only root', () => {
    const job = find(synthCredentials(Credentials.generated()).objects, 'Job');
    expect(job.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 100, runAsGroup: 101 });
    expect(mainContainer(job).securityContext).toMatchObject({ readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(job.spec.template.spec.volumes).toEqual([{ name: 'work', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } }]);
  });

  test('the generator may reach the API server and nothing else', () => {
    const policy = find(synthCredentials(Credentials.generated()).objects, 'NetworkPolicy');
    expect(policy.spec).toEqual({
      podSelector: { matchLabels: testLabels.withComponent('credentials').selector },
      policyTypes: ['Egress'],
      egress: [{ ports: [{ protocol: 'TCP', port: 443 }, { protocol: 'TCP', port: 6443 }] }],
    });
  });

  test.each([
    [{ databaseName: 'my-db' }, 'Invalid credentials.databaseName: "my-db". Allowed: 1-64 characters of A-Z, a-z, 0-9 and _'],
    [{ username: 'root' }, 'Invalid credentials.username: "root"'],
    [{ username: 'a'.repeat(33) }, 'Invalid credentials.username'],
  ])('rejects %j', (options, message) => {
    expect(() => synthCredentials(Credentials.generated(options))).toThrow(message);
  });

  test('needs a namespaced chart, because the RoleBinding must name the namespace', () => {
    const { Chart, Testing } = require('cdk8s');
    const chart = new Chart(Testing.app(), 'no-namespace');
    expect(() => Credentials.generated().bind(chart, { namePrefix: 'site', labels: testLabels })).toThrow('needs its chart to set a namespace');
  });
});

describe('Credentials.fromExistingSecrets()', () => {
  test('creates nothing and declares the Secrets as external refs', () => {
    const { bound, objects } = synthCredentials(Credentials.fromExistingSecrets({ database: 'my-db', wordpressKeys: 'my-keys' }));
    expect(objects).toHaveLength(0);
    expect(bound.secretNames).toEqual({ database: 'my-db', wordpressKeys: 'my-keys' });
    expect(bound.workloadAnnotations).toEqual({ 'cdk8s-wordpress-eks/external-refs': 'Secret/my-db,Secret/my-keys' });
  });

  test('rejects a name that is not a DNS subdomain', () => {
    expect(() => Credentials.fromExistingSecrets({ database: 'My_DB', wordpressKeys: 'k' })).toThrow('Invalid credentials.database: "My_DB"');
  });
});

/**
 * The generator script itself, run with the machine's sh and curl against a local HTTPS server
 * that answers like the Kubernetes API for Secrets.
 */
describe('the generator script against a fake API server', () => {
  let server: Server;
  let port: number;
  let dir: string;
  const secrets = new Map<string, { data: Record<string, string>; labels: Record<string, string> }>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'credentials-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'ca.crt')], { stdio: 'ignore' });
    writeFileSync(join(dir, 'token'), 'test-token');
    writeFileSync(join(dir, 'namespace'), 'site-ns');
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'ca.crt')) }, (req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const base = '/api/v1/namespaces/site-ns/secrets';
        const reply = (code: number, value: unknown) => { res.writeHead(code, { 'Content-Type': 'application/json' }); res.end(JSON.stringify(value)); };
        if (req.headers.authorization !== 'Bearer test-token') return reply(401, { reason: 'Unauthorized' });
        if (req.method === 'POST' && req.url === base) {
          const secret = JSON.parse(body);
          if (secrets.has(secret.metadata.name)) return reply(409, { reason: 'AlreadyExists' });
          secrets.set(secret.metadata.name, { data: secret.stringData, labels: secret.metadata.labels });
          return reply(201, secret);
        }
        const name = req.url!.slice(base.length + 1);
        if (req.method === 'GET' && secrets.has(name)) {
          const data = Object.fromEntries(Object.entries(secrets.get(name)!.data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
          return reply(200, { kind: 'Secret', metadata: { name, managedFields: [{ fieldsV1: { 'f:data': { 'f:other': {} } } }] }, data });
        }
        return reply(404, { reason: 'NotFound' });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => secrets.clear());

  function runGenerator(): Promise<{ code: number; output: string }> {
    const job = find(synthCredentials(Credentials.generated()).objects, 'Job');
    const container = mainContainer(job);
    const env: Record<string, string> = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    return new Promise((resolve) => {
      const child = spawn(container.command[0], container.command.slice(1), {
        env: { PATH: process.env.PATH!, ...env, KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(port), SERVICE_ACCOUNT_DIR: dir, WORK_DIR: dir },
      });
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      child.on('close', (code) => resolve({ code: code ?? -1, output }));
    });
  }

  test('first run creates both Secrets with random values of the documented keys', async () => {
    // When the generator runs on an empty namespace
    const { code, output } = await runGenerator();
    // Then it succeeds and both Secrets exist with every key, passwords 32 and salts 64 alphanumerics
    expect(output).toContain('created Secret site-db-credentials');
    expect(code).toBe(0);
    const db = secrets.get('site-db-credentials')!;
    expect(Object.keys(db.data).sort()).toEqual(['database', 'password', 'root-password', 'username']);
    expect(db.data.database).toBe('wordpress');
    expect(db.data.username).toBe('wordpress');
    expect(db.data.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(db.data['root-password']).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(db.data.password).not.toEqual(db.data['root-password']);
    const keys = secrets.get('site-keys')!;
    expect(Object.keys(keys.data)).toHaveLength(8);
    for (const value of Object.values(keys.data)) expect(value).toMatch(/^[A-Za-z0-9]{64}$/);
    // and the Secrets are not selectable by the prune label
    expect(db.labels['app.kubernetes.io/part-of']).toBeUndefined();
  });

  test('a second run leaves existing Secrets unchanged', async () => {
    await runGenerator();
    const before = JSON.stringify([...secrets.entries()]);
    const { code, output } = await runGenerator();
    expect(code).toBe(0);
    expect(output).toContain('Secret site-db-credentials already exists: left unchanged');
    expect(JSON.stringify([...secrets.entries()])).toEqual(before);
  });

  test('an existing Secret without a required key fails the Job with a clear message', async () => {
    secrets.set('site-db-credentials', { data: { database: 'x', username: 'y', password: 'z' }, labels: {} });
    const { code, output } = await runGenerator();
    expect(code).not.toBe(0);
    expect(output).toContain('Secret site-db-credentials exists but has no key root-password');
  });
});
