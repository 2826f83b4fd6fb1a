import { spawnSync } from 'child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { Testing } from 'cdk8s';
import { WordPressChart, WordPressChartProps } from '../charts/wordpress-chart';
import { Platform } from '../src/eks/platform';
import { Credentials } from '../src/credentials/credentials';
import { ImageRegistry } from '../src/eks/images/image-registry';
import { phpString, renderConfigExtra } from '../src/wordpress/site-config';
import { CURL, REDIS, WORDPRESS, WORDPRESS_CLI } from '../src/images';
import { pluginsScript } from '../src/wordpress/plugins-job';
import { all, find, mainContainer, Manifest } from './helpers';
import { expectRejected, rejectionOf, RejectionCase } from './support/rejection';
import { validationErrors } from './support/validity';

const TLS_INGRESS = { className: 'nginx', hosts: ['blog.example.com', 'www.example.com'], tlsSecretName: 'blog-tls' };

function synthSite(props: WordPressChartProps = {}): Manifest[] {
  return Testing.synth(new WordPressChart(Testing.app(), 'site', { ingress: TLS_INGRESS, ...props })) as Manifest[];
}

function configExtra(objects: Manifest[]): string {
  return mainContainer(find(objects, 'Deployment', 'wordpress')).env.find((e: any) => e.name === 'WORDPRESS_CONFIG_EXTRA').value;
}

describe('wp-config settings (WORDPRESS_CONFIG_EXTRA)', () => {
  test('by default: automatic core updates and the file editor off, nothing else', () => {
    // Given a site with no config options
    // When it is synthesized
    const php = configExtra(synthSite());
    // Then only the two defaults the issue asks for are defined
    expect(php).toBe("define('WP_AUTO_UPDATE_CORE', false);\ndefine('DISALLOW_FILE_EDIT', true);");
  });

  test('siteUrl: true pins WP_HOME and WP_SITEURL to the first Ingress host, https with TLS, and forces SSL for the dashboard', () => {
    const php = configExtra(synthSite({ wordpress: { config: { siteUrl: true } } }));
    expect(php).toContain("define('WP_HOME', 'https://blog.example.com');");
    expect(php).toContain("define('WP_SITEURL', 'https://blog.example.com');");
    expect(php).toContain("define('FORCE_SSL_ADMIN', true);");
  });

  test('siteUrl: true behind an ALB with an ACM certificate is https', () => {
    const objects = synthSite({
      ingress: { hosts: ['shop.example.com'] },
      platform: Platform.eks({ alb: { certificateArns: ['arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'] } }),
      wordpress: { config: { siteUrl: true } },
    });
    expect(configExtra(objects)).toContain("define('WP_HOME', 'https://shop.example.com');");
  });

  test('siteUrl: true without TLS is http, and FORCE_SSL_ADMIN stays off', () => {
    const php = configExtra(synthSite({ ingress: { hosts: ['blog.localhost'] }, wordpress: { config: { siteUrl: true } } }));
    expect(php).toContain("define('WP_HOME', 'http://blog.localhost');");
    expect(php).not.toContain('FORCE_SSL_ADMIN');
  });

  test('every option reaches wp-config, raw lines last', () => {
    const php = configExtra(synthSite({
      wordpress: {
        config: { siteUrl: 'https://example.com/blog', memoryLimit: '256M', disallowFileEdit: false, disallowFileMods: true, extraLines: ["define('WP_POST_REVISIONS', 10);"] },
      },
    }));
    expect(php.split('\n')).toEqual([
      "define('WP_AUTO_UPDATE_CORE', false);",
      "define('DISALLOW_FILE_EDIT', false);",
      "define('DISALLOW_FILE_MODS', true);",
      "define('WP_HOME', 'https://example.com/blog');",
      "define('WP_SITEURL', 'https://example.com/blog');",
      "define('FORCE_SSL_ADMIN', true);",
      "define('WP_MEMORY_LIMIT', '256M');",
      "define('WP_POST_REVISIONS', 10);",
    ]);
  });

  test('PHP string literals escape the only two characters special in single quotes', () => {
    expect(phpString("it's a \\ test")).toBe("'it\\'s a \\\\ test'");
    // A quote cannot end the literal early: every ' in the output is escaped or a delimiter.
    expect(phpString("'); system('id'); //")).toBe("'\\'); system(\\'id\\'); //'");
  });

  test('the database upgrade Job keeps the plain wp-config: raw lines may need files only the web pods mount', () => {
    const objects = synthSite({ wordpress: { config: { extraLines: ["require '/etc/site/extra.php';"] } } });
    const job = all(objects, 'Job').find((j) => j.metadata.name.startsWith('wordpress-update-db-'))!;
    const env = mainContainer(job).env.find((e: any) => e.name === 'WORDPRESS_CONFIG_EXTRA');
    expect(env.value).toBe("define('WP_AUTO_UPDATE_CORE', false);");
  });

  const rejected: RejectionCase[] = [
    { name: 'PHP code in the site URL', prop: 'wordpress.config.siteUrl', value: "https://x.example.com');system('id", allowed: 'an absolute URL' },
    { name: 'a site URL with a trailing slash', prop: 'wordpress.config.siteUrl', value: 'https://blog.example.com/', allowed: 'no trailing slash' },
    { name: 'a site URL on an IP-less bad host', prop: 'wordpress.config.siteUrl', value: 'https://Blog_Example', allowed: 'a DNS host name' },
    { name: 'a site URL of another scheme', prop: 'wordpress.config.siteUrl', value: 'ftp://blog.example.com', allowed: 'http or https' },
    { name: 'a memory limit that is not PHP shorthand', prop: 'wordpress.config.memoryLimit', value: '256Mi', allowed: 'K, M or G' },
    { name: 'a memory limit above the container limit', prop: 'wordpress.config.memoryLimit', value: '1G', allowed: "less than the container's memory limit" },
  ];
  test.each(rejected)('rejects $name', ({ prop, value, allowed }) => {
    const key = prop.split('.').pop()!;
    expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: TLS_INGRESS, wordpress: { config: { [key]: value } } })), { prop, value, allowed });
  });

  test('rejects siteUrl: true when the first Ingress host is a wildcard', () => {
    expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: { hosts: ['*.example.com'] }, wordpress: { config: { siteUrl: true } } })),
      { prop: 'wordpress.config.siteUrl', value: true, allowed: 'not a wildcard' });
  });

  test('rejects forceSslAdmin on a plain-HTTP site URL', () => {
    expect(() => renderConfigExtra('wordpress.config', { siteUrl: 'http://blog.example.com', forceSslAdmin: true }))
      .toThrow('Invalid wordpress.config.forceSslAdmin: true');
  });
});

