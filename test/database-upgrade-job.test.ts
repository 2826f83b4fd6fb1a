import { spawnSync } from 'child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { WordPressChart } from '../charts/wordpress-chart';
import { DatabaseUpgradeJob, updateDbScript } from '../src/wordpress/database-upgrade-job';
import { WORDPRESS, WORDPRESS_CLI } from '../src/images';
import { all, find, Manifest, synth, testChart, testLabels } from './helpers';

const credentials = { secretNames: { database: 'db-secret', wordpressKeys: 'keys-secret' }, workloadAnnotations: {} };
const database = { host: 'site-mysql', port: 3306 };

function synthJob(props: Partial<ConstructorParameters<typeof DatabaseUpgradeJob>[2]> = {}): Manifest {
  const chart = testChart();
  new DatabaseUpgradeJob(chart, 'upgrade', {
    name: 'site', wordpressImage: WORDPRESS.image, cliImage: WORDPRESS_CLI.image, database, credentials, tablePrefix: 'wp_', labels: testLabels, ...props,
  });
  return find(synth(chart), 'Job');
}

describe('DatabaseUpgradeJob', () => {
  test('copies core from the WordPress image, then runs wp core update-db from the CLI image', () => {
    // Given the Job for the default images
    const pod = synthJob().spec.template.spec;
    // Then core and an env-driven wp-config.php come from the web pods' image into an emptyDir
    const [core] = pod.initContainers;
    expect(core.image).toBe(WORDPRESS.image);
    expect(core.command.join(' ')).toContain('cp -R /usr/src/wordpress/. /var/www/html/');
    expect(core.command.join(' ')).toContain('/usr/src/wordpress/wp-config-docker.php /var/www/html/wp-config.php');
    // and the CLI container upgrades the schema there, with the web pods' database settings and table prefix
    const [cli] = pod.containers;
    expect(cli.image).toBe(WORDPRESS_CLI.image);
    expect(cli.workingDir).toBe('/var/www/html');
    expect(cli.command.join(' ')).toContain('wp core update-db');
    const env = Object.fromEntries(cli.env.map((e: any) => [e.name, e.value]));
    expect(env).toMatchObject({
      WORDPRESS_DB_HOST: 'site-mysql:3306', WORDPRESS_DB_PASSWORD_FILE: '/etc/wordpress/db/password', WORDPRESS_TABLE_PREFIX: 'wp_',
    });
    // and it needs neither the keys nor the content claim (a ReadWriteOnce claim stays with the web pod)
    expect(Object.keys(env).filter((name) => /_(KEY|SALT)_FILE$/.test(name))).toEqual([]);
    expect(pod.volumes.map((v: any) => Object.keys(v).filter((k) => k !== 'name')[0]).sort()).toEqual(['emptyDir', 'emptyDir', 'secret']);
  });

  test('restricted and least-privileged: non-root 33, read-only root, its own ServiceAccount without a token', () => {
    const chart = testChart();
    new DatabaseUpgradeJob(chart, 'upgrade', {
      name: 'site', wordpressImage: WORDPRESS.image, cliImage: WORDPRESS_CLI.image, database, credentials, tablePrefix: 'wp_', labels: testLabels,
    });
    const objects = synth(chart);
    const pod = find(objects, 'Job').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 33, runAsGroup: 33, fsGroup: 33 });
    for (const container of [...pod.initContainers, ...pod.containers]) {
      expect(container.securityContext).toMatchObject({
        runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] },
      });
      expect(container.resources.limits).toEqual({ cpu: '500m', memory: '256Mi' });
    }
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(find(objects, 'ServiceAccount', pod.serviceAccountName).automountServiceAccountToken).toBe(false);
  });

  test('its name follows the pod spec: same images, same Job; a new image, a new Job; cleaned up a day after', () => {
    const first = synthJob();
    expect(first.metadata.name).toMatch(/^site-update-db-[0-9a-f]{8}$/);
    expect(synthJob().metadata.name).toBe(first.metadata.name);
    expect(synthJob({ wordpressImage: 'wordpress:7.2.0-php8.3-apache' }).metadata.name).not.toBe(first.metadata.name);
    expect(first.spec).toMatchObject({ backoffLimit: 6, ttlSecondsAfterFinished: 86400 });
  });

  test('a long WordPress name is shortened so the Job name fits a label value, keeping the hash', () => {
    // Given the longest WordPress name (52 characters)
    const name = synthJob({ name: `${'a'.repeat(50)}-b` }).metadata.name;
    // Then the Job name is at most 63 characters and still ends in the hash
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(new RegExp(`^${'a'.repeat(50)}-b-u-[0-9a-f]{8}$`));
  });
});

