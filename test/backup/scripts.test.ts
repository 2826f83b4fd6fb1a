import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'fs';
import { join } from 'path';
import { siteEnvFile } from '../../src/backup/scripts';
import { FakeS3, jsonLines, runBackup, runScript, s3Env, Sandbox, sandbox } from './harness';

const boxes: Sandbox[] = [];
function newBox(env: Record<string, string> = {}): Sandbox {
  const box = sandbox(env);
  boxes.push(box);
  return box;
}
afterAll(() => boxes.forEach((box) => rmSync(box.root, { recursive: true, force: true })));

function completeBackups(box: Sandbox): string[] {
  const dir = join(box.dirs.backups, 'blog');
  return existsSync(dir) ? readdirSync(dir).filter((name) => existsSync(join(dir, name, 'manifest.json'))) : [];
}

describe('backup to a claim', () => {
  test('dumps, archives, verifies in a scratch mysqld and stores a complete backup with its manifest', async () => {
    // Given a site with three tables and some wp-content
    const box = newBox();
    // When the backup pod's steps run
    const runs = await runBackup(box);
    // Then every step succeeds, and one complete backup is on the claim
    expect(Object.values(runs).map((run) => run.code)).toEqual([0, 0, 0, 0]);
    const [name] = completeBackups(box);
    expect(name).toMatch(/^\d{8}T\d{6}Z$/);
    const dir = join(box.dirs.backups, 'blog', name);
    expect(readdirSync(dir).sort()).toEqual(['database.sql.gz', 'manifest.json', 'wp-content.tar.gz']);
    // And the manifest has the time, site, versions, row counts, sizes and SHA-256 of each file
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest).toMatchObject({
      format: 1, name, site: 'blog', namespace: 'blog-ns', mysqlVersion: '8.4.11',
      wordpressImage: 'wordpress:7.1.1-php8.3-apache', wordpressDbVersion: '58975',
      tables: { wp_options: 2, wp_posts: 3, wp_empty: 0 },
    });
    expect(manifest.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (const file of ['database.sql.gz', 'wp-content.tar.gz']) {
      const data = readFileSync(join(dir, file));
      expect(manifest.files[file]).toMatchObject({ bytes: data.length, sha256: require('crypto').createHash('sha256').update(data).digest('hex') });
    }
    // And the tarball holds wp-content only, not WordPress core
    const listing = execFileSync('tar', ['-tzf', join(dir, 'wp-content.tar.gz')], { encoding: 'utf8' });
    expect(listing).toContain('wp-content/uploads/2026/12/photo.jpg');
    expect(listing).not.toContain('index.php');
    expect(manifest.files['wp-content.tar.gz'].entries).toBe(listing.trim().split('\n').length);
    // And the outcome is one JSON line saying it was verified and stored
    expect(jsonLines(runs['verify.sh'])).toEqual([expect.objectContaining({ event: 'backup', ok: true, stage: 'verify', backup: name })]);
    expect(jsonLines(runs['store.sh'])).toEqual([expect.objectContaining({ ok: true, stage: 'done', site: 'blog', backup: name })]);
  });

  test('mysqldump gets a consistent, complete dump and the password only through an option file', async () => {
    const box = newBox();
    await runBackup(box);
    const argv = readFileSync(box.env.FAKE_LOG, 'utf8');
    const dump = argv.split('\n').find((line) => line.startsWith('mysqldump '))!;
    for (const flag of ['--single-transaction', '--routines', '--triggers', '--events', '--hex-blob', '--skip-extended-insert']) {
      expect(dump).toContain(flag);
    }
    expect(dump).toMatch(/^mysqldump --defaults-file=\S+\/client\.cnf /);
    // The password is in the option file, never in any argv
    expect(argv).not.toContain('s3cretPassw0rd');
    expect(readFileSync(join(box.dirs.state, 'dump-options'), 'utf8')).toBe(
      '[client]\nuser="wp_user"\npassword="s3cretPassw0rd"\nhost="blog-mysql"\nport=3306\nprotocol=TCP\n');
    // And the scratch mysqld serves a socket only, from its emptyDir
    const mysqld = argv.split('\n').filter((line) => line.startsWith('mysqld '));
    expect(mysqld[0]).toContain('--initialize-insecure');
    expect(mysqld[1]).toMatch(/^mysqld --no-defaults --datadir=\S+\/scratch\/data .*--skip-networking/);
  });

  test('the site\'s settings come from site.env, as the ConfigMap ships them', async () => {
    // Given the settings in a site.env beside the scripts, and not in the environment
    const box = newBox();
    const settings = ['SITE', 'NAMESPACE', 'DB_HOST', 'DB_PORT', 'TABLE_PREFIX', 'WORDPRESS_IMAGE', 'DESTINATION', 'BACKUP_DIR', 'KEEP_LAST', 'KEEP_DAILY', 'KEEP_WEEKLY'];
    mkdirSync(box.env.SCRIPTS_DIR);
    writeFileSync(join(box.env.SCRIPTS_DIR, 'site.env'), siteEnvFile(Object.fromEntries(settings.map((key) => [key, box.env[key]]))));
    settings.forEach((key) => delete box.env[key]);
    // When the backup runs, Then it completes for that site
    const runs = await runBackup(box);
    expect(Object.values(runs).map((run) => run.code)).toEqual([0, 0, 0, 0]);
    expect(completeBackups(box)).toHaveLength(1);
  });

  test('retention keeps the last 3, the newest of each of 7 days and of 4 weeks, and removes the rest', async () => {
    // Given older complete backups (30 Nov 2026 is a Monday) and an incomplete leftover
    const box = newBox({ BACKUP_NAME: '20261201T031700Z' });
    const old = ['20261001T031700Z', '20261101T031700Z', '20261108T031700Z', '20261115T031700Z', '20261122T031700Z',
      '20261124T031700Z', '20261125T031700Z', '20261126T031700Z', '20261127T031700Z', '20261128T031700Z', '20261129T031700Z',
      '20261130T011700Z', '20261130T021700Z', '20261130T031700Z'];
    for (const name of old) {
      mkdirSync(join(box.dirs.backups, 'blog', name), { recursive: true });
      writeFileSync(join(box.dirs.backups, 'blog', name, 'manifest.json'), '{}');
    }
    mkdirSync(join(box.dirs.backups, 'blog', '.incomplete-20261130T041700Z'));
    // When the backup of 1 Dec runs
    const runs = await runBackup(box);
    expect(runs['store.sh'].code).toBe(0);
    // Then the last 3 (1 Dec, 30 Nov 03:17 and 02:17), the newest of 7 days (1 Dec, 30 Nov, 29 ... 25 Nov)
    // and the newest of 4 weeks (weeks of 30, 23, 16 and 9 Nov: 1 Dec, 29, 22 and 15 Nov) remain
    expect(completeBackups(box).sort()).toEqual([
      '20261115T031700Z', '20261122T031700Z', '20261125T031700Z', '20261126T031700Z', '20261127T031700Z',
      '20261128T031700Z', '20261129T031700Z', '20261130T021700Z', '20261130T031700Z', '20261201T031700Z',
    ]);
    expect(runs['store.sh'].stdout).toContain('retention removed 20261001T031700Z');
    // And the leftover of an interrupted run is gone
    expect(existsSync(join(box.dirs.backups, 'blog', '.incomplete-20261130T041700Z'))).toBe(false);
  });
});

