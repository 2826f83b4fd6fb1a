import { execFileSync, spawn } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { createServer, Server } from 'https';
import { AddressInfo, createServer as createTcpServer, Server as TcpServer, Socket } from 'net';
import { tmpdir } from 'os';
import { join } from 'path';
import { Credentials } from '../src/credentials/credentials';
import { all, find, mainContainer, synth, testChart, testLabels } from './helpers';

function synthCredentials(credentials: Credentials, redis = false) {
  const chart = testChart('site-ns');
  const bound = credentials.bind(chart, { namePrefix: 'site', labels: testLabels, redis });
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
    { ports: [8443], case: 'minikube' },
    { ports: [16443], case: 'MicroK8s' },
  ])('the API server ports are configurable ($case)', ({ ports }) => {
    // Given a cluster whose API server listens on another port
    const { objects } = synthCredentials(Credentials.generated({ apiServerPorts: ports }));
    // Then the policy allows exactly that port, and the Job knows it for its timeout message
    const policy = find(objects, 'NetworkPolicy', 'site-credentials-generator-api-egress');
    expect(policy.spec.egress).toEqual([{ ports: ports.map((port) => ({ protocol: 'TCP', port })) }]);
    expect(mainContainer(find(objects, 'Job')).env).toContainEqual({ name: 'API_SERVER_PORTS', value: String(ports[0]) });
  });

  test('the image option runs the generator, pulled through the image registry', () => {
    // Given generated credentials with an image of the user's, and a registry rewrite
    const chart = testChart('site-ns');
    Credentials.generated({ image: 'example.org/tools/curl:8.20.0' }).bind(chart, {
      namePrefix: 'site', labels: testLabels, rewriteImage: (image) => `mirror.example.com/${image}`,
    });
    // Then the Job runs that image, rewritten
    expect(mainContainer(find(synth(chart), 'Job')).image).toBe('mirror.example.com/example.org/tools/curl:8.20.0');
  });

  test.each([
    { case: 'a database name with a dash', options: { databaseName: 'my-db' }, message: 'Invalid credentials.databaseName: "my-db". Allowed: 1-64 characters of A-Z, a-z, 0-9 and _' },
    { case: 'the root user', options: { username: 'root' }, message: 'Invalid credentials.username: "root"' },
    { case: 'a user name over 32 characters', options: { username: 'a'.repeat(33) }, message: 'Invalid credentials.username' },
    { case: 'an unpinned image', options: { image: 'curlimages/curl' }, message: 'Invalid credentials.image: "curlimages/curl"' },
    { case: 'the latest tag', options: { image: 'curlimages/curl:latest' }, message: 'Invalid credentials.image: "curlimages/curl:latest"' },
    { case: 'no API server port', options: { apiServerPorts: [] }, message: 'Invalid credentials.apiServerPorts: []. Allowed: a non-empty list of TCP ports' },
    { case: 'a port out of range', options: { apiServerPorts: [443, 70000] }, message: 'Invalid credentials.apiServerPorts[1]: 70000' },
  ])('rejects $case', ({ options, message }) => {
    expect(() => synthCredentials(Credentials.generated(options))).toThrow(message);
  });

  test('needs a namespaced chart, because the RoleBinding must name the namespace', () => {
    const { Chart, Testing } = require('cdk8s');
    const chart = new Chart(Testing.app(), 'no-namespace');
    expect(() => Credentials.generated().bind(chart, { namePrefix: 'site', labels: testLabels })).toThrow('needs its chart to set a namespace');
  });
});

