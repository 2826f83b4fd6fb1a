import { Testing } from 'cdk8s';
import { WordPressChart, WordPressChartProps } from '../../charts/wordpress-chart';
import { BackupDestination } from '../../src/backup/backup-destination';
import { dailyScheduleFor } from '../../src/backup/schedule';
import { BACKUP_SCRIPTS, RESTORE_SCRIPTS } from '../../src/backup/scripts';
import { Credentials } from '../../src/credentials/credentials';
import { ExternalDatabaseOptions } from '../../src/database/external-database';
import { WorkloadIdentity } from '../../src/eks/iam/irsa-and-pod-identity';
import { all, find, Manifest } from '../helpers';
import { expectRejected, rejectionOf } from '../support/rejection';
import { validationErrors } from '../support/validity';

const ROLE = 'arn:aws:iam::123456789012:role/blog-backup';

function synthSite(props: Partial<WordPressChartProps> = {}): Manifest[] {
  return Testing.synth(new WordPressChart(Testing.app(), 'site', { namespace: 'blog', releaseName: 'blog', ingress: { hosts: ['blog.example.com'] }, ...props })) as Manifest[];
}

function policies(objects: Manifest[]): Record<string, any> {
  return Object.fromEntries(all(objects, 'NetworkPolicy').filter((p) => p.metadata.name.includes('backup')).map((p) => [p.metadata.name, p.spec]));
}

const backupPod = { 'app.kubernetes.io/name': 'wordpress', 'app.kubernetes.io/instance': 'blog', 'app.kubernetes.io/component': 'backup' };
const mysqlPod = { 'app.kubernetes.io/name': 'mysql', 'app.kubernetes.io/instance': 'blog', 'app.kubernetes.io/component': 'database' };

