import { Construct } from 'constructs';
import { k8s } from '../common/k8s';
import { checkDnsSubdomain } from '../common/checks';
import { InvalidPropError } from '../common/errors';

/** Options of the standard Ingress in front of WordPress. */
export interface IngressOptions {
  /** IngressClass to use. @default - the cluster's default IngressClass */
  readonly className?: string;
  /** Host names to route; `*.example.com` wildcards are allowed. @default - every host */
  readonly hosts?: string[];
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

  constructor(scope: Construct, id: string, props: WordPressIngressProps) {
    super(scope, id);
    if (props.className !== undefined) checkDnsSubdomain('ingress.className', props.className);
    const hosts = props.hosts ?? [];
    hosts.forEach((host, index) => checkHost(`ingress.hosts[${index}]`, host));
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

function checkHost(prop: string, host: string): void {
  checkDnsSubdomain(prop, host.startsWith('*.') ? host.slice(2) : host);
}