describe('the Redis password (wordpress.objectCache)', () => {
  test('generated: the Job also creates <prefix>-redis and may read it, and declares it', () => {
    const { bound, objects } = synthCredentials(Credentials.generated(), true);
    expect(bound.secretNames.redis).toBe('site-redis');
    expect(find(objects, 'Role').rules[1].resourceNames).toEqual(['site-db-credentials', 'site-keys', 'site-redis']);
    expect(find(objects, 'Job').metadata.annotations!['cdk8s-wordpress-eks/creates']).toBe('Secret/site-db-credentials,Secret/site-keys,Secret/site-redis');
  });

  test('generated without the cache: the Job is exactly the one it was (no third Secret, same name)', () => {
    const without = find(synthCredentials(Credentials.generated()).objects, 'Job');
    expect(mainContainer(without).env.map((e: any) => e.name)).not.toContain('REDIS_SECRET_NAME');
    expect(without.metadata.name).not.toBe(find(synthCredentials(Credentials.generated(), true).objects, 'Job').metadata.name);
  });

  test('existing Secrets: the Redis one is required with the cache, and declared external', () => {
    expect(() => synthCredentials(Credentials.fromExistingSecrets({ database: 'db', wordpressKeys: 'keys' }), true))
      .toThrow('Invalid credentials.redis');
    const { bound } = synthCredentials(Credentials.fromExistingSecrets({ database: 'db', wordpressKeys: 'keys', redis: 'cache' }), true);
    expect(bound.workloadAnnotations['cdk8s-wordpress-eks/external-refs']).toBe('Secret/db,Secret/keys,Secret/cache');
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

/** A Secret as the fake API server stores it: `data` base64-encoded, like the real one. */
interface StoredSecret {
  readonly metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion: string };
  readonly data: Record<string, string>;
}

const BASE = '/api/v1/namespaces/site-ns/secrets';

/**
 * A local HTTPS server answering like the Kubernetes API for the namespace's Secrets: every verb
 * (list, create, get, replace, patch, delete), so a script that overwrites or deletes a Secret
 * actually changes the store, and a test sees it.
 */
class FakeApiServer {
  public readonly secrets = new Map<string, StoredSecret>();
  public readonly requests: string[] = [];
  public readonly authorizations: Array<string | undefined> = [];
  private readonly servers: Server[] = [];
  private version = 1;

  constructor(private readonly key: Buffer, private readonly cert: Buffer) {}

  /** Listens on one more address (127.0.0.1, ::1); every listener serves the same store. */
  public listen(host: string): Promise<number> {
    const server = createServer({ key: this.key, cert: this.cert }, (req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const [status, value] = this.answer(req.method!, req.url!, req.headers.authorization, body);
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(value));
      });
    });
    this.servers.push(server);
    return new Promise((resolve) => server.listen(0, host, () => resolve((server.address() as AddressInfo).port)));
  }

  public close(): Promise<void> {
    return Promise.all(this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined);
  }

  public reset(): void {
    this.secrets.clear();
    this.requests.length = 0;
    this.authorizations.length = 0;
  }

  /** Stores a Secret as someone else created it, with plain values. */
  public seed(name: string, values: Record<string, string>, labels: Record<string, string> = {}): void {
    this.secrets.set(name, this.stored(name, values, labels));
  }

  private stored(name: string, values: Record<string, string>, labels: Record<string, string>): StoredSecret {
    const data = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    return { metadata: { name, labels, resourceVersion: String(this.version++) }, data };
  }

  /** What the API server returns for a Secret: labels, annotations and managed fields name keys too. */
  private render(secret: StoredSecret): unknown {
    const fields = Object.fromEntries(Object.keys(secret.data).map((k) => [`f:${k}`, {}]));
    return {
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: {
        ...secret.metadata,
        namespace: 'site-ns',
        managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': fields } }],
      },
      data: secret.data,
      type: 'Opaque',
    };
  }

  private answer(method: string, url: string, authorization: string | undefined, body: string): [number, unknown] {
    this.requests.push(`${method} ${url}`);
    this.authorizations.push(authorization);
    if (authorization !== 'Bearer test-token') return [401, { kind: 'Status', reason: 'Unauthorized' }];
    if (url === BASE) {
      if (method === 'GET') return [200, { kind: 'SecretList', items: [...this.secrets.values()].map((s) => this.render(s)) }];
      if (method !== 'POST') return [405, { kind: 'Status', reason: 'MethodNotAllowed' }];
      const secret = JSON.parse(body);
      if (this.secrets.has(secret.metadata.name)) return [409, { kind: 'Status', reason: 'AlreadyExists' }];
      const created = this.stored(secret.metadata.name, secret.stringData ?? {}, secret.metadata.labels ?? {});
      this.secrets.set(created.metadata.name, created);
      return [201, this.render(created)];
    }
    if (!url.startsWith(`${BASE}/`)) return [404, { kind: 'Status', reason: 'NotFound' }];
    const name = url.slice(BASE.length + 1);
    const existing = this.secrets.get(name);
    if (!existing) return [404, { kind: 'Status', reason: 'NotFound' }];
    switch (method) {
      case 'GET':
        return [200, this.render(existing)];
      case 'PUT': case 'PATCH': {
        const update = JSON.parse(body || '{}');
        const replaced = this.stored(name, update.stringData ?? {}, update.metadata?.labels ?? {});
        this.secrets.set(name, method === 'PUT' ? replaced : { ...replaced, data: { ...existing.data, ...update.data, ...replaced.data } });
        return [200, this.render(this.secrets.get(name)!)];
      }
      case 'DELETE':
        this.secrets.delete(name);
        return [200, { kind: 'Status', status: 'Success' }];
      default:
        return [405, { kind: 'Status', reason: 'MethodNotAllowed' }];
    }
  }
}

