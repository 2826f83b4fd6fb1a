// A WordPress site for any conformant cluster (kind, minikube, a cloud without the EKS layer):
// nginx Ingress with TLS from cert-manager, credentials generated in the cluster.
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
    wordpress: { storage: { size: '10Gi' } },
  });
  return app;
}

if (require.main === module) {
  const app = new LinearSynthApp();
  buildApp(app).synth();
  writeSynthExtras(app);
}
