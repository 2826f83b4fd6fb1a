import { WordPress } from '../src/wordpress/wordpress';
import { all, find, mainContainer, synth, testChart, testLabels } from './helpers';

const credentials = { secretNames: { database: 'db-secret', wordpressKeys: 'keys-secret' }, workloadAnnotations: {} };
const database = { host: 'site-mysql', port: 3306 };

function synthWordPress(props: Partial<ConstructorParameters<typeof WordPress>[2]> = {}) {
  const chart = testChart();
  new WordPress(chart, 'wordpress', { credentials, database, labels: testLabels, name: 'site', ...props });
  return synth(chart);
}

describe('WordPress', () => {
  test('ReadWriteOnce storage: one replica, Recreate, no HPA or PDB', () => {
    // Given the default WordPress (ReadWriteOnce content volume)
    const objects = synthWordPress();
    // When the Deployment is inspected
    const deployment = find(objects, 'Deployment', 'site');
    // Then it runs exactly one pod and replaces it instead of surging
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    expect(find(objects, 'PersistentVolumeClaim', 'site-content').spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(all(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(all(objects, 'PodDisruptionBudget')).toHaveLength(0);
  });

  test('ReadWriteMany storage with replicas: RollingUpdate, CPU HPA and a PodDisruptionBudget', () => {
    const objects = synthWordPress({ replicas: 3, storage: { accessMode: 'ReadWriteMany', storageClassName: 'efs' } });
    const deployment = find(objects, 'Deployment', 'site');
    expect(deployment.spec.replicas).toBeUndefined();
    expect(deployment.spec.strategy.type).toBe('RollingUpdate');
    expect(find(objects, 'PersistentVolumeClaim').spec).toMatchObject({ accessModes: ['ReadWriteMany'], storageClassName: 'efs' });
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'site');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'site' },
      minReplicas: 3,
      maxReplicas: 9,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    const pdb = find(objects, 'PodDisruptionBudget', 'site');
    expect(pdb.apiVersion).toBe('policy/v1');
    expect(pdb.spec).toEqual({ maxUnavailable: 1, selector: deployment.spec.selector });
  });

  test('database host, user, password, name and the eight keys come from Secrets', () => {
    const deployment = find(synthWordPress(), 'Deployment');
    const env = Object.fromEntries(mainContainer(deployment).env.map((e: any) => [e.name, e.value]));
    expect(env.WORDPRESS_DB_HOST).toBe('site-mysql:3306');
    expect(env.WORDPRESS_DB_USER_FILE).toBe('/etc/wordpress/db/username');
    expect(env.WORDPRESS_DB_PASSWORD_FILE).toBe('/etc/wordpress/db/password');
    expect(env.WORDPRESS_DB_NAME_FILE).toBe('/etc/wordpress/db/database');
    const keyVariables = Object.keys(env).filter((name) => /_(KEY|SALT)_FILE$/.test(name)).sort();
    expect(keyVariables).toEqual([
      'WORDPRESS_AUTH_KEY_FILE', 'WORDPRESS_AUTH_SALT_FILE', 'WORDPRESS_LOGGED_IN_KEY_FILE', 'WORDPRESS_LOGGED_IN_SALT_FILE',
      'WORDPRESS_NONCE_KEY_FILE', 'WORDPRESS_NONCE_SALT_FILE', 'WORDPRESS_SECURE_AUTH_KEY_FILE', 'WORDPRESS_SECURE_AUTH_SALT_FILE',
    ]);
    const volumes = deployment.spec.template.spec.volumes;
    expect(volumes).toContainEqual({ name: 'db-credentials', secret: { secretName: 'db-secret', defaultMode: 0o440 } });
    expect(volumes).toContainEqual({ name: 'keys', secret: { secretName: 'keys-secret', defaultMode: 0o440 } });
  });

  test('probes: minutes of TCP startup, readiness GET /wp-login.php, liveness TCP', () => {
    const container = mainContainer(find(synthWordPress(), 'Deployment'));
    expect(container.startupProbe.tcpSocket).toEqual({ port: 'http' });
    expect(container.startupProbe.periodSeconds * container.startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
    expect(container.readinessProbe.httpGet).toEqual({ path: '/wp-login.php', port: 'http' });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: 'http' });
    expect(container.livenessProbe.httpGet).toBeUndefined();
  });

  test('runs as www-data (33) on port 80 through the unprivileged-port sysctl, read-only root', () => {
    const deployment = find(synthWordPress(), 'Deployment');
    const pod = deployment.spec.template.spec;
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true, runAsUser: 33, runAsGroup: 33, fsGroup: 33, fsGroupChangePolicy: 'OnRootMismatch',
      seccompProfile: { type: 'RuntimeDefault' },
      sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
    });
    const container = mainContainer(deployment);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 80, protocol: 'TCP' }]);
    expect(container.securityContext).toMatchObject({
      readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
    });
    const writable = container.volumeMounts.filter((m: any) => !m.readOnly).map((m: any) => m.mountPath).sort();
    expect(writable).toEqual(['/run', '/tmp', '/var/www/html']);
  });

  test('spreads pods across zones and hosts', () => {
    const pod = find(synthWordPress(), 'Deployment').spec.template.spec;
    expect(pod.topologySpreadConstraints.map((c: any) => c.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    for (const constraint of pod.topologySpreadConstraints) {
      expect(constraint).toMatchObject({ maxSkew: 1, whenUnsatisfiable: 'ScheduleAnyway' });
    }
  });

  test('the Service targets the named http port of the pods', () => {
    const objects = synthWordPress();
    const service = find(objects, 'Service', 'site');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual(find(objects, 'Deployment').spec.selector.matchLabels);
  });

  describe('rejects bad input before anything is written', () => {
    test.each([
      [{ replicas: 2 }, "Invalid wordpress.replicas: 2. Allowed: 1 with storage.accessMode 'ReadWriteOnce'"],
      [{ replicas: 0 }, 'Invalid wordpress.replicas: 0. Allowed: an integer from 1 to 100'],
      [{ replicas: 1.5 }, 'Invalid wordpress.replicas: 1.5'],
      [{ storage: { accessMode: 'ReadOnlyMany' } }, 'Invalid wordpress.storage.accessMode: "ReadOnlyMany". Allowed: one of ReadWriteOnce, ReadWriteMany'],
      [{ storage: { size: '-1Gi' } }, 'Invalid wordpress.storage.size: "-1Gi"'],
      [{ image: 'wordpress:latest' }, 'Invalid wordpress.image: "wordpress:latest"'],
      [{ image: 'Wordpress:7' }, 'Invalid wordpress.image: "Wordpress:7"'],
      [{ tablePrefix: 'wp-' }, 'Invalid wordpress.tablePrefix: "wp-"'],
      [{ autoscaling: { maxReplicas: 3 } }, 'Invalid wordpress.autoscaling: {"maxReplicas":3}. Allowed: only with replicas > 1'],
      [{ replicas: 3, storage: { accessMode: 'ReadWriteMany' }, autoscaling: { maxReplicas: 2 } }, 'Invalid wordpress.autoscaling.maxReplicas: 2. Allowed: an integer from 3 to 1000'],
      [{ resources: { requests: { cpu: '2' } } }, 'Invalid wordpress.resources.requests.cpu: "2". Allowed: at most the limit 1'],
    ])('%j', (props, message) => {
      expect(() => synthWordPress(props as any)).toThrow(message);
    });

    test('a digest-pinned image is accepted', () => {
      const image = `wordpress:7.1.1-php8.3-apache@sha256:${'a'.repeat(64)}`;
      expect(mainContainer(find(synthWordPress({ image }), 'Deployment')).image).toBe(image);
    });
  });
});