describe('the backup CronJob', () => {
  test('is on by default: daily to a claim in the namespace, one run at a time, with deadlines', () => {
    const objects = synthSite();
    const cron = find(objects, 'CronJob', 'blog-backup');
    expect(cron.spec).toMatchObject({
      schedule: dailyScheduleFor('blog/blog'),
      timeZone: 'Etc/UTC',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 3600,
      jobTemplate: { spec: { backoffLimit: 1, activeDeadlineSeconds: 10800 } },
    });
    expect(find(objects, 'PersistentVolumeClaim', 'blog-backups').spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    // Dump and verify before the store step, which alone writes to the destination
    expect(pod.initContainers.map((c: any) => [c.name, c.command])).toEqual([['database', ['bash', '-c', 'bash /scripts/dump.sh && bash /scripts/verify.sh']]]);
    expect(pod.containers.map((c: any) => [c.name, c.command])).toEqual([['store', ['sh', '-c', 'sh /scripts/archive.sh && sh /scripts/store.sh']]]);
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'backups', mountPath: '/backups' });
    expect(pod.volumes).toContainEqual({ name: 'backups', persistentVolumeClaim: { claimName: 'blog-backups' } });
  });

  test('runs under restricted Pod Security with its own ServiceAccount, no API token and the content read-only', () => {
    const pod = find(synthSite(), 'CronJob').spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'blog-backup', automountServiceAccountToken: false, restartPolicy: 'Never' });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, fsGroup: 33, seccompProfile: { type: 'RuntimeDefault' } });
    for (const container of [...pod.initContainers, ...pod.containers]) {
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(container.resources).toEqual({ requests: { cpu: '100m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } });
    }
    expect(pod.volumes).toContainEqual({ name: 'content', persistentVolumeClaim: { claimName: 'blog-content', readOnly: true } });
    // The root password is not mounted: the dump runs as the application user
    const secret = pod.volumes.find((v: any) => v.name === 'db-credentials').secret;
    expect(secret.items.map((i: any) => i.key)).toEqual(['database', 'username', 'password']);
    expect(find(synthSite(), 'ServiceAccount', 'blog-backup').automountServiceAccountToken).toBe(false);
  });

  test('the dump and verify steps run the site\'s pinned MySQL image; the scripts come from the ConfigMap', () => {
    const objects = synthSite();
    const pod = find(objects, 'CronJob').spec.jobTemplate.spec.template.spec;
    const mysql = find(objects, 'StatefulSet').spec.template.spec.containers[0].image;
    expect(pod.initContainers.map((c: any) => c.image)).toEqual([mysql]);
    const { ['site.env']: siteEnv, ...scripts } = find(objects, 'ConfigMap', 'blog-backup-scripts').data;
    expect(scripts).toEqual(BACKUP_SCRIPTS);
    expect(siteEnv).toContain("SITE='blog'\nNAMESPACE='blog'\nDB_HOST='blog-mysql'\nDB_PORT='3306'\nDESTINATION='claim'\nBACKUP_DIR='/backups'\n");
    // No setting travels as container env
    expect(pod.initContainers[0].env).toBeUndefined();
  });

  test.each([
    { case: 'ReadWriteOnce content: beside the WordPress pod', wordpress: {}, affinity: true },
    { case: 'ReadWriteMany content: anywhere', wordpress: { replicas: 2, storage: { accessMode: 'ReadWriteMany' as const, storageClassName: 'efs' } }, affinity: false },
  ])('schedules the backup pod for $case', ({ wordpress, affinity }) => {
    const pod = find(synthSite({ wordpress }), 'CronJob').spec.jobTemplate.spec.template.spec;
    if (!affinity) return expect(pod.affinity).toBeUndefined();
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{
      labelSelector: { matchLabels: { ...backupPod, 'app.kubernetes.io/name': 'wordpress', 'app.kubernetes.io/component': 'web' } },
      topologyKey: 'kubernetes.io/hostname',
    }]);
  });

  test('with a claim, the NetworkPolicies allow exactly backup -> MySQL 3306 and MySQL <- backup', () => {
    expect(policies(synthSite())).toEqual({
      'blog-backup-to-mysql': { podSelector: { matchLabels: backupPod }, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 3306 }], to: [{ podSelector: { matchLabels: mysqlPod } }] }] },
      'blog-mysql-from-backup': { podSelector: { matchLabels: mysqlPod }, policyTypes: ['Ingress'], ingress: [{ ports: [{ protocol: 'TCP', port: 3306 }], from: [{ podSelector: { matchLabels: backupPod } }] }] },
    });
  });

  test('to S3 with IRSA: the identity is on the backup ServiceAccount only, and egress is HTTPS to public addresses', () => {
    const objects = synthSite({ backup: { destination: BackupDestination.s3({ bucket: 'acme-backups', region: 'eu-west-1', identity: WorkloadIdentity.irsa(ROLE) }) } });
    expect(find(objects, 'ServiceAccount', 'blog-backup').metadata.annotations).toMatchObject({ 'eks.amazonaws.com/role-arn': ROLE });
    expect(find(objects, 'ServiceAccount', 'blog').metadata.annotations).toBeUndefined();
    expect(all(objects, 'PersistentVolumeClaim').map((c) => c.metadata.name)).toEqual(['blog-content']);
    expect(find(objects, 'ConfigMap', 'blog-backup-scripts').data['site.env'])
      .toContain("DESTINATION='s3'\nS3_BASE='https://acme-backups.s3.eu-west-1.amazonaws.com'\nS3_REGION='eu-west-1'\nS3_PREFIX='wordpress-backups/'\n");
    const egress = policies(objects)['blog-backup-to-destination'];
    expect(egress.egress[0].ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    expect(egress.egress[0].to[0].ipBlock).toMatchObject({ cidr: '0.0.0.0/0', except: expect.arrayContaining(['10.0.0.0/8', '169.254.0.0/16']) });
    // STS is public on 443: no separate policy
    expect(Object.keys(policies(objects)).sort()).toEqual(['blog-backup-to-destination', 'blog-backup-to-mysql', 'blog-mysql-from-backup']);
  });

  test('to S3 with Pod Identity: the agent\'s link-local address on port 80 is allowed too', () => {
    const objects = synthSite({ backup: { destination: BackupDestination.s3({ bucket: 'acme-backups', region: 'eu-west-1', identity: WorkloadIdentity.podIdentity(ROLE) }) } });
    expect(policies(objects)['blog-backup-identity-out'].egress).toEqual([{
      ports: [{ protocol: 'TCP', port: 80 }], to: [{ ipBlock: { cidr: '169.254.170.23/32' } }, { ipBlock: { cidr: 'fd00:ec2::23/128' } }],
    }]);
  });

  test('to an S3-compatible endpoint: keys from the Secret as files, egress to its port and ranges, the Secret declared external', () => {
    const objects = synthSite({
      backup: { destination: BackupDestination.s3Compatible({ endpoint: 'http://minio.storage.svc:9000', bucket: 'backups', credentialsSecret: 'minio-keys', cidrs: ['10.96.0.0/12'] }) },
    });
    const cron = find(objects, 'CronJob');
    expect(cron.metadata.annotations).toEqual({ 'cdk8s-wordpress-eks/external-refs': 'Secret/minio-keys' });
    const pod = cron.spec.jobTemplate.spec.template.spec;
    expect(pod.volumes).toContainEqual({ name: 's3-credentials', secret: { secretName: 'minio-keys', defaultMode: 0o440 } });
    expect(find(objects, 'ConfigMap', 'blog-backup-scripts').data['site.env']).toContain("S3_BASE='http://minio.storage.svc:9000/backups'\nS3_REGION='us-east-1'\nS3_PREFIX='wordpress-backups/'\nS3_KEYS_DIR='/etc/backup/s3'\n");
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 's3-credentials', mountPath: '/etc/backup/s3', readOnly: true });
    expect(JSON.stringify(pod)).not.toMatch(/secretKeyRef/);
    expect(policies(objects)['blog-backup-to-destination'].egress).toEqual([{ ports: [{ protocol: 'TCP', port: 9000 }], to: [{ ipBlock: { cidr: '10.96.0.0/12' } }] }]);
  });

  test('schedule, time zone and retention are the user\'s to choose', () => {
    const cron = find(synthSite({ backup: { schedule: '30 2 * * 1-5', timeZone: 'Europe/Berlin', retention: { keepLast: 5, keepDaily: 14, keepWeekly: 8 } } }), 'CronJob');
    expect(cron.spec).toMatchObject({ schedule: '30 2 * * 1-5', timeZone: 'Europe/Berlin' });
    expect(find(synthSite({ backup: { retention: { keepLast: 5, keepDaily: 14, keepWeekly: 8 } } }), 'ConfigMap', 'blog-backup-scripts').data['site.env'])
      .toContain("KEEP_LAST='5'\nKEEP_DAILY='14'\nKEEP_WEEKLY='8'\n");
  });

  test('backup: false leaves no backup object', () => {
    const objects = synthSite({ backup: false });
    expect(objects.filter((o) => o.metadata.name.includes('backup'))).toEqual([]);
  });

  test.each([
    { case: 'the claim', variant: { destination: BackupDestination.claim() } },
    { case: 'IRSA', variant: { destination: BackupDestination.s3({ bucket: 'acme-backups', region: 'eu-west-1', identity: WorkloadIdentity.irsa(ROLE) }) } },
    { case: 'S3-compatible endpoint', variant: { destination: BackupDestination.s3Compatible({ endpoint: 'https://r2.example.com', bucket: 'b-1', region: 'auto', credentialsSecret: 'r2' }) } },
  ])('is strictly valid on Kubernetes 1.28 and 1.36 with its restore Job ($case)', ({ variant }) => {
    const objects = synthSite({ backup: variant, restore: { backup: 'latest' }, credentials: Credentials.generated() });
    expect(validationErrors(objects)).toEqual([]);
  });
});

