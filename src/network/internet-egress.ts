import { InvalidPropError } from '../common/errors';
import { k8s } from '../common/k8s';
import { allAddresses, formatCidr, isStrictSubset, nat64, parseCidr } from '../common/cidr';
import { checkPorts } from './ports';

/** Which destinations count as "the internet" for a pod's egress. */
export interface InternetEgressOptions {
  /** TCP ports that may be reached. @default [80, 443] */
  readonly ports?: number[];
  /**
   * Ranges that are not the internet and stay unreachable: replaces the default list. Extend it with
   * `[...DEFAULT_EXCLUDED_CIDRS, '2600:1f18:abcd:ef00::/56']` where pods or nodes have public
   * addresses (EKS IPv6 pods have addresses of the VPC's /56). Each IPv4 range is also excluded at
   * its NAT64 address (64:ff9b::/96).
   * @default DEFAULT_EXCLUDED_CIDRS
   */
  readonly excludedCidrs?: string[];
}

/**
 * Addresses that are never the public internet, but are where the cluster, the cloud and the other
 * sites live:
 * - 10/8, 172.16/12, 192.168/16 (RFC 1918): pods, Services, nodes, the API server, the VPC;
 * - 100.64/10 (RFC 6598, carrier-grade NAT): pod ranges of EKS custom networking and of other CNIs;
 * - 169.254/16 and fe80::/10 (link-local): instance metadata 169.254.169.254, the EKS Pod Identity
 *   agent 169.254.170.23 (DNS through NodeLocal DNSCache has its own policy);
 * - fc00::/7 (unique local): IPv6 Services on EKS, metadata fd00:ec2::254, Pod Identity fd00:ec2::23;
 * - 0/8, 127/8, ::1/128 (this host, loopback) and 240/4 (reserved; some clusters use it for pods):
 *   nothing on the internet lives there, so excluding them costs nothing.
 * IPv6 global addresses are not listed: a cluster that gives pods such addresses adds its own.
 */
export const DEFAULT_EXCLUDED_CIDRS: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '240.0.0.0/4',
  '::1/128', 'fc00::/7', 'fe80::/10',
];

/** TCP ports of the internet egress by default: HTTP and HTTPS. */
export const DEFAULT_INTERNET_EGRESS_PORTS: readonly number[] = [80, 443];

/** Internet egress, checked and made concrete. */
export interface ResolvedInternetEgress {
  /** TCP ports. */
  readonly ports: number[];
  /** One block per address family: every address except the excluded ranges. */
  readonly ipBlocks: k8s.IpBlock[];
}

/** Checks the options (errors name `prop`) and turns them into NetworkPolicy ipBlocks. */
export function resolveInternetEgress(prop: string, options: InternetEgressOptions = {}): ResolvedInternetEgress {
  const ports = checkPorts(`${prop}.ports`, options.ports ?? DEFAULT_INTERNET_EGRESS_PORTS);
  const given = options.excludedCidrs ?? DEFAULT_EXCLUDED_CIDRS;
  if (!Array.isArray(given)) throw new InvalidPropError(`${prop}.excludedCidrs`, given, 'a list of CIDR blocks');
  // Errors depend on the list alone, so a list seen before is valid: every site of a fleet shares one.
  const key = JSON.stringify(given);
  let ipBlocks = ipBlocksByExclusions.get(key);
  if (!ipBlocks) {
    ipBlocks = exceptingIpBlocks(prop, given);
    ipBlocksByExclusions.set(key, ipBlocks);
  }
  return { ports, ipBlocks };
}

/** The ipBlocks of each list of excluded ranges seen (a few lists per process). */
const ipBlocksByExclusions = new Map<string, k8s.IpBlock[]>();

function exceptingIpBlocks(prop: string, given: readonly string[]): k8s.IpBlock[] {
  const excluded = given.map((text, index) => {
    const cidr = parseCidr(`${prop}.excludedCidrs[${index}]`, text);
    // An `except` must be a strict subset of its block; the API server refuses the policy otherwise.
    if (!isStrictSubset(cidr, allAddresses(cidr.family))) {
      throw new InvalidPropError(`${prop}.excludedCidrs[${index}]`, text, 'a range smaller than the whole address space (allowInternetEgress: false stops all internet egress)');
    }
    return cidr;
  });
  const withNat64 = [...excluded, ...excluded.filter((cidr) => cidr.family === 4).map(nat64)];
  return ([4, 6] as const).map((family) => {
    const except = unique(withNat64.filter((cidr) => cidr.family === family).map(formatCidr));
    return { cidr: formatCidr(allAddresses(family)), ...(except.length ? { except } : {}) };
  });
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Checks CIDR blocks (errors name `prop[index]`) and returns them as ipBlocks in canonical form. */
export function ipBlocksOf(prop: string, cidrs: readonly string[]): k8s.IpBlock[] {
  return cidrs.map((text, index) => ({ cidr: formatCidr(parseCidr(`${prop}[${index}]`, text)) }));
}