/**
 * The generator script itself, run with the machine's sh and curl against the fake API server,
 * over IPv4 and IPv6. A `curl` wrapper first on the PATH records every command line curl gets.
 */
describe('the generator script against a fake API server', () => {
  let dir: string;
  let api: FakeApiServer;
  let port: number;
  let port6: number;
  let silent: TcpServer;
  let silentPort: number;
  const held: Socket[] = [];
  const argvLog = () => join(dir, 'curl-argv.log');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'credentials-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'ca.crt')], { stdio: 'ignore' });
    writeFileSync(join(dir, 'token'), 'test-token');
    writeFileSync(join(dir, 'namespace'), 'site-ns');
    mkdirSync(join(dir, 'bin'));
    const realCurl = execFileSync('sh', ['-c', 'command -v curl']).toString().trim();
    writeFileSync(join(dir, 'bin', 'curl'), `#!/bin/sh\nprintf '%s\\n' "$*" >> "${argvLog()}"\nexec ${realCurl} "$@"\n`);
    chmodSync(join(dir, 'bin', 'curl'), 0o755);
    api = new FakeApiServer(readFileSync(join(dir, 'key.pem')), readFileSync(join(dir, 'ca.crt')));
    port = await api.listen('127.0.0.1');
    // As on an IPv6 cluster, where KUBERNETES_SERVICE_HOST is an IPv6 address.
    port6 = await api.listen('::1');
    // Accepts connections and never answers: what a NetworkPolicy that drops the traffic looks like to curl.
    silent = createTcpServer((socket) => { held.push(socket); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentPort = (silent.address() as AddressInfo).port;
  });

  afterAll(async () => {
    held.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => silent.close(() => resolve()));
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    api.reset();
    if (existsSync(argvLog())) rmSync(argvLog());
  });

  function runGenerator(host = '127.0.0.1', apiPort = port, extraEnv: Record<string, string> = {}, redis = false): Promise<{ code: number; output: string }> {
    const job = find(synthCredentials(Credentials.generated(), redis).objects, 'Job');
    const container = mainContainer(job);
    const env: Record<string, string> = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
    return new Promise((resolve) => {
      const child = spawn(container.command[0], container.command.slice(1), {
        env: {
          PATH: `${join(dir, 'bin')}:${process.env.PATH!}`, ...env, ...extraEnv,
          KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: String(apiPort), SERVICE_ACCOUNT_DIR: dir, WORK_DIR: dir,
        },
      });
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      child.on('close', (code) => resolve({ code: code ?? -1, output }));
    });
  }

  const snapshot = () => JSON.stringify([...api.secrets.entries()].sort());
  const values = () => [...api.secrets.values()].flatMap((s) => Object.values(s.data).map((v) => Buffer.from(v, 'base64').toString()));

  test('first run creates both Secrets with random values of the documented keys', async () => {
    // When the generator runs on an empty namespace
    const { code, output } = await runGenerator();
    // Then it succeeds and both Secrets exist with every key, passwords 32 and salts 64 alphanumerics
    expect(output).toContain('created Secret site-db-credentials');
    expect(code).toBe(0);
    const db = Object.fromEntries(Object.entries(api.secrets.get('site-db-credentials')!.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
    expect(Object.keys(db).sort()).toEqual(['database', 'password', 'root-password', 'username']);
    expect(db.database).toBe('wordpress');
    expect(db.username).toBe('wordpress');
    expect(db.password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(db['root-password']).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(db.password).not.toEqual(db['root-password']);
    const keys = api.secrets.get('site-keys')!;
    expect(Object.keys(keys.data)).toHaveLength(8);
    for (const value of Object.values(keys.data)) expect(Buffer.from(value, 'base64').toString()).toMatch(/^[A-Za-z0-9]{64}$/);
    // and the Secrets are not selectable by the prune label
    expect(api.secrets.get('site-db-credentials')!.metadata.labels!['app.kubernetes.io/part-of']).toBeUndefined();
    // and no generated value is printed
    for (const value of values().filter((v) => v.length >= 32)) expect(output).not.toContain(value);
  });

  test('with the object cache, a third Secret holds a random Redis password, created once', async () => {
    // When the generator of a release with Redis runs twice
    const first = await runGenerator('127.0.0.1', port, {}, true);
    expect(first.code).toBe(0);
    const password = Buffer.from(api.secrets.get('site-redis')!.data.password, 'base64').toString();
    const second = await runGenerator('127.0.0.1', port, {}, true);
    // Then the Secret has one key, 32 alphanumerics, unchanged by the second run and never printed
    expect(second.code).toBe(0);
    expect(Object.keys(api.secrets.get('site-redis')!.data)).toEqual(['password']);
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(Buffer.from(api.secrets.get('site-redis')!.data.password, 'base64').toString()).toBe(password);
    expect(first.output + second.output).not.toContain(password);
  });

  test('a second run changes no existing Secret: it only creates (409) and reads', async () => {
    // Given both Secrets from a first run
    await runGenerator();
    const before = snapshot();
    api.requests.length = 0;
    // When the generator runs again against a server that would honour a PUT, PATCH or DELETE
    const { code, output } = await runGenerator();
    // Then it succeeds, no Secret changed, and it sent nothing but POST and GET
    expect(code).toBe(0);
    expect(output).toContain('Secret site-db-credentials already exists: left unchanged');
    expect(snapshot()).toEqual(before);
    expect(api.requests.map((r) => r.split(' ')[0]).sort()).toEqual(['GET', 'GET', 'POST', 'POST']);
  });

  test('Secrets someone else created are kept as they are, values and all', async () => {
    // Given complete Secrets with values of the user's own
    api.seed('site-db-credentials', { 'database': 'blog', 'username': 'blogger', 'password': 'user-chosen', 'root-password': 'root-chosen' });
    api.seed('site-keys', Object.fromEntries(['auth-key', 'secure-auth-key', 'logged-in-key', 'nonce-key', 'auth-salt', 'secure-auth-salt',
      'logged-in-salt', 'nonce-salt'].map((k) => [k, `mine-${k}`])));
    const before = snapshot();
    // When the generator runs
    const { code, output } = await runGenerator();
    // Then nothing changed and no value was printed
    expect(code).toBe(0);
    expect(snapshot()).toEqual(before);
    expect(output).not.toContain('chosen');
  });

  const complete = { 'database': 'wordpress', 'username': 'wordpress', 'password': 'p'.repeat(32), 'root-password': 'r'.repeat(32) };
  test.each<{ case: string; values: Record<string, string>; labels: Record<string, string>; key: string }>([
    { case: 'a key is missing', values: { database: 'x', username: 'y', password: 'z' }, labels: {}, key: 'root-password' },
    { case: 'a key exists only as a label name', values: { database: 'x', username: 'y', password: 'z' }, labels: { 'root-password': 'x' }, key: 'root-password' },
    { case: 'a key has an empty value', values: { ...complete, password: '' }, labels: {}, key: 'password' },
  ])('an existing Secret where $case fails the Job, naming the key, and is left unchanged', async ({ values: seeded, labels, key }) => {
    // Given an existing database Secret that MySQL could not start with
    api.seed('site-db-credentials', seeded, labels);
    const before = JSON.stringify(api.secrets.get('site-db-credentials'));
    // When the generator runs
    const { code, output } = await runGenerator();
    // Then it fails with a message naming the key, changes nothing, and prints no value
    expect(code).not.toBe(0);
    expect(output).toContain(`Secret site-db-credentials exists but has no non-empty value for key ${key}`);
    expect(JSON.stringify(api.secrets.get('site-db-credentials'))).toEqual(before);
    expect(output).not.toContain('p'.repeat(32));
  });

  test('on an IPv6 cluster the API server address is bracketed in the URL', async () => {
    // When KUBERNETES_SERVICE_HOST is an IPv6 address
    const { code, output } = await runGenerator('::1', port6);
    // Then the generator reaches the API server and creates the Secrets
    expect(output).toContain('created Secret site-keys');
    expect(code).toBe(0);
  });

  test('the bearer token never appears on a command line, and every request carries it', async () => {
    // When the generator runs
    const { code } = await runGenerator();
    // Then curl was called, never with the token in its arguments, and the server saw the header on every request
    expect(code).toBe(0);
    const argv = readFileSync(argvLog(), 'utf8');
    expect(argv).toContain('https://127.0.0.1');
    expect(argv).not.toContain('test-token');
    expect(api.authorizations.length).toBeGreaterThan(0);
    expect(new Set(api.authorizations)).toEqual(new Set(['Bearer test-token']));
  });

  test('an API server that never answers fails the Job in bounded time, naming the URL and the allowed ports', async () => {
    // Given an API address where connections hang, as when a NetworkPolicy drops them
    const started = Date.now();
    // When the generator runs (with the timeouts shortened for the test)
    const { code, output } = await runGenerator('127.0.0.1', silentPort, { API_CONNECT_TIMEOUT: '1', API_MAX_TIME: '2' });
    // Then it gives up, says which URL timed out and which ports the NetworkPolicy allows
    expect(code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(20000);
    expect(output).toContain(`POST https://127.0.0.1:${silentPort}/api/v1/namespaces/site-ns/secrets timed out`);
    expect(output).toContain('site-credentials-generator-api-egress allows 443,6443');
  });
});