describe('backup to an S3-compatible endpoint', () => {
  const s3 = new FakeS3();
  let endpoint: string;
  beforeAll(async () => { endpoint = await s3.start(); });
  afterAll(() => s3.stop());
  beforeEach(() => { s3.objects.clear(); s3.requests.length = 0; s3.failPutOf = undefined; });

  test('uploads the verified files with SigV4 and a SHA-256 the endpoint checks, the manifest last', async () => {
    const box = newBox();
    const runs = await runBackup(box, s3Env(box, endpoint));
    expect(runs['store.sh']).toMatchObject({ code: 0 });
    const puts = s3.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.url.split('/').pop())).toEqual(['database.sql.gz', 'wp-content.tar.gz', 'manifest.json']);
    expect(puts.every((r) => r.authorization!.startsWith('AWS4-HMAC-SHA256 Credential=AKIDFAKE/') && r.authorization!.includes('/us-east-1/s3/aws4_request'))).toBe(true);
    const name = jsonLines(runs['store.sh'])[0].backup;
    expect([...s3.objects.keys()].sort()).toEqual(['database.sql.gz', 'manifest.json', 'wp-content.tar.gz'].map((f) => `wordpress-backups/blog/${name}/${f}`));
    // The secret key never reaches an argv
    expect(readFileSync(box.env.FAKE_LOG, 'utf8')).not.toContain('fakeSecretKey');
  });

  test('with IRSA, trades the projected token at STS and signs with the temporary credentials and their session token', async () => {
    // Given no keys Secret, but the variables and token file the EKS pod identity webhook injects
    const box = newBox();
    const token = join(box.root, 'token');
    writeFileSync(token, 'eyJhbGciOiJSUzI1NiJ9.projected.token');
    const { S3_KEYS_DIR: _keys, ...env } = s3Env(box, endpoint);
    const irsa = { ...env, AWS_WEB_IDENTITY_TOKEN_FILE: token, AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/backup', STS_ENDPOINT: `${endpoint}/sts` };
    // When the backup runs
    const runs = await runBackup(box, irsa);
    // Then STS got the token in the form, and every upload carries the session token
    expect(runs['store.sh'].code).toBe(0);
    const sts = s3.requests.find((r) => r.url === '/sts')!;
    expect(new URLSearchParams(sts.body)).toEqual(new URLSearchParams({
      Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: 'arn:aws:iam::123456789012:role/backup',
      RoleSessionName: 'backup-blog', WebIdentityToken: 'eyJhbGciOiJSUzI1NiJ9.projected.token',
    }));
    const puts = s3.requests.filter((r) => r.method === 'PUT');
    expect(puts.map((r) => r.sessionToken)).toEqual(['FwoGZXIvYXdzEFAKE/token+=', 'FwoGZXIvYXdzEFAKE/token+=', 'FwoGZXIvYXdzEFAKE/token+=']);
    // And neither the token nor the secret reached an argv
    const argv = readFileSync(box.env.FAKE_LOG, 'utf8');
    expect(argv).not.toContain('stsSecret');
    expect(argv).not.toContain('projected.token');
  });

  test('retention lists every page of the bucket and deletes an expired backup, manifest first', async () => {
    const box = newBox({ KEEP_LAST: '1', KEEP_DAILY: '0', KEEP_WEEKLY: '0' });
    for (const name of ['20261101T031700Z', '20261102T031700Z']) {
      for (const file of ['database.sql.gz', 'wp-content.tar.gz', 'manifest.json']) s3.objects.set(`wordpress-backups/blog/${name}/${file}`, Buffer.from('x'));
    }
    const runs = await runBackup(box, s3Env(box, endpoint));
    expect(runs['store.sh'].code).toBe(0);
    const names = new Set([...s3.objects.keys()].map((key) => key.split('/')[2]));
    expect([...names]).toEqual([jsonLines(runs['store.sh'])[0].backup]);
    const deletes = s3.requests.filter((r) => r.method === 'DELETE').map((r) => r.url.split('/').slice(-2).join('/'));
    expect(deletes).toEqual(['20261102T031700Z', '20261101T031700Z'].flatMap((name) => ['manifest.json', 'database.sql.gz', 'wp-content.tar.gz'].map((f) => `${name}/${f}`)));
  });

  test('an upload answered with HTTP 500 fails the Job and leaves no complete backup', async () => {
    const box = newBox();
    s3.failPutOf = 'wp-content.tar.gz';
    const runs = await runBackup(box, s3Env(box, endpoint));
    expect(runs['store.sh'].code).not.toBe(0);
    expect(runs['store.sh'].stderr).toContain('uploading wp-content.tar.gz failed with HTTP 500');
    expect(jsonLines(runs['store.sh'])).toEqual([expect.objectContaining({ ok: false, stage: 'upload' })]);
    expect([...s3.objects.keys()].filter((key) => key.endsWith('manifest.json'))).toEqual([]);
  });
});

