import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { checkDnsSubdomain } from '../common/checks';
import { InvalidPropError } from '../common/errors';

/** Options of the standard Ingress in front of WordPress. */
export interface IngressOptions {
  /** IngressClass to use. @default - the cluster's default IngressClass */
  readonly className?: string;
  /**
   * Host names to route (at least one unless `anyHost`); `*.example.com` wildcards are allowed,
   * IP addresses are not (the API server rejects them).
   * @default - none: required unless `anyHost` is true
   */
  readonly hosts?: string[];
  /**
   * Route every host name (a rule without `host`). Only for a local cluster nobody else can reach:
   * on a reachable address whoever opens a new site first completes `/wp-admin/install.php` and owns it.
   * @default false
   */
  readonly anyHost?: boolean;
  /** Secret holding the TLS certificate for `hosts`. @default - no TLS at the Ingress */
  readonly tlsSecretName?: string;
  /** Extra annotations for the Ingress controller. @default - none */
  readonly annotations?: Record<string, string>;
}

/** Props of {@link WordPressIngress}. */
export interface WordPressIngressProps extends IngressOptions {
  /** Name of the Ingress. */
  readonly name: string;
  /** The Service to route to. */
  readonly serviceName: string;
  /** Name of the Service port. */
  readonly servicePortName: string;
  /** Labels for the Ingress. */
  readonly labels: Record<string, string>;
}

/** A `networking.k8s.io/v1` Ingress that sends every path of the given hosts to WordPress. */
export class WordPressIngress extends Construct {
  /** The Ingress. */
  public readonly ingress: k8s.KubeIngress;
  /** Its annotations, for checks across several Ingresses (such as an ALB IngressGroup). */
  public readonly annotations: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: WordPressIngressProps) {
    super(scope, id);
    if (props.className !== undefined) checkDnsSubdomain('ingress.className', props.className);
    const hosts = props.hosts ?? [];
    checkIngressHosts('ingress.hosts', hosts);
    if (props.anyHost === true && hosts.length > 0) {
      throw new InvalidPropError('ingress.anyHost', props.anyHost, 'false (or unset) when ingress.hosts are given');
    }
    if (props.anyHost !== true && hosts.length === 0) {
      throw new InvalidPropError('ingress.hosts', props.hosts,
        'at least one host name such as blog.example.com; ingress.anyHost: true to route every host on a local cluster '
        + '(whoever reaches a new site first completes the installer and owns it); or ingress: false for no Ingress');
    }
    if (props.tlsSecretName !== undefined) {
      checkDnsSubdomain('ingress.tlsSecretName', props.tlsSecretName);
      if (hosts.length === 0) {
        throw new InvalidPropError('ingress.tlsSecretName', props.tlsSecretName, 'only together with ingress.hosts, which the certificate covers');
      }
    }
    const http: k8s.HttpIngressRuleValue = {
      paths: [{
        path: '/',
        pathType: 'Prefix',
        backend: { service: { name: props.serviceName, port: { name: props.servicePortName } } },
      }],
    };
    this.annotations = { ...props.annotations };
    this.ingress = new k8s.KubeIngress(this, 'ingress', {
      metadata: {
        name: props.name,
        labels: props.labels,
        ...(props.annotations && Object.keys(props.annotations).length > 0 ? { annotations: props.annotations } : {}),
      },
      spec: {
        ...(props.className ? { ingressClassName: props.className } : {}),
        rules: hosts.length > 0 ? hosts.map((host) => ({ host, http })) : [{ http }],
        ...(props.tlsSecretName ? { tls: [{ hosts, secretName: props.tlsSecretName }] } : {}),
      },
    });
  }
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Ingress rule hosts as the API server accepts them: DNS subdomains, optionally with a leading `*.`
 * wildcard, never an IP address, and each only once (a second rule for the same host is dead).
 */
export function checkIngressHosts(prop: string, hosts: readonly string[]): string[] {
  if (!Array.isArray(hosts)) throw new InvalidPropError(prop, hosts, 'a list of host names');
  const seen = new Map<string, number>();
  hosts.forEach((host, index) => {
    const itemProp = `${prop}[${index}]`;
    if (typeof host === 'string' && IPV4.test(host)) {
      throw new InvalidPropError(itemProp, host, 'a DNS host name, not an IP address (the API server rejects IP addresses in Ingress rules)');
    }
    checkDnsSubdomain(itemProp, typeof host === 'string' && host.startsWith('*.') ? host.slice(2) : host);
    if (seen.has(host)) {
      throw new InvalidPropError(itemProp, host, `a host name not already listed (${prop}[${seen.get(host)}] is also "${host}")`);
    }
    seen.set(host, index);
  });
  return [...hosts];
}
