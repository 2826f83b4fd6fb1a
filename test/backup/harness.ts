import { spawn } from 'child_process';
import { createHash } from 'crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { AddressInfo } from 'net';
import { tmpdir } from 'os';
import { join, resolve } from 'path';
import { SCRIPTS } from '../../src/backup/scripts';

/** The fakes of mysqldump, mysql and mysqld, which record their arguments in FAKE_LOG. */
export const FAKES_DIR = resolve(__dirname, 'fakes');

/** What one script run printed and how it ended. */
export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A sandbox standing in for the pod's volumes. */
export interface Sandbox {
  readonly root: string;
  readonly env: Record<string, string>;
  readonly dirs: { work: string; run: string; scratch: string; content: string; backups: string; state: string; secrets: string };
}

export function sandbox(extraEnv: Record<string, string> = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'backup-test-'));
  const dirs = {
    work: join(root, 'work'), run: join(root, 'run'), scratch: join(root, 'scratch'), content: join(root, 'content'),
    backups: join(root, 'backups'), state: join(root, 'state'), secrets: join(root, 'secrets'),
  };
  Object.values(dirs).forEach((dir) => mkdirSync(dir, { recursive: true }));
  writeFileSync(join(dirs.secrets, 'database'), 'wordpress');
  writeFileSync(join(dirs.secrets, 'username'), 'wp_user');
  writeFileSync(join(dirs.secrets, 'password'), 's3cretPassw0rd');
  mkdirSync(join(dirs.content, 'wp-content', 'uploads', '2026', '12'), { recursive: true });
  mkdirSync(join(dirs.content, 'wp-content', 'plugins', 'hello'), { recursive: true });
  writeFileSync(join(dirs.content, 'wp-content', 'uploads', '2026', '12', 'photo.jpg'), 'not really a jpeg');
  writeFileSync(join(dirs.content, 'wp-content', 'plugins', 'hello', 'hello.php'), '<?php // Hello');
  writeFileSync(join(dirs.content, 'index.php'), '<?php // core, not backed up');
  const env: Record<string, string> = {
    PATH: `${FAKES_DIR}:${process.env.PATH}`,
    // No site.env here: the settings below stand in for it.
    SCRIPTS_DIR: join(root, 'no-scripts'),
    FAKE_LOG: join(dirs.state, 'argv.log'),
    FAKE_STATE: dirs.state,
    SITE: 'blog',
    NAMESPACE: 'blog-ns',
    WORK_DIR: dirs.work,
    RUN_DIR: dirs.run,
    SCRATCH_DIR: dirs.scratch,
    DB_SECRET_DIR: dirs.secrets,
    CONTENT_DIR: dirs.content,
    BACKUP_DIR: dirs.backups,
    DB_HOST: 'blog-mysql',
    DB_PORT: '3306',
    TABLE_PREFIX: 'wp_',
    WORDPRESS_IMAGE: 'wordpress:7.1.1-php8.3-apache',
    DESTINATION: 'claim',
    KEEP_LAST: '3',
    KEEP_DAILY: '7',
    KEEP_WEEKLY: '4',
    SCRATCH_START_SECONDS: '10',
    OVERWRITE: 'false',
    ...extraEnv,
  };
  return { root, env, dirs };
}

