import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { buildDefaultApp } from '../../src/app';
import { InvalidPropError } from '../../src/common/errors';
import { loadAppConfig } from '../../src/config/load-app-config';

let work: string;
beforeAll(() => { work = mkdtempSync(join(tmpdir(), 'backup-config-')); });
afterAll(() => rmSync(work, { recursive: true, force: true }));

function objectsOf(yaml: string): any[] {
  const file = join(work, 'site.yaml');
  writeFileSync(file, yaml);
  return Testing.synth(buildDefaultApp(Testing.app(), loadAppConfig(file)).charts[0]) as any[];
}

describe('backup and restore in the config file', () => {
  test('an S3 destination with its own IAM role, a schedule and a restore', () => {
    // Given a config file with an S3 backup through Pod Identity and a restore of the latest backup
    const objects = objectsOf([
      'platform: eks',
      'ingress: { hosts: [blog.example.com] }',
      'backup:',
      '  destination: { s3: { bucket: acme-backups, region: eu-west-1, roleArn: "arn:aws:iam::123456789012:role/backup", identityMode: pod-identity } }',
      '  schedule: "15 1 * * *"',
      '  timeZone: Europe/Dublin',
      'restore: { backup: latest, overwrite: true }',
    ].join('\n'));
    // Then the CronJob, its destination and the restore Job follow it
    const cron = objects.find((o) => o.kind === 'CronJob');
    expect(cron.spec).toMatchObject({ schedule: '15 1 * * *', timeZone: 'Europe/Dublin' });
    expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'wordpress-backup-scripts').data['site.env']).toContain("S3_BASE='https://acme-backups.s3.eu-west-1.amazonaws.com'");
    expect(objects.filter((o) => o.kind === 'Job').map((j) => j.metadata.name)).toContainEqual(expect.stringMatching(/^wordpress-restore-/));
  });

  test('backup: false turns backups off', () => {
    expect(objectsOf('backup: false').filter((o) => o.kind === 'CronJob')).toEqual([]);
  });

  test('the default app backs up to its claim', () => {
    expect(objectsOf('{}').find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'wordpress-backups')).toBeDefined();
  });

  test('two destinations at once are rejected naming backup.destination', () => {
    expect(() => objectsOf('backup: { destination: { claim: {}, s3Compatible: { endpoint: "https://r2.example.com", bucket: b-1, credentialsSecret: r2 } } }'))
      .toThrow(expect.objectContaining({ prop: 'backup.destination', allowed: 'exactly one of claim, s3 or s3Compatible' }) as InvalidPropError);
  });
});