describe('a failure anywhere fails the Job, and nothing is reported good', () => {
  const dbFile = (box: Sandbox) => join(box.dirs.work, 'database.sql.gz');
  interface FailureCase {
    readonly case: string;
    readonly failingStep: string;
    readonly message: string;
    readonly env?: Record<string, string>;
    readonly prepare?: (box: Sandbox) => void;
    readonly between?: (step: string, box: Sandbox) => void;
  }
  test.each<FailureCase>([
    {
      case: 'the dump fails midway', failingStep: 'dump.sh', message: 'mysqldump or gzip failed',
      env: { FAKE_DUMP_FAIL: 'midway' },
    },
    {
      case: 'the disk is full while the dump is written', failingStep: 'dump.sh', message: 'mysqldump or gzip failed',
      prepare: (box: Sandbox) => symlinkSync('/dev/full', dbFile(box)),
    },
    {
      case: 'the dump changes after its checksum was recorded', failingStep: 'verify.sh', message: 'SHA-256 of database.sql.gz differs from the one recorded at dump time',
      between: (step: string, box: Sandbox) => {
        if (step === 'dump.sh') {
          const data = readFileSync(dbFile(box));
          unlinkSync(dbFile(box));
          writeFileSync(dbFile(box), Buffer.concat([data, Buffer.from('garbage')]));
        }
      },
    },
    {
      case: 'the archive changes after its checksum was recorded', failingStep: 'store.sh', message: 'SHA-256 of wp-content.tar.gz differs from the manifest',
      between: (step: string, box: Sandbox) => {
        if (step === 'archive.sh') writeFileSync(join(box.dirs.work, 'wp-content.tar.gz'), 'truncated');
      },
    },
    { case: 'CHECK TABLE finds a corrupt table', failingStep: 'verify.sh', message: 'CHECK TABLE reports restored.wp_posts', env: { FAKE_CORRUPT_TABLE: 'wp_posts' } },
    {
      case: 'a restored table has fewer rows than the manifest', failingStep: 'verify.sh',
      message: 'table wp_options has 1 rows restored, the manifest says 2', env: { FAKE_LOSE_ROW_OF: 'wp_options' },
    },
    { case: 'the dump does not load', failingStep: 'verify.sh', message: 'the dump does not load', env: { FAKE_LOAD_FAIL: '1' } },
  ])('$case', async ({ failingStep, message, env, prepare, between }) => {
    const box = newBox();
    prepare?.(box);
    const runs = await runBackup(box, env ?? {}, between ? (step) => between(step, box) : undefined);
    // The failing step exits non-zero with the reason, and logs ok: false
    expect(runs[failingStep].code).not.toBe(0);
    expect(runs[failingStep].stderr).toContain(message);
    expect(jsonLines(runs[failingStep]).map((line) => line.ok)).toEqual([false]);
    // No later step ran, nothing is on the claim, and no line anywhere says ok
    expect(Object.keys(runs).pop()).toBe(failingStep);
    expect(completeBackups(box)).toEqual([]);
    expect(Object.values(runs).flatMap(jsonLines).filter((line) => line.stage === 'done')).toEqual([]);
  });
});