describe('the update-db script', () => {
  /** Runs the script with a stand-in `wp` that answers `is-installed` as given and logs every call. */
  function runScript(isInstalled: { exitCode: number; stderr?: string }) {
    const dir = mkdtempSync(join(tmpdir(), 'update-db-'));
    try {
      const log = join(dir, 'calls');
      writeFileSync(join(dir, 'wp'), [
        '#!/bin/sh',
        `echo "$*" >> '${log}'`,
        'case "$2" in',
        `  is-installed) printf '%s' '${isInstalled.stderr ?? ''}' >&2; exit ${isInstalled.exitCode} ;;`,
        "  update-db) echo 'Success: WordPress database upgraded' ;;",
        'esac',
      ].join('\n'));
      chmodSync(join(dir, 'wp'), 0o755);
      const result = spawnSync('sh', ['-c', updateDbScript()], { env: { PATH: `${dir}:/usr/bin:/bin`, HOME: dir }, encoding: 'utf8' });
      const calls = readFileSync(log, 'utf8').trim().split('\n');
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  test('an installed site: the schema is upgraded, without loading plugins or themes', () => {
    const run = runScript({ exitCode: 0 });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual(['core is-installed --skip-plugins --skip-themes', 'core update-db --skip-plugins --skip-themes']);
  });

  test('a site not installed yet (wp exits 1 silently): nothing to upgrade, the Job succeeds', () => {
    const run = runScript({ exitCode: 1 });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual(['core is-installed --skip-plugins --skip-themes']);
    expect(run.stdout).toContain('not installed yet');
  });

  test('a database it cannot reach (wp exits 1 with an error): the Job fails, shows why, and retries', () => {
    const run = runScript({ exitCode: 1, stderr: 'Error: Error establishing a database connection.' });
    expect(run.status).toBe(1);
    expect(run.calls).toEqual(['core is-installed --skip-plugins --skip-themes']);
    expect(run.stderr).toContain('Error establishing a database connection');
  });
});

describe('the upgrade Job in a WordPressChart', () => {
  const objects = Testing.synth(new WordPressChart(Testing.app(), 'site', { ingress: { hosts: ['blog.example.com'] } })) as Manifest[];
  const job = all(objects, 'Job').find((j) => j.metadata.name.startsWith('wordpress-update-db-'))!;
  const jobLabels = job.spec.template.metadata.labels;
  const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
    Object.entries(selector).every(([key, value]) => labels[key] === value);

  test('NetworkPolicies let it reach MySQL on 3306 and nothing else', () => {
    // Given the policies that select the Job's pod or MySQL's
    const policies = all(objects, 'NetworkPolicy');
    const mysqlLabels = find(objects, 'StatefulSet').spec.template.metadata.labels;
    const egress = policies.filter((p) => p.spec.policyTypes.includes('Egress') && matches(p.spec.podSelector.matchLabels ?? {}, jobLabels));
    // Then its egress is DNS (namespace-wide) plus MySQL's pods on 3306
    expect(egress.map((p) => p.metadata.name).sort()).toEqual(['wordpress-allow-dns', 'wordpress-default-deny', 'wordpress-update-db-to-mysql']);
    const toMysql = find(policies, 'NetworkPolicy', 'wordpress-update-db-to-mysql').spec.egress;
    expect(toMysql).toEqual([{ ports: [{ protocol: 'TCP', port: 3306 }], to: [{ podSelector: { matchLabels: find(objects, 'StatefulSet').spec.selector.matchLabels } }] }]);
    // and MySQL lets it in on 3306
    const fromJob = find(policies, 'NetworkPolicy', 'wordpress-mysql-from-update-db').spec;
    expect(matches(fromJob.podSelector.matchLabels, mysqlLabels)).toBe(true);
    expect(fromJob.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 3306 }], from: [{ podSelector: { matchLabels: expect.any(Object) } }] }]);
    expect(matches(fromJob.ingress[0].from[0].podSelector.matchLabels, jobLabels)).toBe(true);
  });

  test('its pod is not a web pod: the Service and the web policies do not select it', () => {
    expect(matches(find(objects, 'Service', 'wordpress').spec.selector, jobLabels)).toBe(false);
    expect(matches(find(objects, 'NetworkPolicy', 'wordpress-web-internet-out').spec.podSelector.matchLabels, jobLabels)).toBe(false);
  });
});
