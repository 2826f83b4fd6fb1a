import { Chart } from 'cdk8s';
import { WordPress, WordPressProps } from '../src/wordpress/wordpress';
import { all, find, mainContainer, synth, testChart, testLabels } from './helpers';
import { expectRejected, rejectionOf, RejectionCase } from './support/rejection';

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

  test('autoscaling targets: maxReplicas and CPU utilisation reach the HPA', () => {
    // Given 2 replicas scaling up to 5 at 55% CPU
    const objects = synthWordPress({ replicas: 2, storage: { accessMode: 'ReadWriteMany', storageClassName: 'efs' }, autoscaling: { maxReplicas: 5, targetCpuUtilization: 55 } });
    // Then the HPA carries exactly those bounds and target
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'site');
    expect(hpa.spec.minReplicas).toBe(2);
    expect(hpa.spec.maxReplicas).toBe(5);
    expect(hpa.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 55 } } }]);
  });

  test.each([
    { name: 'autoscaling: false', autoscaling: false as const },
    { name: 'maxReplicas equal to replicas', autoscaling: { maxReplicas: 3 } },
  ])('a fixed count of several replicas with $name: replicas on the Deployment, a PDB, no HPA', ({ autoscaling }) => {
    // Given 3 replicas on shared storage that must not autoscale
    const chart = testChart();
    const wordpress = new WordPress(chart, 'wordpress', {
      credentials, database, labels: testLabels, name: 'site',
      replicas: 3, storage: { accessMode: 'ReadWriteMany', storageClassName: 'efs' }, autoscaling,
    });
    const objects = synth(chart);
    // Then the Deployment owns the count, rolls without downtime, and no HPA exists
    const deployment = find(objects, 'Deployment', 'site');
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy.type).toBe('RollingUpdate');
    expect(all(objects, 'HorizontalPodAutoscaler')).toHaveLength(0);
    expect(find(objects, 'PodDisruptionBudget', 'site').spec.maxUnavailable).toBe(1);
    // and the quota budget is the count plus one surge pod
    expect(wordpress.budget.pods).toBe(4);
  });

  test('autoscaling: false is accepted with a single replica', () => {
    expect(find(synthWordPress({ autoscaling: false }), 'Deployment').spec.replicas).toBe(1);
  });

  test('a table prefix is passed to the image', () => {
    const env = mainContainer(find(synthWordPress({ tablePrefix: 'shop_2' }), 'Deployment')).env;
    expect(env).toContainEqual({ name: 'WORDPRESS_TABLE_PREFIX', value: 'shop_2' });
    expect(mainContainer(find(synthWordPress(), 'Deployment')).env).toContainEqual({ name: 'WORDPRESS_TABLE_PREFIX', value: 'wp_' });
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
    expect(writable).toEqual(['/run', '/tmp', '/var/www/html', '/var/www/html/wp-content']);
  });

  describe('core comes from the image, only wp-content persists', () => {
    test('the document root is a sized emptyDir and the claim holds wp-content', () => {
      // Given the default WordPress
      const pod = find(synthWordPress(), 'Deployment').spec.template.spec;
      // When the document root and the claim are looked up
      const mounts = Object.fromEntries(pod.containers[0].volumeMounts.map((m: any) => [m.mountPath, m]));
      const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
      // Then the entrypoint copies core into an emptyDir at every start (room for core's ~80 MB)
      expect(volumes[mounts['/var/www/html'].name]).toEqual({ name: 'html', emptyDir: { sizeLimit: '256Mi' } });
      // and the claim is mounted through its wp-content/ directory, which a claim of the old layout already has
      expect(mounts['/var/www/html/wp-content']).toEqual({ name: 'content', mountPath: '/var/www/html/wp-content', subPath: 'wp-content' });
      expect(volumes.content).toEqual({ name: 'content', persistentVolumeClaim: { claimName: 'site-content' } });
    });

    test('core does not update itself: a core in the emptyDir would vanish at the next start', () => {
      const env = mainContainer(find(synthWordPress(), 'Deployment')).env;
      const extra = env.find((e: { name: string }) => e.name === 'WORDPRESS_CONFIG_EXTRA').value;
      expect(extra.split('\n')).toContain("define('WP_AUTO_UPDATE_CORE', false);");
    });

    test('every image gets its schema upgrade Job', () => {
      // Given WordPress on two images
      const jobOf = (image: string) => find(synthWordPress({ image }), 'Job');
      const first = jobOf('wordpress:7.1.1-php8.3-apache');
      // Then each runs `wp core update-db` with core from that image, under a name that changes with it
      expect(first.spec.template.spec.initContainers[0].image).toBe('wordpress:7.1.1-php8.3-apache');
      expect(jobOf('wordpress:7.2.0-php8.3-apache').metadata.name).not.toBe(first.metadata.name);
      expect(jobOf('wordpress:7.1.1-php8.3-apache').metadata.name).toBe(first.metadata.name);
    });
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
    const RWX = { accessMode: 'ReadWriteMany' as const, storageClassName: 'efs' };
    const cases: (RejectionCase & { props: Partial<WordPressProps> })[] = [
      { name: 'two replicas on ReadWriteOnce', props: { replicas: 2 }, prop: 'wordpress.replicas', value: 2, allowed: "1 with storage.accessMode 'ReadWriteOnce'" },
      { name: 'zero replicas', props: { replicas: 0 }, prop: 'wordpress.replicas', value: 0, allowed: 'an integer from 1 to 100' },
      { name: 'a fractional replica count', props: { replicas: 1.5 }, prop: 'wordpress.replicas', value: 1.5, allowed: 'an integer from 1 to 100' },
      { name: 'an unsupported access mode', props: { storage: { accessMode: 'ReadOnlyMany' as any } }, prop: 'wordpress.storage.accessMode', value: 'ReadOnlyMany', allowed: 'one of ReadWriteOnce, ReadWriteMany' },
      { name: 'ReadWriteMany without a StorageClass (the default class is ReadWriteOnce: Pending)', props: { replicas: 2, storage: { accessMode: 'ReadWriteMany' } }, prop: 'wordpress.storage.storageClassName', value: undefined, allowed: 'a ReadWriteMany StorageClass' },
      { name: 'a negative content size', props: { storage: { size: '-1Gi' } }, prop: 'wordpress.storage.size', value: '-1Gi', allowed: 'a positive Kubernetes quantity' },
      { name: 'the latest tag', props: { image: 'wordpress:latest' }, prop: 'wordpress.image', value: 'wordpress:latest', allowed: 'pinned to a version tag or a sha256 digest' },
      { name: 'an upper-case image name', props: { image: 'Wordpress:7' }, prop: 'wordpress.image', value: 'Wordpress:7', allowed: 'pinned to a version tag' },
      { name: 'the Apache image as the CLI image', props: { cliImage: 'wordpress:7.1.1-php8.3-apache' }, prop: 'wordpress.cliImage', value: 'wordpress:7.1.1-php8.3-apache', allowed: 'the official wordpress image in its cli variant' },
      { name: 'a dash in the table prefix', props: { tablePrefix: 'wp-' }, prop: 'wordpress.tablePrefix', value: 'wp-', allowed: '1-20 characters of A-Z, a-z, 0-9 and _' },
      { name: 'autoscaling with one replica', props: { autoscaling: { maxReplicas: 3 } }, prop: 'wordpress.autoscaling', value: { maxReplicas: 3 }, allowed: 'only with replicas > 1' },
      { name: 'maxReplicas below replicas', props: { replicas: 3, storage: RWX, autoscaling: { maxReplicas: 2 } }, prop: 'wordpress.autoscaling.maxReplicas', value: 2, allowed: 'an integer from 3 to 1000' },
      { name: 'a CPU target over 100%', props: { replicas: 2, storage: RWX, autoscaling: { targetCpuUtilization: 150 } }, prop: 'wordpress.autoscaling.targetCpuUtilization', value: 150, allowed: 'an integer from 1 to 100' },
      { name: 'a CPU request over the limit', props: { resources: { requests: { cpu: '2' } } }, prop: 'wordpress.resources.requests.cpu', value: '2', allowed: 'at most the limit 1' },
    ];
    test.each(cases)('$name', ({ props, ...expected }) => {
      expectRejected(rejectionOf((app) => new WordPress(new Chart(app, 'test', { namespace: 'test' }), 'wordpress', {
        credentials, database, labels: testLabels, name: 'site', ...props,
      })), expected);
    });

    test('a digest-pinned image is accepted', () => {
      const image = `wordpress:7.1.1-php8.3-apache@sha256:${'a'.repeat(64)}`;
      expect(mainContainer(find(synthWordPress({ image }), 'Deployment')).image).toBe(image);
    });
  });
});