/** Runs one ConfigMap script with the shell its image has: bash for MySQL's, sh for the tools image's. */
export function runScript(box: Sandbox, script: string, env: Record<string, string> = {}): Promise<Run> {
  const shell = ['dump.sh', 'verify.sh', 'load.sh'].includes(script) ? 'bash' : 'sh';
  return new Promise((done) => {
    const child = spawn(shell, ['-c', SCRIPTS[script]], { env: { ...box.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => { stdout += chunk; });
    child.stderr.on('data', (chunk) => { stderr += chunk; });
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** The backup pod's steps in order, stopping at the first that fails, as its containers' `&&` and the kubelet do. */
export async function runBackup(box: Sandbox, env: Record<string, string> = {}, between?: (step: string) => void): Promise<Record<string, Run>> {
  const runs: Record<string, Run> = {};
  for (const step of ['dump.sh', 'verify.sh', 'archive.sh', 'store.sh']) {
    runs[step] = await runScript(box, step, env);
    if (runs[step].code !== 0) break;
    between?.(step);
  }
  return runs;
}

/** The JSON lines a run logged. */
export function jsonLines(run: Run): any[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
}

/** One request the fake S3 received. */
export interface S3Request {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  readonly checksum?: string;
  readonly sessionToken?: string;
  readonly body?: string;
}

/** A loopback S3-compatible endpoint: path-style PUT, GET, DELETE and ListObjectsV2, with injectable failures. */
export class FakeS3 {
  public readonly objects = new Map<string, Buffer>();
  public readonly requests: S3Request[] = [];
  /** Answer 500 to PUTs of keys ending in this. */
  public failPutOf?: string;
  private server?: Server;

  public async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((ready) => this.server!.listen(0, '127.0.0.1', ready));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public stop(): Promise<void> {
    return new Promise((done) => (this.server ? this.server.close(() => done()) : done()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://fake');
      const body = Buffer.concat(chunks);
      this.requests.push({
        method: req.method!, url: req.url!, authorization: req.headers.authorization, checksum: req.headers['x-amz-checksum-sha256'] as string | undefined,
        sessionToken: req.headers['x-amz-security-token'] as string | undefined, body: url.pathname === '/sts' ? body.toString() : undefined,
      });
      // STS AssumeRoleWithWebIdentity, as IRSA uses it: unsigned, the token in the form.
      if (url.pathname === '/sts') {
        return this.answer(res, 200, '<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>'
          + '<AccessKeyId>AKIDFAKE</AccessKeyId><SecretAccessKey>stsSecret</SecretAccessKey><SessionToken>FwoGZXIvYXdzEFAKE/token+=</SessionToken>'
          + '</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>');
      }
      if (!/^AWS4-HMAC-SHA256 Credential=AKIDFAKE\//.test(req.headers.authorization ?? '')) return this.answer(res, 403, '<Error><Code>AccessDenied</Code></Error>');
      const [, bucket, ...rest] = url.pathname.split('/');
      if (bucket !== 'backups') return this.answer(res, 404, '<Error><Code>NoSuchBucket</Code></Error>');
      const key = decodeURIComponent(rest.join('/'));
      if (req.method === 'PUT') {
        if (this.failPutOf && key.endsWith(this.failPutOf)) return this.answer(res, 500, '<Error><Code>InternalError</Code></Error>');
        const sum = createHash('sha256').update(body).digest('base64');
        if (req.headers['x-amz-checksum-sha256'] !== sum) return this.answer(res, 400, '<Error><Code>BadDigest</Code></Error>');
        this.objects.set(key, body);
        return this.answer(res, 200, '');
      }
      if (req.method === 'DELETE') {
        this.objects.delete(key);
        return this.answer(res, 204, '');
      }
      if (req.method === 'GET' && url.searchParams.get('list-type') === '2') {
        const prefix = url.searchParams.get('prefix') ?? '';
        const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
        // Two keys a page, so that the scripts' continuation is exercised.
        const start = Number(url.searchParams.get('continuation-token') ?? 0);
        const page = keys.slice(start, start + 2);
        const truncated = start + 2 < keys.length;
        return this.answer(res, 200, `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>backups</Name><Prefix>${prefix}</Prefix>`
          + page.map((k) => `<Contents><Key>${k}</Key><Size>1</Size></Contents>`).join('')
          + `<IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${start + 2}</NextContinuationToken>` : ''}</ListBucketResult>`);
      }
      if (req.method === 'GET') {
        const object = this.objects.get(key);
        if (!object) return this.answer(res, 404, '<Error><Code>NoSuchKey</Code></Error>');
        res.writeHead(200);
        return void res.end(object);
      }
      return this.answer(res, 405, '');
    });
  }

  private answer(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(body);
  }
}

/** Environment of an S3-compatible destination at the fake, with keys from a "Secret" directory. */
export function s3Env(box: Sandbox, endpoint: string): Record<string, string> {
  const keys = join(box.root, 's3-keys');
  mkdirSync(keys, { recursive: true });
  writeFileSync(join(keys, 'access-key-id'), 'AKIDFAKE');
  writeFileSync(join(keys, 'secret-access-key'), 'fakeSecretKey/with+chars');
  return { DESTINATION: 's3', S3_BASE: `${endpoint}/backups`, S3_REGION: 'us-east-1', S3_PREFIX: 'wordpress-backups/', S3_KEYS_DIR: keys };
}
