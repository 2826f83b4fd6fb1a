import { k8s } from '../common/k8s';
import { PodExtension } from '../common/pod-extension';
import { restrictedContainerSecurityContext } from '../common/security-context';
import { APACHE_EXPORTER } from './exporter-images';

/** apache_exporter's default port. */
export const APACHE_EXPORTER_PORT = 9117;
/** Name of the exporter's container in the WordPress pods (scrape configs select it by name). */
export const APACHE_EXPORTER_CONTAINER = 'apache-exporter';
/** Where Apache serves mod_status: the loopback address only, a port no Service or Ingress routes to. */
export const APACHE_STATUS_PORT = 8081;
/** The status URL the exporter scrapes (`?auto`: the machine-readable form). */
export const APACHE_STATUS_URL = `http://127.0.0.1:${APACHE_STATUS_PORT}/server-status?auto`;
const CONFIG_PATH = '/etc/apache2/conf-enabled/zz-metrics-status.conf';

/**
 * Apache configuration for the exporter. Debian's apache2 (the wordpress image's base) enables
 * mod_status with `/server-status` open to `Require local`; here it is refused on every virtual
 * host that serves the site, and served only by a virtual host on 127.0.0.1, a port the pod network
 * cannot reach. Its document root is outside /var/www, so WordPress's `.htaccess` rewrites do not
 * apply there. `conf-enabled` is read after `mods-enabled` and the virtual host's sections after the
 * server's, so these sections win.
 */
export function apacheStatusConfig(): string {
  return [
    '# cdk8s-wordpress-eks: mod_status for the metrics exporter in the same pod only.',
    'ExtendedStatus On',
    '<Location "/server-status">',
    '    Require all denied',
    '</Location>',
    `Listen 127.0.0.1:${APACHE_STATUS_PORT}`,
    `<VirtualHost 127.0.0.1:${APACHE_STATUS_PORT}>`,
    '    DocumentRoot "/usr/share/apache2/icons"',
    '    <Location "/server-status">',
    '        SetHandler server-status',
    '        Require ip 127.0.0.1',
    '    </Location>',
    '</VirtualHost>',
    '',
  ].join('\n');
}

/** Props of {@link apacheExporterExtension}. */
export interface ApacheExporterProps {
  /** The exporter image. */
  readonly image: string;
  /** ConfigMap with `apacheStatusConfig()` under the key `status.conf`. */
  readonly configMapName: string;
  /** Pod annotations (the `prometheus.io/*` ones without the operator, a hash of the config). */
  readonly annotations?: Record<string, string>;
}

/** Key of the Apache configuration in its ConfigMap. */
export const APACHE_STATUS_CONFIG_KEY = 'status.conf';
const RESOURCES = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } };

/** apache_exporter beside Apache, and the status configuration mounted into Apache. */
export function apacheExporterExtension(props: ApacheExporterProps): PodExtension {
  return {
    mainVolumeMounts: [{ name: 'apache-status', mountPath: CONFIG_PATH, subPath: APACHE_STATUS_CONFIG_KEY, readOnly: true }],
    containers: [{
      name: APACHE_EXPORTER_CONTAINER,
      image: props.image,
      imagePullPolicy: 'IfNotPresent',
      args: [`--scrape_uri=${APACHE_STATUS_URL}`],
      ports: [{ name: 'metrics', containerPort: APACHE_EXPORTER_PORT, protocol: 'TCP' }],
      securityContext: restrictedContainerSecurityContext(APACHE_EXPORTER.identity),
      resources: {
        requests: { cpu: k8s.Quantity.fromString(RESOURCES.requests.cpu), memory: k8s.Quantity.fromString(RESOURCES.requests.memory) },
        limits: { cpu: k8s.Quantity.fromString(RESOURCES.limits.cpu), memory: k8s.Quantity.fromString(RESOURCES.limits.memory) },
      },
      livenessProbe: { httpGet: { path: '/', port: k8s.IntOrString.fromString('metrics') }, periodSeconds: 30, timeoutSeconds: 5 },
    }],
    volumes: [{ name: 'apache-status', configMap: { name: props.configMapName } }],
    annotations: props.annotations,
    resources: RESOURCES,
  };
}