describe('content-only backups of a site with an external database', () => {
  const AURORA: ExternalDatabaseOptions = {
    host: 'blog.cluster-abcdefghijkl.eu-west-1.rds.amazonaws.com',
    databaseName: 'blog',
    caBundle: { configMapName: 'rds-ca', key: 'global-bundle.pem' },
    secretsManager: { secretId: 'rds!cluster-0123abcd-4567-89ef-0123-456789abcdef', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/blog-db-secret' },
    network: { cidrs: ['10.0.0.0/16'] },
  };
  const restoreJob = (objects: Manifest[]) => all(objects, 'Job').find((j) => j.metadata.name.startsWith('blog-restore-'))!;

  test('the chart backs up wp-content by default: no dump step, no database Secret, the manifest told the database is external', () => {
    // Given a site on Aurora with the default backup
    const objects = synthSite({ externalDatabase: AURORA });
    // Then there is a backup CronJob whose only step archives and stores wp-content
    const pod = find(objects, 'CronJob', 'blog-backup').spec.jobTemplate.spec.template.spec;
    expect(pod.initContainers).toBeUndefined();
    expect(pod.containers.map((c: any) => [c.name, c.command])).toEqual([['store', ['sh', '-c', 'sh /scripts/archive.sh && sh /scripts/store.sh']]]);
    expect(pod.volumes.map((v: any) => v.name)).toEqual(['scripts', 'work', 'run', 'content', 'backups']);
    // And its settings say the database is external, with no database host
    const siteEnv = find(objects, 'ConfigMap', 'blog-backup-scripts').data['site.env'];
    expect(siteEnv).toContain("SITE='blog'\nNAMESPACE='blog'\nDATABASE='external'\nDESTINATION='claim'\n");
    expect(siteEnv).not.toContain('DB_HOST');
  });

  test('no NetworkPolicy opens a flow to or from MySQL; S3 egress remains', () => {
    const destination = BackupDestination.s3({ bucket: 'acme-backups', region: 'eu-west-1', identity: WorkloadIdentity.irsa(ROLE) });
    const objects = synthSite({ externalDatabase: AURORA, backup: { destination } });
    expect(Object.keys(policies(objects))).toEqual(['blog-backup-to-destination']);
    expect(all(objects, 'NetworkPolicy').map((p) => p.metadata.name).filter((name) => name.includes('mysql'))).toEqual([]);
  });

  test('the restore Job fetches and extracts wp-content, with no database step', () => {
    const pod = restoreJob(synthSite({ externalDatabase: AURORA, restore: {} })).spec.template.spec;
    expect([...pod.initContainers, ...pod.containers].map((c: any) => c.name)).toEqual(['fetch', 'content']);
    expect(pod.volumes.map((v: any) => v.name)).not.toContain('db-credentials');
  });

  test('is strictly valid on Kubernetes 1.28 and 1.36 with its restore Job', () => {
    const objects = synthSite({ externalDatabase: AURORA, restore: { backup: 'latest' } });
    expect(validationErrors(objects)).toEqual([]);
  });
});

describe('backup schedules', () => {
  test('a fleet of 1000 sites is spread over the day: no minute has more than 5 sites, every hour has some', () => {
    // Given 1000 site names
    const minutes = new Map<string, number>();
    const hours = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const [minute, hour] = dailyScheduleFor(`site-${i}/site-${i}`).split(' ');
      minutes.set(`${hour}:${minute}`, (minutes.get(`${hour}:${minute}`) ?? 0) + 1);
      hours.set(hour, (hours.get(hour) ?? 0) + 1);
    }
    // Then no minute starts more than a handful of dumps, and each hour of the day starts some
    expect(Math.max(...minutes.values())).toBeLessThanOrEqual(5);
    expect(hours.size).toBe(24);
    expect(Math.max(...hours.values())).toBeLessThan(70);
  });

  test('the schedule is stable for a site and a valid daily cron expression', () => {
    expect(dailyScheduleFor('blog/blog')).toBe(dailyScheduleFor('blog/blog'));
    expect(dailyScheduleFor('blog/blog')).toMatch(/^([0-5]?\d) (1?\d|2[0-3]) \* \* \*$/);
  });
});

