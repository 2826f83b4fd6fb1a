import { checkCidr, checkNamespace } from '../common/checks';
import { InvalidPropError } from '../common/errors';
import { k8s } from '../common/k8s';

/**
 * Where requests to WordPress's HTTP port may come from: the Ingress controller's namespace, a
 * load balancer's address ranges, or both. Kubelet probes come from the node and are not affected.
 */
export interface HttpSources {
  /** Namespaces of the pods that proxy to WordPress (an Ingress controller such as `ingress-nginx`). @default - none */
  readonly namespaces?: string[];
  /**
   * Address ranges of proxies outside the cluster, e.g. the VPC's CIDR for an AWS Application Load
   * Balancer in IP mode (its nodes connect from addresses in the VPC's subnets). @default - none
   */
  readonly cidrs?: string[];
}

/** The checked peers of the web port's NetworkPolicy: undefined for `sources` undefined (any source). */
export function httpSourcePeers(prop: string, sources: HttpSources | undefined): { peerNamespaces: string[]; peerIpBlocks: k8s.IpBlock[] } | undefined {
  if (sources === undefined) return undefined;
  const namespaces = (sources.namespaces ?? []).map((name, i) => checkNamespace(`${prop}.namespaces[${i}]`, name));
  const cidrs = (sources.cidrs ?? []).map((cidr, i) => checkCidr(`${prop}.cidrs[${i}]`, cidr));
  if (namespaces.length + cidrs.length === 0) {
    // An empty list of peers would admit nothing, and leaving it out admits everything: neither is what was meant.
    throw new InvalidPropError(prop, sources, 'at least one entry in namespaces or cidrs (leave httpFrom out to admit any source)');
  }
  return { peerNamespaces: namespaces, peerIpBlocks: cidrs.map((cidr) => ({ cidr })) };
}