describe('restore', () => {
  test('restores the latest backup from the claim into an empty database and content claim', async () => {
    // Given a backup on the claim, and then the post and upload deleted
    const box = newBox();
    await runBackup(box);
    rmSync(join(box.dirs.content, 'wp-content'), { recursive: true });
    rmSync(join(box.dirs.work), { recursive: true });
    mkdirSync(box.dirs.work);
    writeFileSync(join(box.dirs.state, 'loaded'), '');
    // When the restore Job's steps run
    const env = { RESTORE_BACKUP: 'latest' };
    const fetch = await runScript(box, 'fetch.sh', env);
    const load = await runScript(box, 'load.sh', env);
    const extract = await runScript(box, 'extract.sh', env);
    // Then all succeed, the dump was loaded into the site's database and wp-content is back
    expect([fetch.code, load.code, extract.code]).toEqual([0, 0, 0]);
    expect(readFileSync(join(box.dirs.state, 'loaded'), 'utf8')).toContain("INSERT INTO `wp_posts` VALUES (3,'Backups');");
    expect(readFileSync(join(box.dirs.content, 'wp-content', 'uploads', '2026', '12', 'photo.jpg'), 'utf8')).toBe('not really a jpeg');
    expect(jsonLines(extract)).toEqual([expect.objectContaining({ event: 'restore', ok: true, backup: completeBackups(box)[0] })]);
  });

  test('refuses a database that has tables unless overwrite is set', async () => {
    const box = newBox();
    await runBackup(box);
    const env = { RESTORE_BACKUP: 'latest', FAKE_EXISTING_TABLES: '12' };
    expect((await runScript(box, 'fetch.sh', env)).code).toBe(0);
    const refused = await runScript(box, 'load.sh', env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('database wordpress has 12 tables: refusing to overwrite it');
    const overwritten = await runScript(box, 'load.sh', { ...env, OVERWRITE: 'true' });
    expect(overwritten.code).toBe(0);
    expect(readFileSync(box.env.FAKE_LOG, 'utf8')).toContain('DROP TABLE `wp_old`;');
  });

  test('fetches a named backup of another site from S3 and refuses one whose checksum differs', async () => {
    const s3 = new FakeS3();
    const endpoint = await s3.start();
    try {
      const production = newBox({ SITE: 'production' });
      const backup = await runBackup(production, s3Env(production, endpoint));
      const name = jsonLines(backup['store.sh'])[0].backup;
      const staging = newBox({ SITE: 'staging' });
      const env = { ...s3Env(staging, endpoint), SOURCE_SITE: 'production', RESTORE_BACKUP: name };
      expect((await runScript(staging, 'fetch.sh', env)).code).toBe(0);
      expect(readFileSync(join(staging.dirs.work, 'name'), 'utf8').trim()).toBe(name);
      s3.objects.set(`wordpress-backups/production/${name}/database.sql.gz`, Buffer.from('tampered'));
      const tampered = await runScript(staging, 'fetch.sh', env);
      expect(tampered.code).not.toBe(0);
      expect(tampered.stderr).toContain('SHA-256 of database.sql.gz differs from the manifest');
    } finally {
      await s3.stop();
    }
  });
});

describe('content-only backups of a site with an external database', () => {
  /** The content-only backup pod: its one container archives and stores; no dump, no verify. */
  async function runContentBackup(box: Sandbox, env: Record<string, string> = {}, between?: (step: string) => void) {
    const runs: Record<string, Awaited<ReturnType<typeof runScript>>> = {};
    for (const step of ['archive.sh', 'store.sh']) {
      runs[step] = await runScript(box, step, env);
      if (runs[step].code !== 0) break;
      between?.(step);
    }
    return runs;
  }
  // The settings SiteBackup writes without an in-cluster database: no host, no port.
  const contentOnly = (): Sandbox => {
    const box = newBox({ DATABASE: 'external' });
    delete box.env.DB_HOST;
    delete box.env.DB_PORT;
    return box;
  };

  test('stores wp-content and a manifest that says the database is external, and touches no database', async () => {
    // Given a site whose database is in RDS
    const box = contentOnly();
    // When the backup pod's archive and store steps run
    const runs = await runContentBackup(box);
    // Then both succeed and one complete backup holds wp-content and the manifest only
    expect(Object.values(runs).map((run) => run.code)).toEqual([0, 0]);
    const [name] = completeBackups(box);
    expect(name).toMatch(/^\d{8}T\d{6}Z$/);
    const dir = join(box.dirs.backups, 'blog', name);
    expect(readdirSync(dir).sort()).toEqual(['manifest.json', 'wp-content.tar.gz']);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    const data = readFileSync(join(dir, 'wp-content.tar.gz'));
    expect(manifest).toEqual({
      format: 1, name, site: 'blog', namespace: 'blog-ns', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      database: 'external', wordpressImage: 'wordpress:7.1.1-php8.3-apache',
      files: { 'wp-content.tar.gz': { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex'), entries: expect.any(Number) } },
    });
    expect(jsonLines(runs['store.sh'])).toEqual([expect.objectContaining({ ok: true, stage: 'done', backup: name })]);
    // And no MySQL client ran
    expect(existsSync(box.env.FAKE_LOG) ? readFileSync(box.env.FAKE_LOG, 'utf8') : '').toBe('');
  });

  test('to S3: uploads wp-content then the manifest, and retention removes old backups', async () => {
    const s3 = new FakeS3();
    const endpoint = await s3.start();
    try {
      const box = contentOnly();
      box.env.KEEP_LAST = '1'; box.env.KEEP_DAILY = '0'; box.env.KEEP_WEEKLY = '0';
      for (const file of ['wp-content.tar.gz', 'manifest.json']) s3.objects.set(`wordpress-backups/blog/20261101T031700Z/${file}`, Buffer.from('x'));
      const runs = await runContentBackup(box, s3Env(box, endpoint));
      expect(runs['store.sh'].code).toBe(0);
      expect(s3.requests.filter((r) => r.method === 'PUT').map((r) => r.url.split('/').pop())).toEqual(['wp-content.tar.gz', 'manifest.json']);
      const name = jsonLines(runs['store.sh'])[0].backup;
      expect([...s3.objects.keys()].sort()).toEqual([`wordpress-backups/blog/${name}/manifest.json`, `wordpress-backups/blog/${name}/wp-content.tar.gz`]);
    } finally {
      await s3.stop();
    }
  });

  test('an archive changed after its checksum was recorded fails the store step, and nothing is stored', async () => {
    const box = contentOnly();
    const runs = await runContentBackup(box, {}, (step) => {
      if (step === 'archive.sh') writeFileSync(join(box.dirs.work, 'wp-content.tar.gz'), 'truncated');
    });
    expect(runs['store.sh'].code).not.toBe(0);
    expect(runs['store.sh'].stderr).toContain('SHA-256 of wp-content.tar.gz differs from the manifest');
    expect(jsonLines(runs['store.sh']).map((line) => line.ok)).toEqual([false]);
    expect(completeBackups(box)).toEqual([]);
  });

  test('restore: fetches and checks wp-content and puts it back; loading a database from it is refused', async () => {
    // Given a content-only backup, and then the uploads deleted
    const box = contentOnly();
    await runContentBackup(box);
    rmSync(join(box.dirs.content, 'wp-content'), { recursive: true });
    rmSync(box.dirs.work, { recursive: true });
    mkdirSync(box.dirs.work);
    // When the restore Job's steps run: fetch, then extract (no database step)
    const env = { RESTORE_BACKUP: 'latest' };
    const fetch = await runScript(box, 'fetch.sh', env);
    const extract = await runScript(box, 'extract.sh', env);
    // Then wp-content is back
    expect([fetch.code, extract.code]).toEqual([0, 0]);
    expect(existsSync(join(box.dirs.work, 'database.sql.gz'))).toBe(false);
    expect(readFileSync(join(box.dirs.content, 'wp-content', 'uploads', '2026', '12', 'photo.jpg'), 'utf8')).toBe('not really a jpeg');
    // And a database step, had a site with MySQL been given this backup, says why it cannot load it
    const load = await runScript(box, 'load.sh', env);
    expect(load.code).not.toBe(0);
    expect(load.stderr).toContain('has no database dump: it is content only');
  });

  test('restore refuses a content-only backup whose archive differs from the manifest', async () => {
    const box = contentOnly();
    await runContentBackup(box);
    const [name] = completeBackups(box);
    writeFileSync(join(box.dirs.backups, 'blog', name, 'wp-content.tar.gz'), 'tampered');
    const fetch = await runScript(box, 'fetch.sh', { RESTORE_BACKUP: name });
    expect(fetch.code).not.toBe(0);
    expect(fetch.stderr).toContain('SHA-256 of wp-content.tar.gz differs from the manifest');
  });
});