describe('the restore Job', () => {
  const restoreJob = (objects: Manifest[]) => all(objects, 'Job').find((j) => j.metadata.name.startsWith('blog-restore-'))!;

  test('fetches, loads and extracts, named by a hash of its inputs so it runs once', () => {
    const objects = synthSite({ restore: { backup: '20261201T031700Z' } });
    const job = restoreJob(objects);
    expect(job.metadata.name).toMatch(/^blog-restore-[0-9a-f]{8}$/);
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.spec.backoffLimit).toBe(0);
    const pod = job.spec.template.spec;
    expect([...pod.initContainers, ...pod.containers].map((c: any) => c.name)).toEqual(['fetch', 'database', 'content']);
    expect(pod.containers[0].securityContext).toMatchObject({ runAsUser: 33 });
    expect(pod.volumes).toContainEqual({ name: 'content', persistentVolumeClaim: { claimName: 'blog-content', readOnly: false } });
    expect(pod.initContainers[0].env).toEqual([{ name: 'SOURCE_SITE', value: 'blog' }, { name: 'RESTORE_BACKUP', value: '20261201T031700Z' }]);
    const { ['site.env']: _env, ...scripts } = find(objects, 'ConfigMap', 'blog-restore-scripts').data;
    expect(scripts).toEqual(RESTORE_SCRIPTS);
    // The same inputs give the same name; other inputs another
    expect(restoreJob(synthSite({ restore: { backup: '20261201T031700Z' } })).metadata.name).toBe(job.metadata.name);
    expect(restoreJob(synthSite({ restore: { backup: '20261201T031700Z', overwrite: true } })).metadata.name).not.toBe(job.metadata.name);
  });

  test('restores another site\'s backups from S3 (production into staging)', () => {
    const destination = BackupDestination.s3({ bucket: 'acme-backups', region: 'eu-west-1', identity: WorkloadIdentity.irsa(ROLE) });
    const job = restoreJob(synthSite({ backup: { destination }, restore: { fromSite: 'production' } }));
    expect(job.spec.template.spec.initContainers[0].env).toEqual(expect.arrayContaining([{ name: 'SOURCE_SITE', value: 'production' }, { name: 'RESTORE_BACKUP', value: 'latest' }]));
  });
});