describe('PHP limits', () => {
  const php = { uploadMaxFilesize: '64M', postMaxSize: '72M', memoryLimit: '256M', maxExecutionTime: 120 };

  test('an ini file from a ConfigMap, mounted as one file into conf.d, rolled out by its hash', () => {
    // Given PHP limits
    const objects = synthSite({ wordpress: { php } });
    // Then the ConfigMap holds them
    const configMap = find(objects, 'ConfigMap', 'wordpress-php');
    expect(configMap.data['zz-wordpress.ini']).toContain('upload_max_filesize = 64M\npost_max_size = 72M\nmemory_limit = 256M\nmax_execution_time = 120\n');
    // And only that file is mounted, so the image's other ini files stay visible
    const deployment = find(objects, 'Deployment', 'wordpress');
    expect(mainContainer(deployment).volumeMounts).toContainEqual({
      name: 'php', mountPath: '/usr/local/etc/php/conf.d/zz-wordpress.ini', subPath: 'zz-wordpress.ini', readOnly: true,
    });
    expect(deployment.spec.template.spec.volumes).toContainEqual({ name: 'php', configMap: { name: 'wordpress-php', defaultMode: 0o444 } });
    // And a change of the ini changes the pod template (subPath mounts never see ConfigMap updates)
    const other = find(synthSite({ wordpress: { php: { ...php, maxExecutionTime: 60 } } }), 'Deployment', 'wordpress');
    expect(other.spec.template.metadata.annotations['cdk8s-wordpress-eks/config-hash'])
      .not.toBe(deployment.spec.template.metadata.annotations['cdk8s-wordpress-eks/config-hash']);
  });

  test('without php: no ConfigMap, no mount', () => {
    const objects = synthSite();
    expect(all(objects, 'ConfigMap').map((c) => c.metadata.name)).not.toContain('wordpress-php');
    expect(mainContainer(find(objects, 'Deployment', 'wordpress')).volumeMounts.map((m: any) => m.name)).not.toContain('php');
  });

  test('ingress-nginx gets a body size of post_max_size and timeouts past max_execution_time', () => {
    const ingress = find(synthSite({ wordpress: { php } }), 'Ingress', 'wordpress');
    expect(ingress.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-body-size': '72m',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '130',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '130',
    });
  });

  test('php: {} writes PHP\'s own defaults and lifts ingress-nginx\'s 1m body limit to them', () => {
    const objects = synthSite({ wordpress: { php: {} } });
    expect(find(objects, 'ConfigMap', 'wordpress-php').data['zz-wordpress.ini']).toContain('upload_max_filesize = 2M\npost_max_size = 8M\nmemory_limit = 128M\nmax_execution_time = 30\n');
    expect(find(objects, 'Ingress', 'wordpress').metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-body-size': '8m', 'nginx.ingress.kubernetes.io/proxy-read-timeout': '60',
    });
  });

  test('a larger body size the user set is kept', () => {
    const ingress = find(synthSite({
      ingress: { ...TLS_INGRESS, annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '1g' } },
      wordpress: { php },
    }), 'Ingress', 'wordpress');
    expect(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('1g');
  });

  test('an ALB gets its idle timeout past max_execution_time, next to the attributes already set', () => {
    const ingress = find(synthSite({
      ingress: { hosts: ['shop.example.com'] },
      platform: Platform.eks({ alb: { loadBalancerAttributes: { 'deletion_protection.enabled': true } } }),
      wordpress: { php },
    }), 'Ingress', 'wordpress');
    expect(ingress.metadata.annotations!['alb.ingress.kubernetes.io/load-balancer-attributes'])
      .toBe('deletion_protection.enabled=true,idle_timeout.timeout_seconds=130');
    expect(ingress.metadata.annotations!['nginx.ingress.kubernetes.io/proxy-body-size']).toBeUndefined();
  });

  const rejected: (RejectionCase & { props: WordPressChartProps })[] = [
    { name: 'uploads larger than the request body', prop: 'wordpress.php.postMaxSize', value: '8M', allowed: 'at least uploadMaxFilesize',
      props: { wordpress: { php: { uploadMaxFilesize: '16M', postMaxSize: '8M' } } } },
    { name: 'a request body larger than /tmp', prop: 'wordpress.php.postMaxSize', value: '2G', allowed: 'at most 1G',
      props: { wordpress: { php: { postMaxSize: '2G' } } } },
    { name: 'a PHP memory limit at the container limit', prop: 'wordpress.php.memoryLimit', value: '512M', allowed: "less than the container's memory limit",
      props: { wordpress: { php: { memoryLimit: '512M' } } } },
    { name: 'an execution time of zero (unlimited)', prop: 'wordpress.php.maxExecutionTime', value: 0, allowed: '1',
      props: { wordpress: { php: { maxExecutionTime: 0 } } } },
    { name: 'a smaller nginx body size than post_max_size', prop: 'ingress.annotations["nginx.ingress.kubernetes.io/proxy-body-size"]', value: '1m', allowed: 'at least 72m',
      props: { ingress: { ...TLS_INGRESS, annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '1m' } }, wordpress: { php } } },
    { name: 'a shorter nginx read timeout', prop: 'ingress.annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]', value: '60', allowed: 'at least 130',
      props: { ingress: { ...TLS_INGRESS, annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '60' } }, wordpress: { php } } },
    { name: 'a shorter ALB idle timeout', prop: 'ingress.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"]', value: 'idle_timeout.timeout_seconds=60', allowed: 'at least 130',
      props: { ingress: { hosts: ['shop.example.com'] }, platform: Platform.eks({ alb: { loadBalancerAttributes: { 'idle_timeout.timeout_seconds': 60 } } }), wordpress: { php } } },
  ];
  test.each(rejected)('rejects $name', ({ props, ...expected }) => {
    expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: TLS_INGRESS, ...props })), expected);
  });
});

