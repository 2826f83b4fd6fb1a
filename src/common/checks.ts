import { InvalidPropError } from './errors';
import { parseCidr } from './cidr';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUANTITY = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;
// registry[:port]/path[:tag][@sha256:digest], lower-case path components as the distribution spec requires.
const IMAGE = /^(?:(?<registry>[a-zA-Z0-9.-]+(?::\d+)?)\/)?(?<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[\w][\w.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$/;

/** A DNS-1123 label: the rule for Namespace, Service and most object names. */
export function checkDnsLabel(prop: string, value: string, maxLength = 63): string {
  if (typeof value !== 'string' || value.length > maxLength || !DNS_LABEL.test(value)) {
    throw new InvalidPropError(prop, value, `a DNS-1123 label of at most ${maxLength} characters: lower-case letters, digits and '-', starting and ending with a letter or digit`);
  }
  return value;
}

/**
 * Namespaces a chart must never create or fill: Kubernetes owns the first four (a default-deny
 * NetworkPolicy with `podSelector: {}` in `kube-system` cuts off CoreDNS), and the
 * amazon-cloudwatch-observability add-on owns `amazon-cloudwatch`, which must stay free so both
 * can run side by side during a migration.
 */
export const RESERVED_NAMESPACES: ReadonlyMap<string, string> = new Map([
  ['kube-system', 'Kubernetes system components'],
  ['kube-public', 'Kubernetes public cluster information'],
  ['kube-node-lease', 'node heartbeats'],
  ['default', 'objects created without a namespace'],
  ['amazon-cloudwatch', 'the amazon-cloudwatch-observability EKS add-on'],
]);

/** A namespace a chart may create: a DNS-1123 label that is not reserved. */
export function checkNamespace(prop: string, value: string): string {
  checkDnsLabel(prop, value);
  const owner = RESERVED_NAMESPACES.get(value);
  if (owner) {
    throw new InvalidPropError(prop, value, `a namespace of its own, not one of ${[...RESERVED_NAMESPACES.keys()].join(', ')} ("${value}" holds ${owner})`);
  }
  return value;
}

/** A DNS-1123 subdomain: the rule for host names and most other object names. */
export function checkDnsSubdomain(prop: string, value: string): string {
  if (typeof value !== 'string' || value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    throw new InvalidPropError(prop, value, 'a DNS-1123 subdomain of at most 253 characters: lower-case labels separated by dots');
  }
  return value;
}

/** A positive Kubernetes quantity such as `20Gi`, `500m` or `1.5`. */
export function checkQuantity(prop: string, value: string): string {
  if (typeof value !== 'string' || !QUANTITY.test(value) || quantityToNumber(value) <= 0) {
    throw new InvalidPropError(prop, value, 'a positive Kubernetes quantity such as 500m, 1, 512Mi or 20Gi');
  }
  return value;
}

const SUFFIX: Record<string, number> = {
  '': 1, 'm': 1e-3, 'k': 1e3, 'M': 1e6, 'G': 1e9, 'T': 1e12, 'P': 1e15, 'E': 1e18,
  'Ki': 2 ** 10, 'Mi': 2 ** 20, 'Gi': 2 ** 30, 'Ti': 2 ** 40, 'Pi': 2 ** 50, 'Ei': 2 ** 60,
};

/** The numeric value of a quantity (bytes for memory, cores for CPU). */
export function quantityToNumber(value: string): number {
  const match = /^([\d.]+)([a-zA-Z]*)$/.exec(value);
  if (!match || !(match[2] in SUFFIX)) {
    throw new InvalidPropError('quantity', value, 'a Kubernetes quantity such as 500m, 1, 512Mi or 20Gi');
  }
  return Number(match[1]) * SUFFIX[match[2]];
}

/** An image reference pinned to a tag other than `latest`, or to a digest. */
export function checkImage(prop: string, value: string): string {
  const match = typeof value === 'string' ? IMAGE.exec(value) : null;
  const tag = match?.groups?.tag;
  const digest = match?.groups?.digest;
  if (!match || (!tag && !digest) || (tag === 'latest' && !digest)) {
    throw new InvalidPropError(prop, value, 'an image reference pinned to a version tag or a sha256 digest, e.g. mysql:8.4.11 (never untagged or latest)');
  }
  return value;
}

/** An integer within an inclusive range. */
export function checkInteger(prop: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidPropError(prop, value, `an integer from ${min} to ${max}`);
  }
  return value;
}

/** One of a fixed set of values. */
export function checkOneOf<T extends string>(prop: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new InvalidPropError(prop, value, `one of ${allowed.join(', ')}`);
  }
  return value;
}

/** An IPv4 or IPv6 CIDR block such as `203.0.113.0/24`, its address the network address. */
export function checkCidr(prop: string, value: string): string {
  parseCidr(prop, value);
  return value;
}

const ANNOTATION_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A Kubernetes annotation (or label) key: optional DNS-subdomain prefix and '/', then a name of at most 63 characters. */
export function checkAnnotationKey(prop: string, key: string): string {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefixOk = prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
  if (!prefixOk || !ANNOTATION_NAME.test(name)) {
    throw new InvalidPropError(prop, key, 'an annotation key: an optional DNS-subdomain prefix and "/", then 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit');
  }
  return key;
}