describe('bad backup and restore input is rejected naming the field', () => {
  test.each([
    { name: 'a cron schedule with six fields', props: { backup: { schedule: '0 0 3 * * *' } }, prop: 'backup.schedule', value: '0 0 3 * * *', allowed: 'five-field cron' },
    { name: 'an unknown time zone', props: { backup: { timeZone: 'Mars/Olympus' } }, prop: 'backup.timeZone', value: 'Mars/Olympus', allowed: 'IANA time zone' },
    { name: 'keeping no backup', props: { backup: { retention: { keepLast: 0 } } }, prop: 'backup.retention.keepLast', value: 0, allowed: 'from 1 to 1000' },
    { name: 'a restore of a made-up name', props: { restore: { backup: 'yesterday' } }, prop: 'restore.backup', value: 'yesterday', allowed: "'latest' or a backup's name" },
    { name: 'a restore from another site\'s claim', props: { restore: { fromSite: 'production' } }, prop: 'restore.fromSite', value: 'production', allowed: 'from an S3 destination' },
    { name: 'a restore without backups', props: { backup: false as const, restore: {} }, prop: 'restore', value: {}, allowed: 'nothing when backup is false' },
  ])('$name', ({ props, prop, value, allowed }) => {
    expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: false, ...props })), { prop, value, allowed });
  });

  test.each([
    { name: 'a bucket with upper case', build: () => BackupDestination.s3({ bucket: 'Acme', region: 'eu-west-1', identity: WorkloadIdentity.irsa(ROLE) }), prop: 'backup.destination.bucket', value: 'Acme' },
    { name: 'an endpoint with a path', build: () => BackupDestination.s3Compatible({ endpoint: 'https://r2.example.com/bucket', bucket: 'b-1', credentialsSecret: 'r2' }), prop: 'backup.destination.endpoint', value: 'https://r2.example.com/bucket' },
    { name: 'a prefix without a trailing slash', build: () => BackupDestination.s3({ bucket: 'acme', region: 'eu-west-1', prefix: 'backups', identity: WorkloadIdentity.irsa(ROLE) }), prop: 'backup.destination.prefix', value: 'backups' },
  ])('$name', ({ build, prop, value }) => {
    expect(build).toThrow(expect.objectContaining({ prop, value }));
  });
});
