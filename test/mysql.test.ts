import { MySql } from '../src/mysql/mysql';
import { renderMySqlConfig } from '../src/mysql/mysql-config';
import { find, mainContainer, synth, testChart, testLabels } from './helpers';

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

  describe('rejects bad input before anything is written', () => {
    test.each([
      [{ name: 'Bad_Name' }, 'Invalid mysql.name: "Bad_Name". Allowed: a DNS-1123 label of at most 52 characters'],
      [{ image: 'mysql' }, 'Invalid mysql.image: "mysql". Allowed: an image reference pinned to a version tag or a sha256 digest'],
      [{ image: 'mysql:latest' }, 'Invalid mysql.image: "mysql:latest"'],
      [{ storage: { size: '20GB' } }, 'Invalid mysql.storage.size: "20GB". Allowed: a positive Kubernetes quantity'],
      [{ storage: { size: '0' } }, 'Invalid mysql.storage.size: "0"'],
      [{ storage: { storageClassName: 'GP3' } }, 'Invalid mysql.storage.storageClassName: "GP3"'],
      [{ resources: { limits: { memory: '256Mi' } , requests: { memory: '256Mi' } } }, 'Invalid mysql.resources.limits.memory: "256Mi". Allowed: at least 512Mi'],
      [{ resources: { requests: { memory: '2Gi' } } }, 'Invalid mysql.resources.requests.memory: "2Gi". Allowed: at most the limit 1Gi (mysql.resources.limits.memory)'],
      [{ resources: { limits: { cpu: 'lots' } } }, 'Invalid mysql.resources.limits.cpu: "lots"'],
      [{ terminationGracePeriodSeconds: 5 }, 'Invalid mysql.terminationGracePeriodSeconds: 5. Allowed: an integer from 30 to 3600'],
      [{ configOverrides: { 'bad option': 1 } }, 'Invalid mysql.configOverrides.bad option'],
      [{ configOverrides: { sql_mode: 'a\nb' } }, 'Allowed: a single-line value'],
    ])('%j', (props, message) => {
      expect(() => synthMySql(props as any)).toThrow(message);
    });
  });
});
