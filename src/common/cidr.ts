import { InvalidPropError } from './errors';

/** A parsed CIDR block. */
export interface Cidr {
  /** 4 or 6. */
  readonly family: 4 | 6;
  /** The network address as a number (32 or 128 bits). */
  readonly address: bigint;
  /** Prefix length. */
  readonly prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;
const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;
const ALLOWED = 'an IPv4 or IPv6 CIDR block whose address is the network address, such as 203.0.113.0/24 or 2001:db8::/32';

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => OCTET.test(part))) return undefined;
  return parts.reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string): string[] => (half === '' ? [] : half.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  // A trailing dotted IPv4 address (::ffff:192.0.2.1) stands for the last two groups.
  const last = halves.length === 2 ? tail : head;
  if (last.length && last[last.length - 1].includes('.')) {
    const v4 = parseIpv4(last.pop()!);
    if (v4 === undefined) return undefined;
    last.push((v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!all.every((group) => HEXTET.test(group))) return undefined;
  return all.reduce((value, group) => (value << 16n) | BigInt(parseInt(group, 16)), 0n);
}

function mask(family: 4 | 6, prefix: number): bigint {
  const bits = BigInt(BITS[family]);
  return ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(prefix))) - 1n);
}

/**
 * Parses `value` as a CIDR block, or throws naming `prop`. The address must be the network address
 * (no host bits set): Kubernetes warns about or rejects the others, depending on its version.
 */
export function parseCidr(prop: string, value: string): Cidr {
  const match = typeof value === 'string' ? /^([^/]+)\/(\d{1,3})$/.exec(value) : null;
  const family: 4 | 6 | undefined = match ? (match[1].includes(':') ? 6 : 4) : undefined;
  const address = match && family ? (family === 4 ? parseIpv4(match[1]) : parseIpv6(match[1])) : undefined;
  const prefix = match ? Number(match[2]) : NaN;
  if (!family || address === undefined || !(prefix <= BITS[family]) || (match![2].length > 1 && match![2].startsWith('0'))) {
    throw new InvalidPropError(prop, value, ALLOWED);
  }
  if ((address & mask(family, prefix)) !== address) {
    const network = formatCidr({ family, address: address & mask(family, prefix), prefix });
    throw new InvalidPropError(prop, value, `${ALLOWED} (here ${network})`);
  }
  return { family, address, prefix };
}

/** The canonical text of a block (RFC 5952 for IPv6: lower case, the longest run of zero groups as `::`). */
export function formatCidr(cidr: Cidr): string {
  if (cidr.family === 4) {
    return `${[24n, 16n, 8n, 0n].map((shift) => (cidr.address >> shift) & 0xffn).join('.')}/${cidr.prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) => Number((cidr.address >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { start: -1, length: 0 };
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > best.length && length >= 2) best = { start, length };
  }
  const hex = groups.map((group) => group.toString(16));
  const text = best.start < 0 ? hex.join(':')
    : `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
  return `${text}/${cidr.prefix}`;
}

/** Whether `inner` lies inside `outer` and is smaller: the rule for a NetworkPolicy ipBlock's `except`. */
export function isStrictSubset(inner: Cidr, outer: Cidr): boolean {
  return inner.family === outer.family && inner.prefix > outer.prefix
    && (inner.address & mask(outer.family, outer.prefix)) === outer.address;
}

/** Every address of a family: 0.0.0.0/0 or ::/0. */
export function allAddresses(family: 4 | 6): Cidr {
  return { family, address: 0n, prefix: 0 };
}

/** The NAT64 well-known prefix (RFC 6052). */
const NAT64_PREFIX = parseCidr('NAT64 prefix', '64:ff9b::/96');

/**
 * Where an IPv4 block appears to an IPv6-only pod behind DNS64/NAT64 (EKS IPv6, for instance):
 * the gateway forwards 64:ff9b::a.b.c.d to a.b.c.d, private addresses included.
 */
export function nat64(cidr: Cidr): Cidr {
  if (cidr.family !== 4) throw new Error(`nat64 takes an IPv4 block, not ${formatCidr(cidr)}`);
  return { family: 6, address: NAT64_PREFIX.address | cidr.address, prefix: 96 + cidr.prefix };
}
