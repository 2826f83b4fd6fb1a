import { Chart } from 'cdk8s';
import { MySql, MySqlProps } from '../src/mysql/mysql';
import { BINLOG_RETENTION_SECONDS, MAX_BINLOG_SIZE_BYTES, renderMySqlConfig } from '../src/mysql/mysql-config';
import { find, mainContainer, synth, testChart, testLabels } from './helpers';
import { expectRejected, rejectionOf, RejectionCase } from './support/rejection';

const credentials = { secretNames: { database: 'db-secret', wordpressKeys: 'keys-secret' }, workloadAnnotations: {} };

function synthMySql(props: Partial<ConstructorParameters<typeof MySql>[2]> = {}) {
  const chart = testChart();
  const mysql = new MySql(chart, 'mysql', { credentials, labels: testLabels, name: 'site-mysql', ...props });
  return { mysql, objects: synth(chart) };
}

describe('MySql', () => {
  test('data directory lives on a claim template, mounted through a subPath', () => {
    // Given the default MySql
    const { objects } = synthMySql();
    // When the StatefulSet is inspected
    const sts = find(objects, 'StatefulSet', 'site-mysql');
    // Then the claim template requests 20Gi RWO from the default class, and the mount uses a subPath
    expect(sts.spec.volumeClaimTemplates).toEqual([expect.objectContaining({
      metadata: expect.objectContaining({ name: 'data' }),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } } },
    })]);
    expect(mainContainer(sts).volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/lib/mysql', subPath: 'mysql' });
    // and no plain PVC is created beside it
    expect(objects.filter((o) => o.kind === 'PersistentVolumeClaim')).toHaveLength(0);
  });

  test('storage size and class are props; the quantity is a string, not null', () => {
    const { objects } = synthMySql({ storage: { size: '50Gi', storageClassName: 'gp3' } });
    const claim = find(objects, 'StatefulSet').spec.volumeClaimTemplates[0];
    expect(claim.spec.storageClassName).toBe('gp3');
    expect(claim.spec.resources.requests.storage).toBe('50Gi');
  });

  test('serviceName is a headless Service; clients get a separate ClusterIP Service', () => {
    const { objects, mysql } = synthMySql();
    const sts = find(objects, 'StatefulSet');
    const headless = find(objects, 'Service', sts.spec.serviceName);
    const client = find(objects, 'Service', mysql.host);
    expect(headless.spec.clusterIP).toBe('None');
    expect(client.spec.type).toBe('ClusterIP');
    expect(client.spec.clusterIP).toBeUndefined();
    expect(client.spec.publishNotReadyAddresses).toBeUndefined();
    for (const service of [headless, client]) {
      expect(service.spec.selector).toEqual(sts.spec.selector.matchLabels);
      expect(service.spec.ports).toEqual([{ name: 'mysql', port: 3306, targetPort: 'mysql' }]);
    }
  });

  test('credentials come from the Secret through _FILE variables, root only from localhost', () => {
    const { objects } = synthMySql();
    const sts = find(objects, 'StatefulSet');
    const container = mainContainer(sts);
    expect(container.env).toEqual([
      { name: 'MYSQL_DATABASE_FILE', value: '/etc/mysql/credentials/database' },
      { name: 'MYSQL_USER_FILE', value: '/etc/mysql/credentials/username' },
      { name: 'MYSQL_PASSWORD_FILE', value: '/etc/mysql/credentials/password' },
      { name: 'MYSQL_ROOT_PASSWORD_FILE', value: '/etc/mysql/credentials/root-password' },
      { name: 'MYSQL_ROOT_HOST', value: 'localhost' },
    ]);
    // No plain variable beside its _FILE twin: the entrypoint exits when both are set.
    const names = container.env.map((e: any) => e.name);
    expect(names.filter((n: string) => names.includes(`${n}_FILE`))).toEqual([]);
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'credentials', secret: { secretName: 'db-secret', defaultMode: 0o440 } });
  });

  test('my.cnf overrides are mounted into conf.d and roll the pod when they change', () => {
    const first = synthMySql().objects;
    const second = synthMySql({ configOverrides: { max_connections: 300 } }).objects;
    const config = find(first, 'ConfigMap', 'site-mysql-config');
    expect(config.data['wordpress.cnf']).toContain('innodb_buffer_pool_size = 512M');
    const sts = find(first, 'StatefulSet');
    expect(mainContainer(sts).volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/mysql/conf.d', readOnly: true });
    expect(sts.spec.template.spec.volumes).toContainEqual({ name: 'config', configMap: { name: 'site-mysql-config' } });
    const hash = (objects: any[]) => find(objects, 'StatefulSet').spec.template.metadata.annotations['cdk8s-wordpress-eks/config-hash'];
    expect(hash(first)).not.toEqual(hash(second));
    expect(find(second, 'ConfigMap').data['wordpress.cnf']).toContain('max_connections = 300');
  });

  test('probes: minutes of startup budget, readiness logs in over TCP, liveness only pings', () => {
    const container = mainContainer(find(synthMySql().objects, 'StatefulSet'));
    expect(container.startupProbe.tcpSocket.port).toBe('mysql');
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
    const readiness = container.readinessProbe.exec.command.join(' ');
    expect(readiness).toContain('--protocol=TCP -h 127.0.0.1');
    expect(readiness).toContain('/etc/mysql/credentials/password');
    expect(readiness).toContain("SELECT 1");
    expect(container.livenessProbe.exec.command.slice(0, 2)).toEqual(['mysqladmin', 'ping']);
    expect(JSON.stringify(container.livenessProbe)).not.toContain('password');
  });

  test('runs as mysql (999) on a read-only root with writable socket and tmp dirs', () => {
    const sts = find(synthMySql().objects, 'StatefulSet');
    const pod = sts.spec.template.spec;
    expect(pod.securityContext).toEqual({
      runAsNonRoot: true, runAsUser: 999, runAsGroup: 999, fsGroup: 999,
      fsGroupChangePolicy: 'OnRootMismatch', seccompProfile: { type: 'RuntimeDefault' },
    });
    const container = mainContainer(sts);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsUser: 999,
    });
    const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    expect(mounts['/var/run/mysqld']).toBe('run');
    expect(mounts['/tmp']).toBe('tmp');
    const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
    expect(volumes.run.emptyDir).toBeDefined();
    expect(volumes.tmp.emptyDir).toBeDefined();
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(60);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('resources have defaults and props; the buffer pool follows the memory limit', () => {
    const container = mainContainer(find(synthMySql({ resources: { limits: { memory: '4Gi' }, requests: { memory: '2Gi' } } }).objects, 'StatefulSet'));
    expect(container.resources).toEqual({ requests: { cpu: '250m', memory: '2Gi' }, limits: { cpu: '1', memory: '4Gi' } });
    expect(renderMySqlConfig('4Gi')).toContain('innodb_buffer_pool_size = 2048M');
  });

  describe('binary logs are bounded by time and file size, not left to fill the volume', () => {
    test('3 days (a daily backup plus two missed runs) in 100M files, instead of 30 days in 1G files', () => {
      // Given the default config
      const lines = renderMySqlConfig('1Gi').split('\n');
      // Then binlogs expire after 3 days and rotate every 100M, so expiry frees space in small steps
      expect(lines).toContain('binlog_expire_logs_seconds = 259200');
      expect(lines).toContain('max_binlog_size = 100M');
    });

    test('at the bound, a busy site\'s binlogs take under a third of the default volume', () => {
      // Given a busy site writing 2 GiB of binlog a day on the default 20Gi volume
      const dailyBinlogBytes = 2 * 2 ** 30;
      const volumeBytes = 20 * 2 ** 30;
      // When binlogs are kept to the retention, plus the file being written and the one waiting for expiry
      const worstCase = dailyBinlogBytes * (BINLOG_RETENTION_SECONDS / 86400) + 2 * MAX_BINLOG_SIZE_BYTES;
      // Then the data keeps most of the volume (30 days would need 60 GiB)
      expect(worstCase).toBeLessThan(volumeBytes / 3);
    });

    test('an override changes the retention (e.g. for weekly backups) and replaces the default', () => {
      const config = renderMySqlConfig('1Gi', { 'binlog-expire-logs-seconds': 8 * 86400 });
      expect(config.split('\n').filter((line) => line.includes('binlog_expire_logs_seconds'))).toEqual(['binlog_expire_logs_seconds = 691200']);
    });
  });

  test('a patch upgrade within 8.4 rolls the one pod in place: RollingUpdate, no partition, same claim', () => {
    // Given the same database on 8.4.11 and on 8.4.12
    const before = find(synthMySql({ image: 'mysql:8.4.11' }).objects, 'StatefulSet');
    const after = find(synthMySql({ image: 'mysql:8.4.12' }).objects, 'StatefulSet');
    // Then only the image differs, and the controller replaces the pod on the same claim template
    expect(after.spec.updateStrategy).toEqual({ type: 'RollingUpdate' });
    expect(mainContainer(after).image).toBe('mysql:8.4.12');
    expect({ ...after.spec, template: undefined }).toEqual({ ...before.spec, template: undefined });
    expect({ ...mainContainer(after), image: undefined }).toEqual({ ...mainContainer(before), image: undefined });
  });

  test('option names are normalised: a dashed override replaces the default instead of adding a second line', () => {
    // Given an override spelled with dashes and one with the loose- prefix
    const config = renderMySqlConfig('1Gi', { 'max-connections': 300, 'loose-local-infile': 0, 'loose-host-cache-size': 10 });
    // Then one max_connections line remains, with the override, and the names use underscores
    expect(config.split('\n').filter((line) => line.startsWith('max_connections'))).toEqual(['max_connections = 300']);
    expect(config).not.toContain('max-connections');
    // and loose- stays (it only makes an unknown option a warning) while still replacing the default
    expect(config).toContain('loose_local_infile = 0');
    expect(config.split('\n').filter((line) => line.includes('host_cache_size'))).toEqual(['loose_host_cache_size = 10']);
  });

  describe('rejects bad input before anything is written', () => {
    const cases: (RejectionCase & { props: Partial<MySqlProps> })[] = [
      { name: 'an underscore in the name', props: { name: 'Bad_Name' }, prop: 'mysql.name', value: 'Bad_Name', allowed: 'a DNS-1123 label of at most 52 characters' },
      { name: 'an untagged image', props: { image: 'mysql' }, prop: 'mysql.image', value: 'mysql', allowed: 'an image reference pinned to a version tag or a sha256 digest' },
      { name: 'the latest tag', props: { image: 'mysql:latest' }, prop: 'mysql.image', value: 'mysql:latest', allowed: 'pinned to a version tag' },
      { name: 'a size in GB instead of Gi', props: { storage: { size: '20GB' } }, prop: 'mysql.storage.size', value: '20GB', allowed: 'a positive Kubernetes quantity' },
      { name: 'a zero size', props: { storage: { size: '0' } }, prop: 'mysql.storage.size', value: '0', allowed: 'a positive Kubernetes quantity' },
      { name: 'an upper-case StorageClass', props: { storage: { storageClassName: 'GP3' } }, prop: 'mysql.storage.storageClassName', value: 'GP3', allowed: 'a DNS-1123 subdomain' },
      { name: 'a memory limit under 512Mi', props: { resources: { limits: { memory: '256Mi' }, requests: { memory: '256Mi' } } }, prop: 'mysql.resources.limits.memory', value: '256Mi', allowed: 'at least 512Mi' },
      { name: 'a memory request over the limit', props: { resources: { requests: { memory: '2Gi' } } }, prop: 'mysql.resources.requests.memory', value: '2Gi', allowed: 'at most the limit 1Gi (mysql.resources.limits.memory)' },
      { name: 'a CPU limit that is not a quantity', props: { resources: { limits: { cpu: 'lots' } } }, prop: 'mysql.resources.limits.cpu', value: 'lots', allowed: 'a positive Kubernetes quantity' },
      { name: 'a grace period too short for InnoDB', props: { terminationGracePeriodSeconds: 5 }, prop: 'mysql.terminationGracePeriodSeconds', value: 5, allowed: 'an integer from 30 to 3600' },
      { name: 'an option name with a space', props: { configOverrides: { 'bad option': 1 } }, prop: 'mysql.configOverrides.bad option', value: 'bad option', allowed: 'a mysqld option name' },
      { name: 'a multi-line value', props: { configOverrides: { sql_mode: 'a\nb' } }, prop: 'mysql.configOverrides.sql_mode', value: 'a\nb', allowed: 'a single-line value' },
      { name: 'two spellings of one option', props: { configOverrides: { max_connections: 200, 'max-connections': 300 } }, prop: 'mysql.configOverrides.max-connections', value: 300, allowed: 'one spelling per option (max_connections' },
      { name: 'skip-grant-tables (no authentication)', props: { configOverrides: { 'skip-grant-tables': 'ON' } }, prop: 'mysql.configOverrides.skip-grant-tables', value: 'ON', allowed: 'it turns authentication off' },
      { name: 'loose_skip_grant_tables', props: { configOverrides: { loose_skip_grant_tables: 1 } }, prop: 'mysql.configOverrides.loose_skip_grant_tables', value: 1, allowed: 'it turns authentication off' },
      { name: 'disable-grant-tables', props: { configOverrides: { 'disable-grant-tables': 1 } }, prop: 'mysql.configOverrides.disable-grant-tables', value: 1, allowed: 'it turns authentication off' },
      { name: 'skip-networking (no TCP for WordPress and the probe)', props: { configOverrides: { 'skip-networking': 1 } }, prop: 'mysql.configOverrides.skip-networking', value: 1, allowed: 'it closes TCP' },
      { name: 'bind-address', props: { configOverrides: { 'bind-address': '127.0.0.1' } }, prop: 'mysql.configOverrides.bind-address', value: '127.0.0.1', allowed: 'mysqld on every address' },
      { name: 'another port', props: { configOverrides: { port: 3307 } }, prop: 'mysql.configOverrides.port', value: 3307, allowed: 'use 3306' },
      { name: 'another socket (liveness probe)', props: { configOverrides: { socket: '/tmp/mysql.sock' } }, prop: 'mysql.configOverrides.socket', value: '/tmp/mysql.sock', allowed: 'the liveness probe' },
      { name: 'another datadir', props: { configOverrides: { datadir: '/data' } }, prop: 'mysql.configOverrides.datadir', value: '/data', allowed: 'mounted at /var/lib/mysql' },
      { name: 'a pid file on the read-only root', props: { configOverrides: { 'pid-file': '/mysqld.pid' } }, prop: 'mysql.configOverrides.pid-file', value: '/mysqld.pid', allowed: 'only /var/run/mysqld is writable' },
      { name: 'user', props: { configOverrides: { user: 'root' } }, prop: 'mysql.configOverrides.user', value: 'root', allowed: 'unprivileged mysql user' },
      { name: 'secure-file-priv opened up', props: { configOverrides: { 'secure-file-priv': '' } }, prop: 'mysql.configOverrides.secure-file-priv', value: '', allowed: 'NULL keeps server-side file import and export off' },
      { name: 'local-infile turned on', props: { configOverrides: { 'local-infile': 'ON' } }, prop: 'mysql.configOverrides.local-infile', value: 'ON', allowed: 'local_infile off' },
      { name: 'enable-local-infile', props: { configOverrides: { 'enable-local-infile': 1 } }, prop: 'mysql.configOverrides.enable-local-infile', value: 1, allowed: 'local_infile off' },
      { name: 'init-file', props: { configOverrides: { 'init-file': '/tmp/x.sql' } }, prop: 'mysql.configOverrides.init-file', value: '/tmp/x.sql', allowed: 'full privileges' },
      { name: 'require_secure_transport', props: { configOverrides: { require_secure_transport: 'ON' } }, prop: 'mysql.configOverrides.require_secure_transport', value: 'ON', allowed: 'WordPress connects without TLS' },
    ];
    test.each(cases)('$name', ({ props, ...expected }) => {
      expectRejected(rejectionOf((app) => new MySql(new Chart(app, 'test', { namespace: 'test' }), 'mysql', {
        credentials, labels: testLabels, name: 'site-mysql', ...props,
      })), expected);
    });
  });
});