describe('wp-cron as a CronJob', () => {
  test('off by default: WordPress runs cron on page views', () => {
    const objects = synthSite();
    expect(all(objects, 'CronJob').map((o) => o.metadata.name)).toEqual(['wordpress-backup']);
    expect(configExtra(objects)).not.toContain('DISABLE_WP_CRON');
  });

  test('on: DISABLE_WP_CRON, and a CronJob calling wp-cron.php through the Service with the site host', () => {
    // Given cron on a TLS site
    const objects = synthSite({ wordpress: { cron: true } });
    // Then page views no longer run it
    expect(configExtra(objects)).toContain("define('DISABLE_WP_CRON', true);");
    // And the CronJob runs every 5 minutes, never twice at once
    const cronJob = find(objects, 'CronJob', 'wordpress-cron');
    expect(cronJob.spec).toMatchObject({ schedule: '*/5 * * * *', concurrencyPolicy: 'Forbid', startingDeadlineSeconds: 60 });
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: 'wordpress-cron', automountServiceAccountToken: false, restartPolicy: 'Never' });
    expect(find(objects, 'ServiceAccount', 'wordpress-cron').automountServiceAccountToken).toBe(false);
    // And it calls the Service with the site's Host header, failing on an HTTP error
    const container = pod.containers[0];
    expect(container.image).toBe(CURL.image);
    expect(container.command).toEqual(['curl']);
    expect(container.args).toEqual(expect.arrayContaining(['--fail', '--header', 'Host: blog.example.com', 'http://wordpress/wp-cron.php?doing_wp_cron']));
  });

  test('on: exactly the cron-to-WordPress flow on :80 is opened, both ways', () => {
    const objects = synthSite({ wordpress: { cron: { schedule: '*/10 * * * *' } } });
    const cronSelector = find(objects, 'CronJob', 'wordpress-cron').spec.jobTemplate.spec.template.metadata.labels;
    const webSelector = find(objects, 'Deployment', 'wordpress').spec.selector.matchLabels;
    const egress = find(objects, 'NetworkPolicy', 'wordpress-cron-to-web').spec;
    expect(egress.podSelector.matchLabels['app.kubernetes.io/component']).toBe('cron');
    expect(cronSelector).toMatchObject(egress.podSelector.matchLabels);
    expect(egress.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 80 }], to: [{ podSelector: { matchLabels: webSelector } }] }]);
    const ingress = find(objects, 'NetworkPolicy', 'wordpress-web-from-cron').spec;
    expect(ingress.podSelector.matchLabels).toEqual(webSelector);
    expect(ingress.ingress[0].from[0].podSelector.matchLabels).toEqual(egress.podSelector.matchLabels);
  });

  test('the curl image goes through the image registry like every other image', () => {
    const objects = synthSite({ wordpress: { cron: true }, imageRegistry: ImageRegistry.prefix('registry.example.com/mirror') });
    expect(find(objects, 'CronJob', 'wordpress-cron').spec.jobTemplate.spec.template.spec.containers[0].image).toMatch(/^registry\.example\.com\/mirror\/curlimages\/curl:/);
  });

  test('its pod counts in the namespace budget', () => {
    const chart = new WordPressChart(Testing.app(), 'site', { ingress: TLS_INGRESS, wordpress: { cron: true } });
    expect(chart.resourceBudgets).toContain(chart.wordpress.cron!.budget);
  });

  const rejected: RejectionCase[] = [
    { name: 'a six-field schedule', prop: 'wordpress.cron.schedule', value: '0 */5 * * * *', allowed: 'five cron fields' },
    { name: 'a macro schedule', prop: 'wordpress.cron.schedule', value: '@hourly', allowed: 'five cron fields' },
    { name: 'a timeout under a minute', prop: 'wordpress.cron.timeoutSeconds', value: 5, allowed: '60 to 3600' },
  ];
  test.each(rejected)('rejects $name', ({ prop, value, allowed }) => {
    const key = prop.split('.').pop()!;
    expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: TLS_INGRESS, wordpress: { cron: { [key]: value } } })), { prop, value, allowed });
  });
});

