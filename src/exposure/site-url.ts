import { IngressOptions } from './wordpress-ingress';

const ALB_CERTIFICATES = 'alb.ingress.kubernetes.io/certificate-arn';

/**
 * The URL an Ingress serves the site on: its first host, `https://` when the Ingress terminates TLS
 * (a `tlsSecretName`, or ACM certificates on an ALB). None for a wildcard first host or `anyHost`:
 * neither names one address.
 */
export function ingressSiteUrl(ingress: IngressOptions): string | undefined {
  const host = ingress.hosts?.[0];
  if (host === undefined || host.startsWith('*.')) return undefined;
  const tls = ingress.tlsSecretName !== undefined || ingress.annotations?.[ALB_CERTIFICATES] !== undefined;
  return `${tls ? 'https' : 'http'}://${host}`;
}
