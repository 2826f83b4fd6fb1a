// A WordPress site for any conformant cluster (kind, minikube, a cloud without the EKS layer):
// nginx Ingress with TLS from cert-manager, credentials generated in the cluster, and every site
// option of docs/site-operations.md turned on: pinned URL, PHP limits, wp-cron as a CronJob, SMTP,
// plugins and themes in code, a Redis object cache.
import { App } from 'cdk8s';
import { LinearSynthApp, WordPressChart, writeSynthExtras } from 'cdk8s-wordpress-eks';

export function buildApp(app: App): App {
  new WordPressChart(app, 'blog', {
    namespace: 'blog',
    releaseName: 'blog',
    partOf: 'blog',
    ingress: {
      className: 'nginx',
      hosts: ['blog.example.com'],
      tlsSecretName: 'blog-tls',
      annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
    },
    mysql: { storage: { size: '20Gi' } },
    wordpress: {
      storage: { size: '10Gi' },
      // WP_HOME and WP_SITEURL from the first host, https (the Ingress has TLS); the dashboard over HTTPS only.
      config: { siteUrl: true, memoryLimit: '256M', disallowFileMods: true, extraLines: ["define('WP_POST_REVISIONS', 10);"] },
      // The Ingress's proxy-body-size and timeouts follow these.
      php: { uploadMaxFilesize: '64M', postMaxSize: '64M', memoryLimit: '256M', maxExecutionTime: 120 },
      cron: { schedule: '*/5 * * * *' },
      // The Secret `blog-smtp` (keys username, password) is yours to create; see docs/site-operations.md.
      smtp: { host: 'smtp.example.com', credentialsSecret: 'blog-smtp', fromAddress: 'blog@example.com', fromName: 'Blog' },
      // Installed, checksum-verified and activated by a Job; the dashboard cannot change them (disallowFileMods).
      plugins: ['akismet@5.3.3'],
      themes: ['twentytwentyfour@1.2'],
      // Redis, the redis-cache plugin and its drop-in; the password is generated in the cluster.
      objectCache: true,
    },
  });
  return app;
}

if (require.main === module) {
  const app = new LinearSynthApp();
  buildApp(app).synth();
  writeSynthExtras(app);
}