describe('mail through SMTP', () => {
  const smtp = {
    host: 'email-smtp.eu-west-1.amazonaws.com', credentialsSecret: 'ses-smtp', fromAddress: 'blog@example.com', fromName: "O'Brien's blog",
  };

  test('off by default: no plugin, no SMTP egress', () => {
    const objects = synthSite();
    expect(all(objects, 'ConfigMap').map((c) => c.metadata.name)).not.toContain('wordpress-mu-plugins');
    expect(all(objects, 'NetworkPolicy').map((p) => p.metadata.name)).not.toContain('wordpress-web-smtp-out');
    expect(find(objects, 'Deployment', 'wordpress').spec.template.spec.initContainers).toBeUndefined();
  });

  test('the settings reach wp-config as quoted constants, the password never does', () => {
    const php = configExtra(synthSite({ wordpress: { smtp } }));
    expect(php.split('\n')).toEqual(expect.arrayContaining([
      "define('CDK8S_SMTP_HOST', 'email-smtp.eu-west-1.amazonaws.com');",
      "define('CDK8S_SMTP_PORT', 587);",
      "define('CDK8S_SMTP_SECURE', 'tls');",
      "define('CDK8S_SMTP_FROM', 'blog@example.com');",
      "define('CDK8S_SMTP_FROM_NAME', 'O\\'Brien\\'s blog');",
      "define('CDK8S_SMTP_CREDENTIALS_DIR', '/etc/wordpress/smtp');",
    ]));
  });

  test('the must-use plugin is copied from its ConfigMap into wp-content/mu-plugins by an init container, as www-data', () => {
    const objects = synthSite({ wordpress: { smtp } });
    const plugin = find(objects, 'ConfigMap', 'wordpress-mu-plugins').data['cdk8s-wordpress-smtp.php'];
    expect(plugin).toContain("add_action('phpmailer_init'");
    expect(plugin).toContain("!defined('CDK8S_SMTP_HOST')");
    const pod = find(objects, 'Deployment', 'wordpress').spec.template.spec;
    const [init] = pod.initContainers;
    expect(init.name).toBe('mu-plugins');
    expect(init.volumeMounts).toEqual([
      { name: 'content', mountPath: '/wp-content', subPath: 'wp-content' },
      { name: 'mu-plugins', mountPath: '/etc/wordpress/mu-plugins', readOnly: true },
    ]);
    expect(init.command[2]).toContain('mv -f "$tmp" /wp-content/mu-plugins/"$(basename "$file")"');
    expect(init.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 33, readOnlyRootFilesystem: true });
    // And the credentials are files from the Secret, readable by www-data only
    expect(pod.volumes).toContainEqual({
      name: 'smtp-credentials',
      secret: { secretName: 'ses-smtp', defaultMode: 0o440, items: [{ key: 'username', path: 'username' }, { key: 'password', path: 'password' }] },
    });
    expect(mainContainer(find(objects, 'Deployment', 'wordpress')).volumeMounts).toContainEqual({ name: 'smtp-credentials', mountPath: '/etc/wordpress/smtp', readOnly: true });
  });

  test('the credentials Secret is declared as managed outside the output, next to existing credentials', () => {
    const objects = synthSite({ credentials: Credentials.fromExistingSecrets({ database: 'db', wordpressKeys: 'keys' }), wordpress: { smtp } });
    expect(find(objects, 'Deployment', 'wordpress').metadata.annotations!['cdk8s-wordpress-eks/external-refs']).toBe('Secret/db,Secret/keys,Secret/ses-smtp');
  });

  test('WordPress may reach the SMTP port on public addresses only, or on the ranges given', () => {
    const objects = synthSite({ wordpress: { smtp } });
    const policy = find(objects, 'NetworkPolicy', 'wordpress-web-smtp-out').spec;
    expect(policy.egress[0].ports).toEqual([{ protocol: 'TCP', port: 587 }]);
    expect(policy.egress[0].to).toEqual(find(objects, 'NetworkPolicy', 'wordpress-web-internet-out').spec.egress[0].to);
    const relay = find(synthSite({ wordpress: { smtp: { host: 'relay.mail.svc.cluster.local', encryption: 'none', fromAddress: 'a@example.com', destinationCidrs: ['10.100.0.0/16'] } } }),
      'NetworkPolicy', 'wordpress-web-smtp-out').spec;
    expect(relay.egress).toEqual([{ ports: [{ protocol: 'TCP', port: 25 }], to: [{ ipBlock: { cidr: '10.100.0.0/16' } }] }]);
  });

  const rejected: RejectionCase[] = [
    { name: 'a password over an unencrypted connection', prop: 'wordpress.smtp.encryption', value: 'none', allowed: 'clear text' },
    { name: 'a sender that is not an address', prop: 'wordpress.smtp.fromAddress', value: "x'@example.com", allowed: 'an e-mail address' },
    { name: 'a sender name with a line break', prop: 'wordpress.smtp.fromName', value: 'Blog\nBcc: x@example.com', allowed: 'without line breaks' },
    { name: 'a host that is not a DNS name', prop: 'wordpress.smtp.host', value: 'smtp example', allowed: 'DNS-1123 subdomain' },
    { name: 'an empty list of ranges (would mean anywhere)', prop: 'wordpress.smtp.destinationCidrs', value: [], allowed: 'a non-empty list' },
  ];
  test.each(rejected)('rejects $name', ({ prop, value, allowed }) => {
    const key = prop.split('.').pop()!;
    expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: TLS_INGRESS, wordpress: { smtp: { ...smtp, [key]: value } } })), { prop, value, allowed });
  });
});

test('a site with every option, on generic and on EKS, is strictly valid and within policy', () => {
  const wordpress = {
    config: { siteUrl: true, memoryLimit: '256M', disallowFileMods: true },
    php: { uploadMaxFilesize: '64M', maxExecutionTime: 120 },
    cron: true,
    smtp: { host: 'email-smtp.eu-west-1.amazonaws.com', credentialsSecret: 'ses-smtp', fromAddress: 'blog@example.com' },
    plugins: ['akismet@5.3.3'],
    themes: ['twentytwentyfour@1.2'],
    objectCache: true,
  };
  const generic = synthSite({ wordpress });
  const eks = synthSite({ ingress: { hosts: ['shop.example.com'] }, platform: Platform.eks(), wordpress });
  expect(validationErrors([...generic])).toEqual([]);
  expect(validationErrors([...eks])).toEqual([]);
});

describe('plugins and themes declared in code', () => {
  test('off by default: no Job', () => {
    expect(all(synthSite(), 'Job').map((j) => j.metadata.name).filter((n) => n.startsWith('wordpress-plugins'))).toEqual([]);
  });

  test('a Job named by a hash of its pod spec installs them with wp-cli into the content claim, on the WordPress pod\'s node', () => {
    // Given two plugins and a theme on ReadWriteOnce content
    const objects = synthSite({ wordpress: { plugins: ['akismet@5.3.3', 'wordpress-seo@23.1'], themes: ['twentytwentyfour@1.2'] } });
    const job = all(objects, 'Job').find((j) => j.metadata.name.startsWith('wordpress-plugins-'))!;
    expect(job.metadata.name).toMatch(/^wordpress-plugins-[0-9a-f]{8}$/);
    const pod = job.spec.template.spec;
    // Then core comes from the WordPress image and wp from the CLI image, with the list in its env
    expect(pod.initContainers[0].image).toBe(WORDPRESS.image);
    const container = pod.containers[0];
    expect(container.image).toBe(WORDPRESS_CLI.image);
    expect(container.env).toEqual(expect.arrayContaining([
      { name: 'PLUGINS', value: 'akismet@5.3.3 wordpress-seo@23.1' },
      { name: 'THEMES', value: 'twentytwentyfour@1.2' },
    ]));
    // And it mounts the claim as the web pods do, next to them (ReadWriteOnce attaches on one node)
    expect(container.volumeMounts).toContainEqual({ name: 'content', mountPath: '/var/www/html/wp-content', subPath: 'wp-content' });
    expect(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution).toEqual([{
      labelSelector: { matchLabels: find(objects, 'Deployment', 'wordpress').spec.selector.matchLabels }, topologyKey: 'kubernetes.io/hostname',
    }]);
    expect(pod.automountServiceAccountToken).toBe(false);
    // And a new list is a new Job
    const other = all(synthSite({ wordpress: { plugins: ['akismet@5.3.4'] } }), 'Job').find((j) => j.metadata.name.startsWith('wordpress-plugins-'))!;
    expect(other.metadata.name).not.toBe(job.metadata.name);
  });

  test('with ReadWriteMany content it may run on any node', () => {
    const objects = synthSite({ wordpress: { plugins: ['akismet@5.3.3'], replicas: 2, storage: { accessMode: 'ReadWriteMany', storageClassName: 'efs' } } });
    expect(all(objects, 'Job').find((j) => j.metadata.name.startsWith('wordpress-plugins-'))!.spec.template.spec.affinity).toBeUndefined();
  });

  test('its NetworkPolicies: MySQL, and HTTPS on public addresses only', () => {
    const objects = synthSite({ wordpress: { plugins: ['akismet@5.3.3'] } });
    const names = all(objects, 'NetworkPolicy').map((p) => p.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['wordpress-mysql-from-plugins', 'wordpress-plugins-to-mysql', 'wordpress-plugins-internet-out']));
    const internet = find(objects, 'NetworkPolicy', 'wordpress-plugins-internet-out').spec.egress[0];
    expect(internet.ports).toEqual([{ protocol: 'TCP', port: 443 }]);
    expect(internet.to).toEqual(find(objects, 'NetworkPolicy', 'wordpress-web-internet-out').spec.egress[0].to);
  });

  const rejected: RejectionCase[] = [
    { name: 'a plugin without a version', prop: 'wordpress.plugins[0]', value: 'akismet', allowed: 'slug@version' },
    { name: 'a plugin at latest', prop: 'wordpress.plugins[0]', value: 'akismet@latest', allowed: 'an exact version' },
    { name: 'a slug with shell characters', prop: 'wordpress.plugins[0]', value: 'a;rm -rf@1.0', allowed: 'lower-case slug' },
    { name: 'a plugin listed twice', prop: 'wordpress.plugins[1]', value: 'akismet@5.3.4', allowed: 'a slug not already listed' },
  ];
  test.each(rejected)('rejects $name', ({ prop, value, allowed }) => {
    const plugins = prop.endsWith('[1]') ? ['akismet@5.3.3', value as string] : [value as string];
    expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: TLS_INGRESS, wordpress: { plugins } })), { prop, value, allowed });
  });

  describe('the script, against a stand-in wp', () => {
    let state: string;
    beforeEach(() => {
      state = mkdtempSync(join(tmpdir(), 'plugins-'));
      for (const dir of ['bin', 'plugins', 'active', 'themes', 'bad']) mkdirSync(join(state, dir));
      writeFileSync(join(state, 'bin', 'wp'), [
        '#!/bin/sh',
        'S="$STATE"',
        '[ "$1" = --skip-plugins ] && shift; [ "$1" = --skip-themes ] && shift',
        'echo "$*" >> "$S/log"',
        'case "$1 $2" in',
        '  "core is-installed") [ -f "$S/installed" ]; exit $? ;;',
        '  "plugin get") [ -f "$S/plugins/$3" ] || exit 1; cat "$S/plugins/$3" ;;',
        '  "plugin install") echo "${4#--version=}" > "$S/plugins/$3" ;;',
        '  "plugin verify-checksums") [ ! -f "$S/bad/$3" ]; exit $? ;;',
        '  "plugin is-active") [ -f "$S/active/$3" ]; exit $? ;;',
        '  "plugin activate") touch "$S/active/$3" ;;',
        '  "plugin deactivate") rm "$S/active/$3" ;;',
        '  "option get") [ -f "$S/option-$3" ] || exit 1; cat "$S/option-$3" ;;',
        '  "option update") printf %s "$4" > "$S/option-$3" ;;',
        '  "option delete") rm "$S/option-$3" ;;',
        '  "theme get") [ -f "$S/themes/$3" ] || exit 1; cat "$S/themes/$3" ;;',
        '  "theme install") echo "${4#--version=}" > "$S/themes/$3" ;;',
        'esac',
      ].join('\n'));
      chmodSync(join(state, 'bin', 'wp'), 0o755);
      writeFileSync(join(state, 'installed'), '');
    });
    afterEach(() => rmSync(state, { recursive: true, force: true }));

    function run(plugins: string, themes = '', objectCache = '') {
      writeFileSync(join(state, 'log'), '');
      const result = spawnSync('sh', ['-c', pluginsScript()], {
        cwd: state,
        env: { PATH: `${join(state, 'bin')}:/usr/bin:/bin`, HOME: state, STATE: state, PLUGINS: plugins, THEMES: themes, OBJECT_CACHE: objectCache }, encoding: 'utf8',
      });
      return { status: result.status, log: readFileSync(join(state, 'log'), 'utf8').trim().split('\n'), stderr: result.stderr };
    }
    const read = (...path: string[]) => readFileSync(join(state, ...path), 'utf8').trim();

    test('installs, verifies and activates each plugin, installs themes, and records what it manages', () => {
      const { status, log } = run('akismet@5.3.3 hello-dolly@1.7.2', 'twentytwentyfour@1.2');
      expect(status).toBe(0);
      expect(log).toEqual(expect.arrayContaining([
        'plugin install akismet --version=5.3.3 --force',
        'plugin verify-checksums akismet --version=5.3.3',
        'plugin activate akismet',
        'theme install twentytwentyfour --version=1.2 --force',
      ]));
      expect(existsSync(join(state, 'active', 'hello-dolly'))).toBe(true);
      expect(read('option-cdk8s_wordpress_managed_plugins')).toBe('akismet hello-dolly');
    });

    test('a second run with the same list changes nothing but still verifies', () => {
      run('akismet@5.3.3');
      const { status, log } = run('akismet@5.3.3');
      expect(status).toBe(0);
      expect(log.filter((line) => /^(plugin|theme) (install|activate|deactivate) /.test(line))).toEqual([]);
      expect(log).toContain('plugin verify-checksums akismet --version=5.3.3');
    });

    test('a new version is installed over the old one', () => {
      run('akismet@5.3.3');
      expect(run('akismet@5.3.4').log).toContain('plugin install akismet --version=5.3.4 --force');
      expect(read('plugins', 'akismet')).toBe('5.3.4');
    });

    test('a plugin dropped from the list is deactivated, not deleted', () => {
      run('akismet@5.3.3 hello-dolly@1.7.2');
      const { status, log } = run('akismet@5.3.3');
      expect(status).toBe(0);
      expect(log).toContain('plugin deactivate hello-dolly');
      expect(existsSync(join(state, 'active', 'hello-dolly'))).toBe(false);
      expect(existsSync(join(state, 'plugins', 'hello-dolly'))).toBe(true);
      expect(read('option-cdk8s_wordpress_managed_plugins')).toBe('akismet');
    });

    test('an empty list deactivates every plugin it managed, and only those', () => {
      writeFileSync(join(state, 'active', 'from-the-dashboard'), '');
      run('akismet@5.3.3');
      const { status, log } = run('');
      expect(status).toBe(0);
      expect(log).toContain('plugin deactivate akismet');
      expect(existsSync(join(state, 'active', 'from-the-dashboard'))).toBe(true);
      expect(read('option-cdk8s_wordpress_managed_plugins')).toBe('');
    });

    test('a checksum mismatch fails the run before the plugin is activated', () => {
      writeFileSync(join(state, 'bad', 'akismet'), '');
      const { status } = run('akismet@5.3.3');
      expect(status).not.toBe(0);
      expect(existsSync(join(state, 'active', 'akismet'))).toBe(false);
    });

    test('the object cache: the plugin\'s drop-in is put in wp-content, the cache flushed; turned off, the drop-in goes', () => {
      // Given the plugin's files as wordpress.org ships them
      mkdirSync(join(state, 'wp-content', 'plugins', 'redis-cache', 'includes'), { recursive: true });
      writeFileSync(join(state, 'wp-content', 'plugins', 'redis-cache', 'includes', 'object-cache.php'), '<?php // drop-in 2.6.3');
      // When the Job runs with the cache on
      const on = run('redis-cache@2.6.3', '', 'redis-cache');
      // Then the drop-in is the plugin's own file, remembered, and the cache flushed
      expect(on.status).toBe(0);
      expect(read('wp-content', 'object-cache.php')).toBe('<?php // drop-in 2.6.3');
      expect(read('option-cdk8s_wordpress_object_cache')).toBe('redis-cache');
      expect(on.log).toContain('cache flush');
      // When it runs again with the cache off (and the plugin dropped)
      const off = run('', '', '');
      // Then the drop-in is removed and the plugin deactivated
      expect(off.status).toBe(0);
      expect(existsSync(join(state, 'wp-content', 'object-cache.php'))).toBe(false);
      expect(existsSync(join(state, 'option-cdk8s_wordpress_object_cache'))).toBe(false);
      expect(off.log).toContain('plugin deactivate redis-cache');
    });

    test('a drop-in the Job did not put there is left alone', () => {
      mkdirSync(join(state, 'wp-content'));
      writeFileSync(join(state, 'wp-content', 'object-cache.php'), '<?php // someone else\'s');
      expect(run('akismet@5.3.3').status).toBe(0);
      expect(read('wp-content', 'object-cache.php')).toBe("<?php // someone else's");
    });

    test('a site not installed yet fails the run, so the Job retries', () => {
      rmSync(join(state, 'installed'));
      const { status, stderr } = run('akismet@5.3.3');
      expect(status).toBe(1);
      expect(stderr).toContain('not installed');
    });
  });
});

describe('Redis object cache', () => {
  test('off by default: no Redis, no Redis Secret generated', () => {
    const objects = synthSite();
    expect(all(objects, 'Deployment').map((d) => d.metadata.name)).toEqual(['wordpress']);
    expect(all(objects, 'Job').flatMap((j) => j.spec.template.spec.containers[0].env ?? []).map((e: any) => e.name)).not.toContain('REDIS_SECRET_NAME');
  });

  test('Redis runs as the image\'s redis user, read-only, with its password from the generated Secret and never in argv', () => {
    const objects = synthSite({ wordpress: { objectCache: true } });
    const redis = find(objects, 'Deployment', 'wordpress-redis');
    const pod = redis.spec.template.spec;
    const container = pod.containers[0];
    expect(container.image).toBe(REDIS.image);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 1000 });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod.automountServiceAccountToken).toBe(false);
    // The password goes from the Secret file into a memory-backed config file by a shell builtin, then redis-server reads that file
    expect(container.command[2]).toContain(`printf 'requirepass "%s"\\n' "$(cat /etc/redis/auth/password)"`);
    expect(container.command[2]).toContain('exec redis-server /run/redis/redis.conf');
    expect(container.env).toBeUndefined();
    expect(pod.volumes).toContainEqual({ name: 'password', secret: { secretName: 'wordpress-redis', defaultMode: 0o440, items: [{ key: 'password', path: 'password' }] } });
    expect(pod.volumes).toContainEqual({ name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } });
    // A cache: nothing persisted, LRU eviction at 75% of the 128Mi limit
    expect(find(objects, 'ConfigMap', 'wordpress-redis-config').data['redis.conf']).toContain('save ""\nappendonly no\nmaxmemory 96mb\nmaxmemory-policy allkeys-lru\n');
    // The generator creates the Secret
    const generator = all(objects, 'Job').find((j) => j.metadata.name.startsWith('wordpress-credentials-'))!;
    expect(mainContainer(generator).env).toContainEqual({ name: 'REDIS_SECRET_NAME', value: 'wordpress-redis' });
  });

  test('Redis is reachable only from WordPress and the plugins Job, on 6379', () => {
    const objects = synthSite({ wordpress: { objectCache: true } });
    const redisSelector = find(objects, 'Deployment', 'wordpress-redis').spec.selector.matchLabels;
    const policies = all(objects, 'NetworkPolicy').filter((p) => JSON.stringify(p.spec).includes(JSON.stringify(redisSelector)));
    expect(policies.map((p) => p.metadata.name).sort()).toEqual(['wordpress-plugins-to-redis', 'wordpress-redis-from-plugins', 'wordpress-redis-from-web', 'wordpress-web-to-redis']);
    const fromWeb = find(objects, 'NetworkPolicy', 'wordpress-redis-from-web').spec;
    expect(fromWeb.ingress).toEqual([{ ports: [{ protocol: 'TCP', port: 6379 }], from: [{ podSelector: { matchLabels: find(objects, 'Deployment', 'wordpress').spec.selector.matchLabels } }] }]);
  });

  test('WordPress uses it through the redis-cache drop-in: constants, the password file, and the plugin installed by the Job', () => {
    const objects = synthSite({ wordpress: { objectCache: true, plugins: ['akismet@5.3.3'] } });
    const php = configExtra(objects);
    expect(php.split('\n')).toEqual(expect.arrayContaining([
      "define('WP_REDIS_CLIENT', 'predis');",
      "define('WP_REDIS_HOST', 'wordpress-redis');",
      "define('WP_REDIS_PORT', 6379);",
      "define('WP_REDIS_PASSWORD', rtrim((string) file_get_contents('/etc/wordpress/redis/password'), \"\\r\\n\"));",
    ]));
    expect(mainContainer(find(objects, 'Deployment', 'wordpress')).volumeMounts).toContainEqual({ name: 'redis-password', mountPath: '/etc/wordpress/redis', readOnly: true });
    const job = all(objects, 'Job').find((j) => j.metadata.name.startsWith('wordpress-plugins-'))!;
    const env = mainContainer(job).env;
    expect(env).toContainEqual({ name: 'PLUGINS', value: 'akismet@5.3.3 redis-cache@2.6.3' });
    expect(env).toContainEqual({ name: 'OBJECT_CACHE', value: 'redis-cache' });
    // The Job's own writes go through the cache, so they are never served stale
    expect(env.find((e: any) => e.name === 'WORDPRESS_CONFIG_EXTRA').value).toContain("define('WP_REDIS_HOST', 'wordpress-redis');");
  });

  test('a redis-cache version the user pinned in plugins is the one used', () => {
    const objects = synthSite({ wordpress: { objectCache: true, plugins: ['redis-cache@2.5.4'] } });
    const job = all(objects, 'Job').find((j) => j.metadata.name.startsWith('wordpress-plugins-'))!;
    expect(mainContainer(job).env).toContainEqual({ name: 'PLUGINS', value: 'redis-cache@2.5.4' });
  });

  test('the Redis image goes through the image registry', () => {
    const objects = synthSite({ wordpress: { objectCache: true }, imageRegistry: ImageRegistry.prefix('registry.example.com/mirror') });
    expect(mainContainer(find(objects, 'Deployment', 'wordpress-redis')).image).toMatch(/^registry\.example\.com\/mirror\/library\/redis:8\.10\.2-alpine@/);
  });

  const rejected: RejectionCase[] = [
    { name: 'another cache plugin', prop: 'wordpress.objectCache.plugin', value: 'wp-redis@1.4.5', allowed: 'redis-cache@<version>' },
    { name: 'Valkey', prop: 'wordpress.objectCache.image', value: 'valkey/valkey:8.1', allowed: 'the official redis image' },
    { name: 'Redis 6', prop: 'wordpress.objectCache.image', value: 'redis:6.2', allowed: '7.2 or later' },
  ];
  test.each(rejected)('rejects $name', ({ prop, value, allowed }) => {
    const key = prop.split('.').pop()!;
    expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', { ingress: TLS_INGRESS, wordpress: { objectCache: { [key]: value } } })), { prop, value, allowed });
  });

  test('with existing Secrets it needs the Redis one', () => {
    expectRejected(rejectionOf((app) => new WordPressChart(app, 'site', {
      ingress: TLS_INGRESS, credentials: Credentials.fromExistingSecrets({ database: 'db', wordpressKeys: 'keys' }), wordpress: { objectCache: true },
    })), { prop: 'credentials.redis', value: undefined, allowed: 'a Secret with the key "password"' });
  });
});
